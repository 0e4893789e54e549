//! When a pest's window opens and closes in a year, and when scouting is due before it.
//!
//! - Degree-day pests: degree-days accumulate with [`crate::science::degree_days`] from the
//!   biofix (included) over the days of the series in that year; the window opens on the first
//!   day the total reaches the start and closes on the first day it reaches the end (or on the
//!   last day of the series in that year if it never does); scouting is due on the first day the
//!   total reaches start − lead (the biofix itself when the lead is larger than the start).
//! - Calendar pests: the window's dates in that year; scouting is due `lead` days before it opens.
//!
//! Pure: the caller passes the series (usually [`crate::weather::year_series`]: observed and
//! forecast days where imported, the normal year elsewhere). The series must be contiguous.

use chrono::{Datelike, Days, NaiveDate};

use super::pests::{Pest, PestModel};
use crate::science::DailyWeather;
use crate::weather::{WeatherDay, WeatherSource, day_on};

/// A pest's dates in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PestWindow {
    /// The day the scouting visit is due.
    pub scout_on: NaiveDate,
    /// First day of the window.
    pub opens: NaiveDate,
    /// Last day of the window.
    pub closes: NaiveDate,
}

/// The scouting day and the window of `pest` in `year`; `None` when the series never reaches the
/// opening degree-days that year (or the year cannot hold the dates).
pub fn scouting_and_window(pest: &Pest, series: &[WeatherDay], year: i32) -> Option<PestWindow> {
    match &pest.model {
        PestModel::Calendar(c) => {
            let opens = c.opens.in_year(year)?;
            Some(PestWindow {
                scout_on: opens.checked_sub_days(Days::new(u64::from(c.scouting_lead_days)))?,
                opens,
                closes: c.closes.in_year(year)?,
            })
        }
        PestModel::DegreeDays(w) => {
            let biofix = w.biofix.in_year(year)?;
            let days: Vec<DailyWeather> = series
                .iter()
                .filter(|d| d.date().year() == year && d.date() >= biofix)
                .map(|d| d.weather)
                .collect();
            let totals = w.model.accumulate(&days, biofix);
            let reaching = |dd: f64| totals.iter().find(|(_, t)| *t >= dd).map(|(d, _)| *d);
            let opens = reaching(w.start_dd)?;
            let scout_on = reaching((w.start_dd - w.scouting_lead_dd).max(0.0)).unwrap_or(opens);
            let closes = reaching(w.end_dd).or(totals.last().map(|(d, _)| *d))?;
            Some(PestWindow {
                scout_on,
                opens,
                closes,
            })
        }
    }
}

/// Rain on the night of a treatment on `applied_on` that calls for a re-spray: the day's rain
/// when it is observed or forecast and at least the pest's `respray_rain_mm`. Normal days never
/// call for one (a climate normal says nothing about that night).
///
/// The site's rule is "re-spray if it rains within 4 h of spraying"; with daily weather and night
/// spraying (00:00–05:00) the rain of the treatment's day stands in for it.
pub fn respray_rain(pest: &Pest, series: &[WeatherDay], applied_on: NaiveDate) -> Option<f64> {
    let day = day_on(series, applied_on)?;
    (day.source != WeatherSource::Normal && day.weather.rain_mm >= pest.respray_rain_mm)
        .then_some(day.weather.rain_mm)
}
