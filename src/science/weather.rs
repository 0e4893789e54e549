//! One day of weather as the formulas take it: the shared input of the water balance and degree-days.
//!
//! Built by [`super::normals::normal_year`] from climate normals, or by a caller from observed or
//! forecast data (then `peff_mm` comes from [`super::effective_rain::daily_effective_rain`]).
//!
//! # Units
//!
//! - temperatures: °C, daily minimum and maximum air temperature
//! - rain and effective rain: mm/day, open sky (rain exposure is applied by the water balance)
//!
//! # Sources
//!
//! None: a plain record. See the modules that fill it.

use chrono::NaiveDate;

/// One day of weather.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyWeather {
    /// The calendar day.
    pub date: NaiveDate,
    /// Minimum air temperature, °C.
    pub tmin_c: f64,
    /// Maximum air temperature, °C.
    pub tmax_c: f64,
    /// Rain, mm.
    pub rain_mm: f64,
    /// Effective rain reaching the root zone under open sky, mm.
    pub peff_mm: f64,
}
