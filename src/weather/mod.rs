//! Daily weather for the site: observed and forecast days imported from CSV, and the climate
//! normal of the site for every day nobody measured or forecast.
//!
//! Owns: the weather CSV format ([`import`]), the [`WeatherRecord`] the `weather` table holds, and
//! [`daily_series`], the one daily series every weather-driven decision reads (watering, pest
//! windows, replanting, the weather of a pesticide application).
//! Never: SQL (it asks `store`), formulas (they live in `science`), printing.
//!
//! # The series
//!
//! Each day of [`daily_series`] is, in this order of preference:
//! 1. the row of the `weather` table for that date, marked observed or forecast as imported; its
//!    effective rain is the daily 5 mm rule ([`crate::science::daily_effective_rain`]);
//! 2. else the site's normal day, built exactly as DOMAIN.md's reference series: the normal year
//!    of that calendar year ([`crate::science::normal_year`]: Tmax/Tmin interpolated between mid-month
//!    normals, monthly rain spread evenly), with the USDA-SCS monthly effective rain spread evenly
//!    over the month. The daily 5 mm rule is never applied to a normal day: normal rain is smooth,
//!    so every day would fall under 5 mm and the rain would be thrown away.
//!
//! # Units
//!
//! - temperatures °C; rain and effective rain mm/day; relative humidity %; wind m/s at 2 m;
//!   sunshine hours

pub mod import;

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::science::normals::{MonthlyNormals, NormalsError, normal_year, parse_normals};
use crate::science::replanting::{DayBasis, PlanDay};
use crate::science::{DailyWeather, daily_effective_rain};
use crate::site::SiteConfig;
use crate::store::{Reader, Store, StoreError};

pub use import::{ImportError, RowError, parse_weather_csv};

/// The Barkhor site's climate normals (WMO 55591 Lhasa), built in for the embedded site.
pub const BARKHOR_NORMALS: &str = include_str!("../../geodata/barkhor/lhasa_55591_normals.csv");

/// One row of the `weather` table: an observed or forecast day as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct WeatherRecord {
    /// The site-local calendar day.
    pub date: NaiveDate,
    /// Minimum air temperature, °C.
    pub tmin_c: f64,
    /// Maximum air temperature, °C.
    pub tmax_c: f64,
    /// Rain, mm.
    pub rain_mm: f64,
    /// Maximum relative humidity, %.
    pub rh_max_pct: Option<f64>,
    /// Minimum relative humidity, %.
    pub rh_min_pct: Option<f64>,
    /// Mean wind speed at 2 m, m/s.
    pub wind_ms: Option<f64>,
    /// Bright sunshine, hours.
    pub sunshine_h: Option<f64>,
    /// A forecast rather than a measurement.
    pub forecast: bool,
    /// The file the row came from.
    pub source: Option<String>,
    /// RFC 3339 time of the import; `None` for a record not yet stored (the store stamps it).
    pub imported_at: Option<String>,
}

/// Where a day of the series comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeatherSource {
    /// An imported measurement.
    Observed,
    /// An imported forecast.
    Forecast,
    /// The site's climate normal (nothing imported for that date).
    Normal,
}

impl WeatherSource {
    /// `observed`, `forecast` or `normal`, as printed in lists and stored in the pesticide log.
    pub fn as_str(self) -> &'static str {
        match self {
            WeatherSource::Observed => "observed",
            WeatherSource::Forecast => "forecast",
            WeatherSource::Normal => "normal",
        }
    }

    /// Reads back [`WeatherSource::as_str`].
    pub fn parse(text: &str) -> Option<WeatherSource> {
        Some(match text {
            "observed" => WeatherSource::Observed,
            "forecast" => WeatherSource::Forecast,
            "normal" => WeatherSource::Normal,
            _ => return None,
        })
    }
}

impl fmt::Display for WeatherSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One day of the series: the weather the formulas take, where it comes from, and the extra
/// measurements an import may carry.
#[derive(Debug, Clone, PartialEq)]
pub struct WeatherDay {
    /// Temperatures, rain and the effective rain to use: the daily 5 mm rule for observed and
    /// forecast days, the SCS monthly share for normal days.
    pub weather: DailyWeather,
    /// Observed, forecast or normal.
    pub source: WeatherSource,
    /// Maximum relative humidity, % (imported days only).
    pub rh_max_pct: Option<f64>,
    /// Minimum relative humidity, % (imported days only).
    pub rh_min_pct: Option<f64>,
    /// Mean wind speed at 2 m, m/s (imported days only).
    pub wind_ms: Option<f64>,
    /// Bright sunshine, hours (imported days only).
    pub sunshine_h: Option<f64>,
    /// The file an imported day came from.
    pub file: Option<String>,
}

impl WeatherDay {
    /// The calendar day.
    pub fn date(&self) -> NaiveDate {
        self.weather.date
    }

    /// Effective rain under open sky, mm.
    pub fn peff_mm(&self) -> f64 {
        self.weather.peff_mm
    }

    /// The day as the replanting rules read it.
    pub fn plan_day(&self) -> PlanDay {
        PlanDay {
            weather: self.weather,
            basis: match self.source {
                WeatherSource::Observed => DayBasis::Observed,
                WeatherSource::Forecast => DayBasis::Forecast,
                WeatherSource::Normal => DayBasis::Normal,
            },
        }
    }

    fn from_record(r: &WeatherRecord) -> WeatherDay {
        WeatherDay {
            weather: DailyWeather {
                date: r.date,
                tmin_c: r.tmin_c,
                tmax_c: r.tmax_c,
                rain_mm: r.rain_mm,
                peff_mm: daily_effective_rain(r.rain_mm),
            },
            source: if r.forecast {
                WeatherSource::Forecast
            } else {
                WeatherSource::Observed
            },
            rh_max_pct: r.rh_max_pct,
            rh_min_pct: r.rh_min_pct,
            wind_ms: r.wind_ms,
            sunshine_h: r.sunshine_h,
            file: r.source.clone(),
        }
    }

    fn normal(weather: DailyWeather) -> WeatherDay {
        WeatherDay {
            weather,
            source: WeatherSource::Normal,
            rh_max_pct: None,
            rh_min_pct: None,
            wind_ms: None,
            sunshine_h: None,
            file: None,
        }
    }
}

/// Why the weather could not be had.
#[derive(Debug, thiserror::Error)]
pub enum WeatherError {
    /// The database refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The site's normals file could not be read.
    #[error(
        "cannot read the climate normals {path}: {source}\n  check climate_normals in the site file, or run `greenward init --site SITE.toml` from the folder it names paths from"
    )]
    ReadNormals {
        /// The file looked for.
        path: String,
        /// The system's complaint.
        source: std::io::Error,
    },
    /// The site's normals file is not usable.
    #[error("{path}: not a usable climate normals file: {source}")]
    Normals {
        /// The file.
        path: String,
        /// What is wrong in it.
        source: NormalsError,
    },
    /// The site names no normals file.
    #[error(
        "site '{site}' names no climate normals\n  add climate_normals = \"FILE.csv\" (month, tmax_mean_C, tmin_mean_C, precip_mm) to its site.toml and run `greenward init --site` again"
    )]
    NoNormals {
        /// The site's name.
        site: String,
    },
}

/// Whether `site` is the embedded Barkhor site (possibly read back from a store elsewhere).
fn is_embedded_barkhor(site: &SiteConfig) -> bool {
    site.site == crate::site::embedded_barkhor().site
}

/// The site's monthly climate normals: the file named by `climate_normals` in site.toml, relative
/// to the site folder; for the embedded Barkhor site, the built-in Lhasa normals when that file is
/// not on disk.
/// The site's normals, or `None` when the site names no normals file (weather-driven rules then
/// cannot run; everything else can).
pub fn site_normals_opt(site: &SiteConfig) -> Result<Option<MonthlyNormals>, WeatherError> {
    match site_normals(site) {
        Ok(n) => Ok(Some(n)),
        Err(WeatherError::NoNormals { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn site_normals(site: &SiteConfig) -> Result<MonthlyNormals, WeatherError> {
    let embedded = || {
        parse_normals(BARKHOR_NORMALS).map_err(|source| WeatherError::Normals {
            path: "geodata/barkhor/lhasa_55591_normals.csv (built in)".into(),
            source,
        })
    };
    let Some(rel) = &site.site.climate_normals else {
        if is_embedded_barkhor(site) {
            return embedded();
        }
        return Err(WeatherError::NoNormals {
            site: site.site.name.clone(),
        });
    };
    let path = site.resolve(rel);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_normals(&text).map_err(|source| WeatherError::Normals {
            path: path.display().to_string(),
            source,
        }),
        Err(_) if is_embedded_barkhor(site) => embedded(),
        Err(source) => Err(WeatherError::ReadNormals {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The daily series from `from` to `to` (both included): imported days where there are any, the
/// site's normal days elsewhere. Empty when `to` is before `from`.
pub fn daily_series(
    store: &Store,
    normals: &MonthlyNormals,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<WeatherDay>, WeatherError> {
    daily_series_in(&store.read(), normals, from, to)
}

/// [`daily_series`] through a reader, so a command can build it inside its write transaction
/// (`tx.read()`).
pub fn daily_series_in(
    read: &Reader<'_>,
    normals: &MonthlyNormals,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<WeatherDay>, WeatherError> {
    if to < from {
        return Ok(Vec::new());
    }
    let stored: HashMap<NaiveDate, WeatherRecord> = read
        .weather_between(from, to)?
        .into_iter()
        .map(|r| (r.date, r))
        .collect();
    Ok(merge(&stored, normals, from, to))
}

/// The series for one calendar year, 1 January to 31 December.
pub fn year_series(
    store: &Store,
    normals: &MonthlyNormals,
    year: i32,
) -> Result<Vec<WeatherDay>, WeatherError> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(from), Some(to)) => daily_series(store, normals, from, to),
        _ => Ok(Vec::new()),
    }
}

/// Imported days over normal days, one per date from `from` to `to`.
fn merge(
    stored: &HashMap<NaiveDate, WeatherRecord>,
    normals: &MonthlyNormals,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<WeatherDay> {
    let mut normal_years: HashMap<i32, Vec<DailyWeather>> = HashMap::new();
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter_map(|date| {
            if let Some(r) = stored.get(&date) {
                return Some(WeatherDay::from_record(r));
            }
            let year = normal_years
                .entry(date.year())
                .or_insert_with(|| normal_year(normals, date.year()));
            year.get(date.ordinal0() as usize)
                .copied()
                .map(WeatherDay::normal)
        })
        .collect()
}

/// The day of `series` for `date`, if the series covers it.
pub fn day_on(series: &[WeatherDay], date: NaiveDate) -> Option<&WeatherDay> {
    series
        .binary_search_by_key(&date, WeatherDay::date)
        .ok()
        .map(|i| &series[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    fn lhasa() -> MonthlyNormals {
        parse_normals(BARKHOR_NORMALS).unwrap()
    }

    fn record(date: NaiveDate, rain: f64, forecast: bool) -> WeatherRecord {
        WeatherRecord {
            date,
            tmin_c: 5.0,
            tmax_c: 20.0,
            rain_mm: rain,
            rh_max_pct: None,
            rh_min_pct: None,
            wind_ms: Some(2.0),
            sunshine_h: None,
            forecast,
            source: Some("w.csv".into()),
            imported_at: None,
        }
    }

    #[test]
    fn imported_days_take_the_daily_rule_normal_days_the_scs_share() {
        let stored: HashMap<_, _> = [
            (d(5, 14), record(d(5, 14), 4.0, false)),
            (d(5, 16), record(d(5, 16), 8.0, true)),
        ]
        .into_iter()
        .collect();
        let s = merge(&stored, &lhasa(), d(5, 14), d(5, 16));
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].source, WeatherSource::Observed);
        assert_eq!(s[0].peff_mm(), 0.0, "4 mm is under the 5 mm rule");
        assert_eq!(s[1].source, WeatherSource::Normal);
        // 15 May of the normal year: 21.0 / 7.1 °C, SCS share 0.877 mm although its rain (0.919)
        // is far under 5 mm.
        assert_abs_diff_eq!(s[1].weather.tmax_c, 21.0, epsilon = 1e-9);
        assert_abs_diff_eq!(s[1].peff_mm(), 0.877, epsilon = 0.0005);
        assert_eq!(s[2].source, WeatherSource::Forecast);
        assert_abs_diff_eq!(s[2].peff_mm(), 6.4, epsilon = 1e-9);
        assert_eq!(s[2].wind_ms, Some(2.0));
        assert_eq!(
            day_on(&s, d(5, 15)).map(|w| w.source),
            Some(WeatherSource::Normal)
        );
        assert!(day_on(&s, d(5, 17)).is_none());
    }

    #[test]
    fn the_series_crosses_years_and_leap_days() {
        let from = NaiveDate::from_ymd_opt(2027, 12, 30).unwrap();
        let to = NaiveDate::from_ymd_opt(2028, 3, 1).unwrap();
        let s = merge(&HashMap::new(), &lhasa(), from, to);
        assert_eq!(s.len(), 2 + 31 + 29 + 1);
        assert!(
            s.windows(2)
                .all(|w| w[0].date().succ_opt() == Some(w[1].date()))
        );
        assert!(merge(&HashMap::new(), &lhasa(), to, from).is_empty());
    }

    #[test]
    fn the_embedded_site_falls_back_to_built_in_normals() {
        let mut site = crate::site::embedded_barkhor();
        site.dir = std::path::PathBuf::from("/nonexistent/greenward");
        assert_eq!(site_normals(&site).unwrap(), lhasa());
        site.site.name = "Elsewhere".into();
        let e = site_normals(&site).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "cannot read the climate normals /nonexistent/greenward/lhasa_55591_normals.csv"
            ),
            "{e}"
        );
        site.site.climate_normals = None;
        let e = site_normals(&site).unwrap_err().to_string();
        assert!(
            e.starts_with("site 'Elsewhere' names no climate normals"),
            "{e}"
        );
    }
}
