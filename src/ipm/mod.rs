//! Integrated pest management: the pests a site watches, when scouting and treatment windows
//! fall, scouting observations and the pesticide record.
//!
//! Owns: the pest file format ([`pests`]), window dates from the daily weather series
//! ([`window`]), the records of observations and applications ([`record`]).
//! Never: SQL (it asks `store`), printing, creating tasks (the scheduler turns windows and
//! observations over the action threshold into scouting and treatment tasks).
//!
//! IPM logic (DOMAIN.md section 3): a degree-day or calendar window first creates a scouting
//! task; a treatment follows only when the scouting observation is at or over the pest's action
//! threshold on the 0–3 severity scale.

pub mod pests;
pub mod record;
pub mod window;

use chrono::NaiveDate;

use crate::science::MonthlyNormals;
use crate::store::Reader;
use crate::weather::{WeatherError, daily_series_in};

pub use pests::{
    CalendarWindow, DdWindow, MonthDay, Pest, PestList, PestModel, PestNames, PestsError, Product,
    SprayHours, embedded_barkhor_pests, load_pests, parse_pests, pests_for_site,
};
pub use record::{ApplicationWeather, Observation, PesticideApplication, SEVERITY_MAX};
pub use window::{PestWindow, respray_rain, scouting_and_window};

/// The weather of `date` for a pesticide record: the imported day if there is one, else the
/// site's normal day (marked `normal`).
pub fn application_weather(
    read: &Reader<'_>,
    normals: &MonthlyNormals,
    date: NaiveDate,
) -> Result<Option<ApplicationWeather>, WeatherError> {
    Ok(daily_series_in(read, normals, date, date)?
        .first()
        .map(ApplicationWeather::from_day))
}
