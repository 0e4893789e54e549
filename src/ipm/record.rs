//! Scouting observations and pesticide applications as plain data: what `store` writes and reads.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

use crate::weather::{WeatherDay, WeatherSource};

/// Severity scale of a scouting observation: 0 none, 1 light, 2 moderate, 3 severe (the legacy
/// three-grade standard, with 0 for "looked and found none").
pub const SEVERITY_MAX: u8 = 3;

/// One scouting observation of a pest on an asset.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Store id; 0 for one not yet stored.
    pub id: i64,
    pub asset_id: i64,
    /// Filled when read back.
    pub asset_ref: String,
    pub pest_id: String,
    /// 0–3.
    pub severity: u8,
    /// Share of the crown affected, %.
    pub pct_crown: Option<f64>,
    /// The day of the visit (site-local).
    pub observed_at: NaiveDate,
    pub observer: Option<String>,
    pub note: Option<String>,
}

/// The weather of the day of an application, from the daily series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApplicationWeather {
    /// °C.
    pub tmin_c: f64,
    /// °C.
    pub tmax_c: f64,
    /// mm.
    pub rain_mm: f64,
    /// Mean wind at 2 m, m/s, when imported.
    pub wind_ms: Option<f64>,
    /// Observed, forecast or normal: how much the figures can be trusted.
    pub source: WeatherSource,
}

impl ApplicationWeather {
    /// The weather of one day of the series.
    pub fn from_day(d: &WeatherDay) -> ApplicationWeather {
        ApplicationWeather {
            tmin_c: d.weather.tmin_c,
            tmax_c: d.weather.tmax_c,
            rain_mm: d.weather.rain_mm,
            wind_ms: d.wind_ms,
            source: d.source,
        }
    }
}

/// One row of the season's pesticide record.
#[derive(Debug, Clone, PartialEq)]
pub struct PesticideApplication {
    /// Store id; 0 for one not yet stored.
    pub id: i64,
    /// The treatment task it completed, if any.
    pub task_id: Option<i64>,
    pub asset_id: i64,
    /// Filled when read back.
    pub asset_ref: String,
    pub pest_id: Option<String>,
    /// When the spraying started, with the site's offset.
    pub applied_at: DateTime<FixedOffset>,
    pub product: String,
    pub active_ingredient: Option<String>,
    /// As mixed (`1:1000 dilution`).
    pub dose: Option<String>,
    /// Trees treated.
    pub trees: Option<u32>,
    /// Area treated, m².
    pub area_m2: Option<f64>,
    /// Weather of the day, from the daily series.
    pub weather: Option<ApplicationWeather>,
    pub applicator: Option<String>,
    /// Re-entry interval, hours.
    pub reentry_h: Option<f64>,
}

impl PesticideApplication {
    /// When people may enter the treated area again.
    pub fn reentry_until(&self) -> Option<DateTime<FixedOffset>> {
        let h = self.reentry_h?;
        if !h.is_finite() || h < 0.0 {
            return None;
        }
        self.applied_at
            .checked_add_signed(Duration::seconds((h * 3600.0).round() as i64))
    }
}
