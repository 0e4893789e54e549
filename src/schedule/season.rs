//! Seasons (month-day ranges that may wrap the year end), time-of-day windows (that may wrap
//! midnight) and short durations such as `14d` or `12h`, as written in rule files.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta};

/// Why a season, window or duration could not be read; the message says what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}': {reason}")]
pub struct SpanError {
    /// The text as written.
    pub value: String,
    /// What is wrong and what is expected instead.
    pub reason: String,
}

fn span_error(value: &str, reason: impl Into<String>) -> SpanError {
    SpanError {
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// A month and day of any year, `MM-DD`; `02-29` is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthDay {
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31 (checked against the month; February allows 29).
    pub day: u32,
}

impl MonthDay {
    /// The month-day of a date.
    pub fn of(date: NaiveDate) -> MonthDay {
        MonthDay {
            month: date.month(),
            day: date.day(),
        }
    }
}

impl FromStr for MonthDay {
    type Err = SpanError;
    fn from_str(s: &str) -> Result<Self, SpanError> {
        let bad = || span_error(s, "expected a month-day MM-DD, e.g. 03-31");
        let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        let day: u32 = d.parse().map_err(|_| bad())?;
        // 2000 is a leap year, so 02-29 is accepted.
        if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
            return Err(span_error(
                s,
                "no such day in any year (month 01-12, day within it)",
            ));
        }
        Ok(MonthDay { month, day })
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// A part of every year, `MM-DD..MM-DD`, both ends included; wraps the year end when the start
/// comes after the end (`11-01..03-31` is November to March).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Season {
    /// First day of the season.
    pub start: MonthDay,
    /// Last day of the season (included).
    pub end: MonthDay,
}

impl Season {
    /// Whether the date falls in the season (both ends included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        let md = MonthDay::of(date);
        if self.start <= self.end {
            self.start <= md && md <= self.end
        } else {
            md >= self.start || md <= self.end
        }
    }

    /// The first day on or after `date` that lies in the season (`date` itself when it does).
    pub fn next_in_season(&self, date: NaiveDate) -> NaiveDate {
        if self.contains(date) {
            return date;
        }
        // Outside the season, the next in-season day is the start day in this year or the
        // next; a 02-29 start waits for the next leap year (at most 8 years away).
        (date.year()..=date.year() + 8)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, self.start.month, self.start.day))
            .find(|d| *d > date)
            .expect("a month-day occurs within 8 years")
    }
}

impl FromStr for Season {
    type Err = SpanError;
    fn from_str(s: &str) -> Result<Self, SpanError> {
        let (a, b) = s.split_once("..").ok_or_else(|| {
            span_error(
                s,
                "expected a season MM-DD..MM-DD (it may wrap the year end), e.g. 11-01..03-31",
            )
        })?;
        let start: MonthDay = a
            .parse()
            .map_err(|e: SpanError| span_error(s, e.to_string()))?;
        let end: MonthDay = b
            .parse()
            .map_err(|e: SpanError| span_error(s, e.to_string()))?;
        Ok(Season { start, end })
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Allowed time of day, `HH:MM-HH:MM`, start included and end excluded; wraps midnight when the
/// start comes after the end (`22:00-05:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    /// First allowed time.
    pub start: NaiveTime,
    /// First time no longer allowed.
    pub end: NaiveTime,
}

impl TimeWindow {
    /// Whether the time of day lies in the window (`start <= t < end`, across midnight if wrapped).
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

impl FromStr for TimeWindow {
    type Err = SpanError;
    fn from_str(s: &str) -> Result<Self, SpanError> {
        let bad = || span_error(s, "expected a time window HH:MM-HH:MM, e.g. 00:00-05:00");
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let start = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
        let end = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
        if start == end {
            return Err(span_error(
                s,
                "the window is empty (start equals end); leave `window` out to allow the whole day",
            ));
        }
        Ok(TimeWindow { start, end })
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// A unit a duration may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `h`, hours.
    Hour,
    /// `d`, days.
    Day,
    /// `w`, weeks of 7 days.
    Week,
}

impl Unit {
    fn suffix(self) -> char {
        match self {
            Unit::Hour => 'h',
            Unit::Day => 'd',
            Unit::Week => 'w',
        }
    }
}

/// Reads a positive duration such as `14d`, `2w` or `12h`, accepting only the given units.
pub fn parse_duration(s: &str, units: &[Unit]) -> Result<TimeDelta, SpanError> {
    let allowed = units
        .iter()
        .map(|u| format!("N{}", u.suffix()))
        .collect::<Vec<_>>()
        .join(", ");
    let bad = || {
        span_error(
            s,
            format!("expected a positive whole number and a unit: {allowed}"),
        )
    };
    let t = s.trim();
    let suffix = t.chars().last().ok_or_else(bad)?;
    let unit = units
        .iter()
        .copied()
        .find(|u| u.suffix() == suffix.to_ascii_lowercase())
        .ok_or_else(bad)?;
    let n: i64 = t[..t.len() - suffix.len_utf8()]
        .trim()
        .parse()
        .map_err(|_| bad())?;
    if !(1..=100_000).contains(&n) {
        return Err(bad());
    }
    Ok(match unit {
        Unit::Hour => TimeDelta::hours(n),
        Unit::Day => TimeDelta::days(n),
        Unit::Week => TimeDelta::weeks(n),
    })
}

/// Writes a duration back in the largest unit that divides it (`14d`, `2w`, `12h`).
pub fn format_duration(d: TimeDelta) -> String {
    let h = d.num_hours();
    if h != 0 && h % (24 * 7) == 0 {
        format!("{}w", h / (24 * 7))
    } else if h % 24 == 0 {
        format!("{}d", h / 24)
    } else {
        format!("{h}h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn wrapping_season() {
        let s: Season = "11-01..03-31".parse().unwrap();
        assert!(s.contains(d(2025, 11, 1)));
        assert!(s.contains(d(2026, 1, 15)));
        assert!(s.contains(d(2026, 3, 31)));
        assert!(!s.contains(d(2026, 4, 1)));
        assert!(!s.contains(d(2026, 10, 31)));
        assert_eq!(s.next_in_season(d(2026, 6, 1)), d(2026, 11, 1));
        assert_eq!(s.to_string(), "11-01..03-31");
    }

    #[test]
    fn plain_season_and_leap_start() {
        let s: Season = "05-01..10-31".parse().unwrap();
        assert!(s.contains(d(2026, 5, 1)) && s.contains(d(2026, 10, 31)));
        assert!(!s.contains(d(2026, 4, 30)) && !s.contains(d(2026, 11, 1)));
        assert_eq!(s.next_in_season(d(2026, 11, 2)), d(2027, 5, 1));
        let leap: Season = "02-29..03-01".parse().unwrap();
        assert_eq!(leap.next_in_season(d(2025, 3, 2)), d(2028, 2, 29));
    }

    #[test]
    fn bad_seasons() {
        for bad in ["11-01", "13-01..03-31", "02-30..03-01", "spring", "1-1..x"] {
            assert!(bad.parse::<Season>().is_err(), "{bad}");
        }
    }

    #[test]
    fn windows() {
        let night: TimeWindow = "00:00-05:00".parse().unwrap();
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(night.contains(t(0, 0)) && night.contains(t(4, 59)));
        assert!(!night.contains(t(5, 0)) && !night.contains(t(23, 59)));
        let wrap: TimeWindow = "22:00-05:00".parse().unwrap();
        assert!(wrap.contains(t(23, 0)) && wrap.contains(t(1, 0)));
        assert!(!wrap.contains(t(12, 0)) && !wrap.contains(t(5, 0)));
        assert!("05:00-05:00".parse::<TimeWindow>().is_err());
        assert!("5-6".parse::<TimeWindow>().is_err());
    }

    #[test]
    fn durations() {
        let dw = [Unit::Day, Unit::Week];
        assert_eq!(parse_duration("14d", &dw).unwrap(), TimeDelta::days(14));
        assert_eq!(parse_duration("2w", &dw).unwrap(), TimeDelta::days(14));
        assert!(parse_duration("12h", &dw).is_err());
        assert!(parse_duration("0d", &dw).is_err());
        assert!(parse_duration("d", &dw).is_err());
        let dh = [Unit::Hour, Unit::Day];
        assert_eq!(parse_duration("12h", &dh).unwrap(), TimeDelta::hours(12));
        assert_eq!(format_duration(TimeDelta::days(14)), "2w");
        assert_eq!(format_duration(TimeDelta::days(3)), "3d");
        assert_eq!(format_duration(TimeDelta::hours(12)), "12h");
    }
}
