//! What makes a rule due: a cron expression or a fixed interval since the last completion.
//!
//! The set is open: later variants will add `WaterNeed { .. }` (soil-water balance),
//! `PestWindow { .. }` (degree-day or calendar pest windows) and `WeatherCondition { .. }`
//! (gusts, wet snow, frost). Match with a `_` arm outside this crate.

use chrono::{NaiveDate, TimeDelta};

use super::cron::CronSchedule;
use super::season::format_duration;

/// What makes a rule due.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Trigger {
    /// Due at each occurrence of a 5-field cron expression in the site zone.
    Cron {
        /// The expression as written in the rule.
        expr: String,
        /// The parsed, checked expression.
        schedule: CronSchedule,
    },
    /// Due `every` (whole days) after the last completion; first due on `start`.
    Interval {
        /// Whole days between completion and the next due date.
        every: TimeDelta,
        /// First due date when nothing was completed yet; `None` means due at once.
        start: Option<NaiveDate>,
    },
}

impl Trigger {
    /// A short text form: the cron expression, or `every 14d from 2026-03-01`.
    pub fn describe(&self) -> String {
        match self {
            Trigger::Cron { expr, .. } => format!("cron {expr}"),
            Trigger::Interval { every, start } => match start {
                Some(s) => format!("every {} from {s}", format_duration(*every)),
                None => format!("every {}", format_duration(*every)),
            },
        }
    }
}

/// The next due date of an interval trigger: `last_completion + every`; without a completion,
/// `start`, or `today` when there is no start either.
pub fn next_interval_due(
    every: TimeDelta,
    start: Option<NaiveDate>,
    last_completion: Option<NaiveDate>,
    today: NaiveDate,
) -> NaiveDate {
    match (last_completion, start) {
        (Some(done), _) => done + every,
        (None, Some(start)) => start,
        (None, None) => today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn interval_due_dates() {
        let every = TimeDelta::days(14);
        let today = d(2026, 3, 5);
        assert_eq!(
            next_interval_due(every, Some(d(2026, 3, 1)), None, today),
            d(2026, 3, 1)
        );
        assert_eq!(
            next_interval_due(every, Some(d(2026, 3, 1)), Some(d(2026, 3, 20)), today),
            d(2026, 4, 3)
        );
        assert_eq!(next_interval_due(every, None, None, today), today);
        assert_eq!(
            next_interval_due(TimeDelta::weeks(1), None, Some(d(2026, 12, 28)), today),
            d(2027, 1, 4)
        );
    }
}
