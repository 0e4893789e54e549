//! Cron expressions: 5-field parsing with croner and evaluation in a site's time zone.
//!
//! # What croner 4.0.3 does natively
//!
//! - Fields, names (`MON`, `JAN`), ranges, steps, lists, `L`, `W`, `#`, `?`, the `+` prefix on
//!   day-of-week (AND instead of OR) and the `@yearly`/`@annually`/`@monthly`/`@weekly`/`@daily`/
//!   `@hourly` macros.
//! - Day-of-month and day-of-week are ORed when both are restricted (Vixie cron). croner counts a
//!   field as unrestricted only when it is exactly `*` (or `?`): `*/2` is restricted.
//! - Evaluation in any `chrono` time zone, with the DST semantics this module promises: a
//!   *fixed-time* job (second, minute and hour each a single value; with 5 fields the second is
//!   always 0) whose wall-clock time falls in a gap runs at the first valid time after the gap on
//!   the same day, and runs once (in the first pass) in a repeated hour; any other job skips
//!   wall-clock times that do not exist and runs in each pass of a repeated hour, the first pass
//!   wholly before the second.
//!
//! # What this module adds around it
//!
//! - Exactly 5 fields (or a macro): croner would also take 6 or 7 fields (seconds, years); we
//!   refuse them with "expected 5 fields" before croner sees them, and unknown `@` macros with a
//!   list of the known ones.
//! - An expression that can never fire (such as `0 0 30 2 *`) is refused at parse time: croner
//!   parses it and would only fail at search time, after walking to the year 5000. We search one
//!   400-year Gregorian cycle, after which every calendar pattern repeats.
//! - Searches never print (croner's own iterator writes errors to stderr) and stop at a bound.
//! - A search over `[from, to)` starts one second before `from`, so a fixed-time job moved past a
//!   DST gap to exactly `from` is still found (croner's inclusive search starting at the moved
//!   time would not see it, since that wall-clock time does not match the pattern).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds, Year};
use croner::{Cron, JobType};

/// The zone used when none is given: the Barkhor site in Lhasa (UTC+8, no DST).
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// The `@` macros croner knows, with the expressions they stand for.
pub const MACROS: &[(&str, &str)] = &[
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * SUN"),
    ("@daily", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

/// Why a cron expression or a time zone was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    /// The expression does not parse, has the wrong number of fields, or can never fire.
    #[error("invalid cron expression '{expr}': {reason}")]
    InvalidCron { expr: String, reason: String },
    /// The time zone is not an IANA name chrono-tz knows.
    #[error(
        "unknown time zone '{zone}'; give an IANA name such as Asia/Shanghai, Europe/Berlin or UTC"
    )]
    UnknownZone { zone: String },
}

/// A checked 5-field cron expression, evaluated in whatever zone the times given to it carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    expr: String,
    /// Shared: croner's pattern is a few hundred bytes and rules are cloned freely.
    cron: Arc<Cron>,
}

impl CronSchedule {
    /// Parses and checks a 5-field expression or an `@` macro; refuses expressions that never fire.
    pub fn parse(expr: &str) -> Result<CronSchedule, CronError> {
        let invalid = |reason: String| CronError::InvalidCron {
            expr: expr.to_string(),
            reason,
        };
        let text = expr.trim();
        if text.starts_with('@') {
            if !MACROS.iter().any(|(m, _)| m.eq_ignore_ascii_case(text)) {
                let known = MACROS.iter().map(|(m, _)| *m).collect::<Vec<_>>();
                return Err(invalid(format!(
                    "unknown macro; use one of {}",
                    known.join(", ")
                )));
            }
        } else {
            let n = text.split_whitespace().count();
            if n != 5 {
                let extra = match n {
                    6 => "; seconds are not supported",
                    7 => "; seconds and years are not supported",
                    _ => "",
                };
                return Err(invalid(format!(
                    "expected 5 fields (minute hour day-of-month month day-of-week), found {n}{extra}"
                )));
            }
        }
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser
            .parse(text)
            .map_err(|e| invalid(with_field(&parser, text, e.to_string())))?;
        // Every calendar pattern repeats after 400 Gregorian years, so a pattern with no match
        // from 2000-01-01 to 2399-12-31 has none at all.
        let origin = NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("valid date");
        let fires = cron
            .find_next_occurrence(&origin, true)
            .is_ok_and(|t| t < origin + TimeDelta::days(146_097));
        if !fires {
            return Err(invalid(
                "it can never fire: no date matches its day-of-month, month and day-of-week \
                 (e.g. 30 or 31 February); check the day against the month"
                    .to_string(),
            ));
        }
        Ok(CronSchedule {
            expr: expr.to_string(),
            cron: Arc::new(cron),
        })
    }

    /// The expression as written.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// Whether minute and hour are each a single value (croner's "fixed-time job"), which
    /// decides the DST behaviour (see the module documentation).
    pub fn is_fixed_time(&self) -> bool {
        self.cron.determine_job_type() == JobType::FixedTime
    }

    /// Every wall-clock time of day (hour and minute) the expression can fire at, in order.
    pub fn times_of_day(&self) -> Vec<NaiveTime> {
        let p = &self.cron.pattern;
        let mut out = Vec::new();
        for h in 0..24 {
            if !p.hour_match(h).unwrap_or(false) {
                continue;
            }
            for m in 0..60 {
                if p.minute_match(m).unwrap_or(false) {
                    out.extend(NaiveTime::from_hms_opt(h, m, 0));
                }
            }
        }
        out
    }

    /// The first occurrence strictly after `after`, in `after`'s zone; `None` past the year 5000.
    pub fn next_after(&self, after: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        self.cron.find_next_occurrence(after, false).ok()
    }

    /// The occurrences strictly after `after`, in order (a fixed-time job moved past a DST gap
    /// included once; each pass of a repeated hour for other jobs).
    pub fn iter_after(&self, after: DateTime<Tz>) -> impl Iterator<Item = DateTime<Tz>> + '_ {
        std::iter::successors(self.next_after(&after), move |t| self.next_after(t))
    }

    /// The occurrences in `[from, to)`. The caller bounds the size: `* * * * *` over a year is
    /// half a million times.
    pub fn between(&self, from: &DateTime<Tz>, to: &DateTime<Tz>) -> Vec<DateTime<Tz>> {
        // One second before `from`: see the module documentation.
        let start = *from - TimeDelta::seconds(1);
        self.iter_after(start)
            .skip_while(|t| t < from)
            .take_while(|t| t < to)
            .collect()
    }
}

impl FromStr for CronSchedule {
    type Err = CronError;
    fn from_str(s: &str) -> Result<Self, CronError> {
        CronSchedule::parse(s)
    }
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expr)
    }
}

/// The names of the 5 fields, in order.
const FIELDS: [&str; 5] = ["minute", "hour", "day-of-month", "month", "day-of-week"];

/// croner's reasons do not say which field is wrong: find the first field that fails alone
/// (the others `*`) and name it.
fn with_field(parser: &CronParser, text: &str, reason: String) -> String {
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.len() != FIELDS.len() {
        return reason;
    }
    for (i, part) in parts.iter().enumerate() {
        let mut probe = ["*"; 5];
        probe[i] = part;
        if parser.parse(&probe.join(" ")).is_err() {
            return format!("{} field '{part}': {reason}", FIELDS[i]);
        }
    }
    reason
}

/// Reads an IANA time zone name (`Asia/Shanghai`, `Europe/Berlin`, `UTC`).
pub fn parse_zone(name: &str) -> Result<Tz, CronError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| CronError::UnknownZone {
            zone: name.to_string(),
        })
}

/// A wall-clock time in `tz`: the earlier instant of a repeated time, the first valid minute
/// after a gap for a time that does not exist (the rule croner applies to fixed-time jobs).
pub fn resolve_local(tz: Tz, naive: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t,
        LocalResult::None => {
            let minute = naive.date().and_time(
                NaiveTime::from_hms_opt(
                    chrono::Timelike::hour(&naive),
                    chrono::Timelike::minute(&naive),
                    0,
                )
                .expect("valid time"),
            );
            // Gaps last at most a few hours; a day of minutes is far more than enough.
            (1..=24 * 60)
                .find_map(|i| {
                    tz.from_local_datetime(&(minute + TimeDelta::minutes(i)))
                        .earliest()
                })
                .expect("a time zone gap lasts less than a day")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_fields_are_refused() {
        let e = CronSchedule::parse("0 0 7 * * *").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid cron expression '0 0 7 * * *': expected 5 fields (minute hour day-of-month \
             month day-of-week), found 6; seconds are not supported"
        );
    }

    #[test]
    fn times_of_day_lists_hour_minute_pairs() {
        let c = CronSchedule::parse("0,30 1-2 * * *").unwrap();
        let t: Vec<String> = c
            .times_of_day()
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        assert_eq!(t, ["01:00", "01:30", "02:00", "02:30"]);
        assert!(!c.is_fixed_time());
        assert!(CronSchedule::parse("0 7 * * *").unwrap().is_fixed_time());
    }

    #[test]
    fn resolve_local_moves_out_of_a_gap() {
        let ny = chrono_tz::America::New_York;
        let naive = NaiveDate::from_ymd_opt(2024, 3, 10)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(ny, naive).to_rfc3339(),
            "2024-03-10T03:00:00-04:00"
        );
        let fold = NaiveDate::from_ymd_opt(2024, 11, 3)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(ny, fold).to_rfc3339(),
            "2024-11-03T01:30:00-04:00"
        );
    }
}
