//! The daily weather of a planning scenario.
//!
//! - `normal`: the site's normal year (DOMAIN.md §2 reference series: Tmax/Tmin interpolated
//!   between mid-month normals, monthly rain spread evenly, USDA-SCS monthly effective rain spread
//!   evenly; the daily 5 mm rule is never applied to it).
//! - `dry` / `wet`: the same normal year built from scaled normals: monthly rain × (1 + rain
//!   scale) and temperatures + shift (defaults dry −40 % / +1 °C, wet +40 % / −0.5 °C). The SCS
//!   rule is applied to the scaled monthly rain.
//! - a CSV file (`date,tmin_c,tmax_c,rain_mm`, the `weather import` format): an actual past year,
//!   laid onto the plan's year by month and day (29 February is dropped outside leap years); its
//!   effective rain follows the daily 5 mm rule. Days the file does not hold come from the normal
//!   year and are counted in [`Scenario::filled_days`].
//!
//! The scenario never reads or writes the store: imported observations and forecasts play no part.
//!
//! # Units
//! Temperatures °C, rain and effective rain mm/day.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};

use crate::science::normals::{MonthlyNormals, normal_year};
use crate::science::{DailyWeather, daily_effective_rain};
use crate::weather::{WeatherDay, WeatherSource};

/// Which weather a plan runs on.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioKind {
    Normal,
    Dry,
    Wet,
    /// A past year from a CSV file.
    File(PathBuf),
}

impl ScenarioKind {
    /// `normal`, `dry`, `wet` or a file path.
    pub fn parse(text: &str) -> ScenarioKind {
        match text.trim().to_ascii_lowercase().as_str() {
            "normal" => ScenarioKind::Normal,
            "dry" => ScenarioKind::Dry,
            "wet" => ScenarioKind::Wet,
            _ => ScenarioKind::File(PathBuf::from(text.trim())),
        }
    }

    /// The name used in tables and file names: `normal`, `dry`, `wet` or the file's stem.
    pub fn name(&self) -> String {
        match self {
            ScenarioKind::Normal => "normal".into(),
            ScenarioKind::Dry => "dry".into(),
            ScenarioKind::Wet => "wet".into(),
            ScenarioKind::File(p) => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "file".into()),
        }
    }
}

/// How dry and wet scenarios change the normals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaling {
    /// Relative change of rain, e.g. −0.4 for 40 % less.
    pub rain_scale: f64,
    /// Temperature shift, °C.
    pub temp_shift_c: f64,
}

impl Scaling {
    pub const DRY: Scaling = Scaling {
        rain_scale: -0.4,
        temp_shift_c: 1.0,
    };
    pub const WET: Scaling = Scaling {
        rain_scale: 0.4,
        temp_shift_c: -0.5,
    };
    pub const NONE: Scaling = Scaling {
        rain_scale: 0.0,
        temp_shift_c: 0.0,
    };
}

/// A scenario's daily series and what it was built from.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// One day per date from 1 January of the first year to 31 December of the last.
    pub days: Vec<WeatherDay>,
    /// The scaling applied to the normals (none for normal and file scenarios).
    pub scaling: Scaling,
    /// A file scenario: the file and the days it did not hold (filled from the normal year).
    pub file: Option<PathBuf>,
    pub filled_days: usize,
}

/// Why a scenario could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read the scenario file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Csv(#[from] crate::weather::ImportError),
    #[error(
        "scenario file {path} holds two rows for {month:02}-{day:02}; give one year of days (date,tmin_c,tmax_c,rain_mm)"
    )]
    Duplicate { path: String, month: u32, day: u32 },
}

/// The normals with rain scaled and temperatures shifted.
pub fn scaled_normals(n: &MonthlyNormals, s: Scaling) -> MonthlyNormals {
    let mut out = *n;
    for m in out.months.iter_mut() {
        m.precip_mm = (m.precip_mm * (1.0 + s.rain_scale)).max(0.0);
        m.tmax_c += s.temp_shift_c;
        m.tmin_c += s.temp_shift_c;
    }
    out
}

fn day(weather: DailyWeather, source: WeatherSource, file: Option<&str>) -> WeatherDay {
    WeatherDay {
        weather,
        source,
        rh_max_pct: None,
        rh_min_pct: None,
        wind_ms: None,
        sunshine_h: None,
        file: file.map(str::to_string),
    }
}

/// The normal-year series of `normals` over whole years `first..=last`.
fn normal_years(normals: &MonthlyNormals, first: i32, last: i32) -> Vec<WeatherDay> {
    (first..=last)
        .flat_map(|y| normal_year(normals, y))
        .map(|w| day(w, WeatherSource::Normal, None))
        .collect()
}

/// Builds the scenario's series over the calendar years `first..=last`.
pub fn build(
    kind: &ScenarioKind,
    normals: &MonthlyNormals,
    scaling: Option<Scaling>,
    first: i32,
    last: i32,
) -> Result<Scenario, ScenarioError> {
    match kind {
        ScenarioKind::Normal | ScenarioKind::Dry | ScenarioKind::Wet => {
            let s = scaling.unwrap_or(match kind {
                ScenarioKind::Dry => Scaling::DRY,
                ScenarioKind::Wet => Scaling::WET,
                _ => Scaling::NONE,
            });
            Ok(Scenario {
                name: kind.name(),
                days: normal_years(&scaled_normals(normals, s), first, last),
                scaling: s,
                file: None,
                filled_days: 0,
            })
        }
        ScenarioKind::File(path) => {
            let shown = path.display().to_string();
            let text = std::fs::read(path).map_err(|source| ScenarioError::Read {
                path: shown.clone(),
                source,
            })?;
            let rows = crate::weather::parse_weather_csv(&shown, text.as_slice())?;
            let mut by_md: HashMap<(u32, u32), &crate::weather::WeatherRecord> = HashMap::new();
            for r in &rows {
                let key = (r.date.month(), r.date.day());
                if by_md.insert(key, r).is_some() {
                    return Err(ScenarioError::Duplicate {
                        path: shown,
                        month: key.0,
                        day: key.1,
                    });
                }
            }
            let s = scaling.unwrap_or(Scaling::NONE);
            let mut filled = 0;
            let days = normal_years(normals, first, last)
                .into_iter()
                .map(|n| {
                    let d = n.date();
                    match by_md.get(&(d.month(), d.day())) {
                        Some(r) => {
                            let rain = (r.rain_mm * (1.0 + s.rain_scale)).max(0.0);
                            day(
                                DailyWeather {
                                    date: d,
                                    tmin_c: r.tmin_c + s.temp_shift_c,
                                    tmax_c: r.tmax_c + s.temp_shift_c,
                                    rain_mm: rain,
                                    peff_mm: daily_effective_rain(rain),
                                },
                                WeatherSource::Observed,
                                Some(&shown),
                            )
                        }
                        None => {
                            filled += 1;
                            n
                        }
                    }
                })
                .collect();
            Ok(Scenario {
                name: kind.name(),
                days,
                scaling: s,
                file: Some(path.clone()),
                filled_days: filled,
            })
        }
    }
}

/// Rain and effective rain of a series between two dates (inclusive), mm.
pub fn rain_between(days: &[WeatherDay], from: NaiveDate, to: NaiveDate) -> (f64, f64) {
    days.iter()
        .filter(|d| d.date() >= from && d.date() <= to)
        .fold((0.0, 0.0), |(r, p), d| {
            (r + d.weather.rain_mm, p + d.peff_mm())
        })
}
