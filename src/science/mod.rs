//! Agronomy and entomology formulas: radiation, reference evapotranspiration, landscape water need,
//! the soil-water bucket and degree-days.
//!
//! Owns: pure numeric functions with their units and sources (FAO-56, UC IPM), one method per file.
//! Never: I/O, the database, the ECS world, dates from the clock. Callers pass numbers in, get numbers out.
//!
//! Formulas are plain functions returning `f64` rather than traits: each takes a handful of numbers
//! and there is one implementation per method, so a trait would add a name without adding a choice.

pub mod degree_days;
pub mod effective_rain;
pub mod hargreaves;
pub mod landscape;
pub mod normals;
pub mod penman_monteith;
pub mod radiation;
pub mod replanting;
pub mod water_balance;
pub mod weather;

/// Degree-days of one day, single sine or simple average, and their accumulation from a biofix.
pub use degree_days::{DegreeDayMethod, DegreeDayModel, simple_average, single_sine};
/// Effective rain: the daily 5 mm / 0.8 rule and the USDA-SCS monthly formula.
pub use effective_rain::{daily_effective_rain, scs_daily_share, scs_monthly_effective_rain};
/// Hargreaves–Samani ET0 (FAO-56 eq. 52) with an optional per-month calibration.
pub use hargreaves::{MonthlyCalibration, hargreaves_et0, hargreaves_et0_at};
/// Landscape coefficient KL and default bucket parameters per kind of planting.
pub use landscape::{BucketKind, BucketParams, establishment_factor, landscape_coefficient};
/// Monthly climate normals and the normal year of daily weather built from them.
pub use normals::{MonthlyNormals, NormalsError, normal_year, parse_normals};
/// FAO-56 Penman–Monteith ET0 (eq. 6) from temperature, humidity, wind and sunshine.
pub use penman_monteith::{PenmanMonteithInput, penman_monteith_et0};
/// Extraterrestrial radiation Ra (FAO-56 eq. 21) and daylight hours.
pub use radiation::{daylight_hours, extraterrestrial_radiation};
/// The soil-water bucket: daily depletion, watering trigger, litres, season runs.
pub use water_balance::{DayInput, Irrigation, Season, Watering, hargreaves_inputs, run_season};
/// One day of weather, the shared input of the water balance and degree-days.
pub use weather::DailyWeather;
