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
    /// Checked at each cron occurrence: the soil-water balance of each asset is advanced with the
    /// weather, and a watering task is created only when depletion reaches MAD × TAW.
    WaterNeed {
        /// The check time expression.
        expr: String,
        schedule: CronSchedule,
        /// Bucket parameters (defaults of the kind named by `water_need`, with overrides).
        bucket: crate::science::BucketParams,
    },
    /// Scouting of the pest's hosts a lead before its degree-day or calendar window opens;
    /// treatment only after an observation at or over the action threshold (pests.toml).
    PestWindow {
        /// Pest id in pests.toml.
        pest: String,
    },
    /// A replanting set of the flower boxes, on the weather condition of the set.
    Replanting {
        set: ReplantingSet,
        /// Plants per 100 cm² of box surface.
        seedlings_per_100_cm2: f64,
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
            Trigger::WaterNeed { expr, .. } => format!("water need, checked at cron {expr}"),
            Trigger::PestWindow { pest } => format!("pest window of {pest}"),
            Trigger::Replanting { set, .. } => format!("{} replanting set", set.as_str()),
            Trigger::Interval { every, start } => match start {
                Some(s) => format!("every {} from {s}", format_duration(*every)),
                None => format!("every {}", format_duration(*every)),
            },
        }
    }
}

/// The replanting sets of the flower boxes (DOMAIN.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplantingSet {
    /// Not before 10 April, once 5 days running have a mean ≥ 5 °C.
    Spring,
    /// Not before 10 May, once the 10-day forecast minimum stays ≥ 2 °C.
    Summer,
    /// 1 September, or earlier on a forecast frost.
    Autumn,
    /// Refreshes before the site's festivals (Shoton, 1 October).
    Festival,
}

impl ReplantingSet {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplantingSet::Spring => "spring",
            ReplantingSet::Summer => "summer",
            ReplantingSet::Autumn => "autumn",
            ReplantingSet::Festival => "festival",
        }
    }
}

impl std::str::FromStr for ReplantingSet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "spring" => ReplantingSet::Spring,
            "summer" => ReplantingSet::Summer,
            "autumn" => ReplantingSet::Autumn,
            "festival" => ReplantingSet::Festival,
            _ => return Err("use one of: spring, summer, autumn, festival".to_string()),
        })
    }
}

/// The bucket kind named by a rule's `water_need`.
pub fn bucket_kind(name: &str) -> Result<crate::science::landscape::BucketKind, String> {
    use crate::science::landscape::BucketKind;
    Ok(
        match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "flower_box" | "box" => BucketKind::FlowerBox,
            "street_tree" | "street_tree_pit" => BucketKind::StreetTreePit,
            "park_tree" => BucketKind::ParkTree,
            "lawn" => BucketKind::Lawn,
            "conifer_bed" => BucketKind::ConiferBed,
            _ => {
                return Err(
                    "use one of: flower_box, street_tree, park_tree, lawn, conifer_bed".to_string(),
                );
            }
        },
    )
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
