//! Dates as inventories write them: ISO `2010-04-03`, day first `3/4/2010`, month first
//! `4/3/2010`, a bare year `2010` (OSM `start_date`), with or without a time after the date.
//!
//! A day-first or month-first date whose two leading numbers are both 12 or less (`03/04/2010`)
//! is refused as ambiguous unless the caller says the order (`--date-format dmy|mdy`).
//! Placeholders that databases write for "no date" (`1/01/1900`, `1899-12-30`, `1970-01-01`,
//! `0000-00-00`, ...) and null markers (`n/a`, `unknown`, `-`) read as unknown, never as a date.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// The order of a date written with the year last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// Day, month, year: `3/4/2010` is 3 April 2010.
    Dmy,
    /// Month, day, year: `3/4/2010` is March 4, 2010.
    Mdy,
}

impl FromStr for DateOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let norm: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        match norm.as_str() {
            "dmy" | "ddmmyyyy" | "ddmmyy" | "dmyyyy" | "dayfirst" => Ok(DateOrder::Dmy),
            "mdy" | "mmddyyyy" | "mmddyy" | "mdyyyy" | "monthfirst" => Ok(DateOrder::Mdy),
            _ => Err(format!(
                "'{s}' is not a date order; use dmy (day/month/year) or mdy (month/day/year)"
            )),
        }
    }
}

impl fmt::Display for DateOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
        })
    }
}

/// A value that is not a usable date.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DateError {
    #[error(
        "'{text}' is ambiguous: {} (day first) or {} (month first); pass --date-format dmy or --date-format mdy",
        .day_first.format("%-d %B %Y"),
        .month_first.format("%B %-d, %Y")
    )]
    Ambiguous {
        text: String,
        day_first: NaiveDate,
        month_first: NaiveDate,
    },
    #[error("'{text}' is not a date (write YYYY-MM-DD, D/M/YYYY or M/D/YYYY)")]
    NotADate { text: String },
    #[error("'{text}' is not a valid date{}", match .order {
        Some(DateOrder::Dmy) => " (read as day/month/year)",
        Some(DateOrder::Mdy) => " (read as month/day/year)",
        None => "",
    })]
    Invalid {
        text: String,
        order: Option<DateOrder>,
    },
}

/// Text that stands for "no value" in inventories (compared case-insensitively).
pub const NULL_MARKERS: &[&str] = &["", "-", "--", "?", "na", "n/a", "null", "none", "unknown"];

/// Whether a cell is empty or a null marker.
pub fn is_blank(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || (t.len() <= 7 && NULL_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(t)))
}

/// Dates that databases and spreadsheets write when the real date is unknown.
pub fn is_placeholder(d: NaiveDate) -> bool {
    use chrono::Datelike;
    matches!(
        (d.year(), d.month(), d.day()),
        (1900, 1, 1) | (1899, 12, 30) | (1899, 12, 31) | (1970, 1, 1) | (1, 1, 1) | (9999, 12, 31)
    )
}

/// Reads a date. `Ok(None)` for an empty cell, a null marker or a placeholder.
pub fn parse_date(text: &str, order: Option<DateOrder>) -> Result<Option<NaiveDate>, DateError> {
    let t = text.trim();
    if is_blank(t) {
        return Ok(None);
    }
    let not_a_date = || DateError::NotADate {
        text: t.to_string(),
    };
    // Drop a time of day: `2015-05-19T00:00:00`, `5/19/2015 12:00:00 AM`.
    let date_part = t.split(['T', ' ']).next().unwrap_or(t);
    if date_part
        .chars()
        .all(|c| c == '0' || matches!(c, '-' | '/' | '.'))
    {
        return Ok(None); // 0000-00-00, 00/00/0000
    }
    let mut parts = [0u32; 3];
    let mut widths = [0usize; 3];
    let mut n = 0;
    for p in date_part.split(['-', '/', '.']) {
        if n == 3 || p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_a_date());
        }
        parts[n] = p.parse().map_err(|_| not_a_date())?;
        widths[n] = p.len();
        n += 1;
    }
    let ymd = |y: u32, m: u32, d: u32| {
        i32::try_from(y)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
    };
    let invalid = |order| DateError::Invalid {
        text: t.to_string(),
        order,
    };
    let date = match (n, widths) {
        // 2010 (OSM start_date) and 20100403
        (1, [4, ..]) => ymd(parts[0], 1, 1).ok_or_else(not_a_date)?,
        (1, [8, ..]) => ymd(parts[0] / 10000, parts[0] / 100 % 100, parts[0] % 100)
            .ok_or_else(|| invalid(None))?,
        // 2010-04
        (2, [4, 1 | 2, _]) => ymd(parts[0], parts[1], 1).ok_or_else(|| invalid(None))?,
        // 2010-04-03, 2010/04/03
        (3, [4, 1 | 2, 1 | 2]) => ymd(parts[0], parts[1], parts[2]).ok_or_else(|| invalid(None))?,
        // 3/4/2010
        (3, [1 | 2, 1 | 2, 4]) => {
            let (a, b, y) = (parts[0], parts[1], parts[2]);
            match order {
                Some(DateOrder::Dmy) => ymd(y, b, a).ok_or_else(|| invalid(order))?,
                Some(DateOrder::Mdy) => ymd(y, a, b).ok_or_else(|| invalid(order))?,
                None => match (ymd(y, b, a), ymd(y, a, b)) {
                    (Some(d), Some(m)) if d != m => {
                        return Err(DateError::Ambiguous {
                            text: t.to_string(),
                            day_first: d,
                            month_first: m,
                        });
                    }
                    (Some(d), _) => d,
                    (None, Some(m)) => m,
                    (None, None) => return Err(invalid(None)),
                },
            }
        }
        _ => return Err(not_a_date()),
    };
    Ok((!is_placeholder(date)).then_some(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn iso_year_first_and_bare_years() {
        assert_eq!(parse_date("2010-04-03", None), Ok(d(2010, 4, 3)));
        assert_eq!(parse_date("2010/4/3", None), Ok(d(2010, 4, 3)));
        assert_eq!(
            parse_date("2015-05-19T00:00:00.000", None),
            Ok(d(2015, 5, 19))
        );
        assert_eq!(parse_date("2010", None), Ok(d(2010, 1, 1)));
        assert_eq!(parse_date("2010-04", None), Ok(d(2010, 4, 1)));
        assert_eq!(parse_date("20100403", None), Ok(d(2010, 4, 3)));
        // The order flag does not change year-first dates.
        assert_eq!(
            parse_date("2010-04-03", Some(DateOrder::Mdy)),
            Ok(d(2010, 4, 3))
        );
    }

    #[test]
    fn day_and_month_first() {
        // Unambiguous without a flag.
        assert_eq!(parse_date("25/12/2010", None), Ok(d(2010, 12, 25)));
        assert_eq!(parse_date("5/19/2015", None), Ok(d(2015, 5, 19)));
        assert_eq!(
            parse_date("05/19/2015 12:00:00 AM", None),
            Ok(d(2015, 5, 19))
        );
        assert_eq!(parse_date("4.4.2010", None), Ok(d(2010, 4, 4)));
        // Ambiguous: refused without a flag, read by the flag.
        let e = parse_date("03/04/2010", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'03/04/2010' is ambiguous: 3 April 2010 (day first) or March 4, 2010 (month first); pass --date-format dmy or --date-format mdy"
        );
        assert_eq!(
            parse_date("03/04/2010", Some(DateOrder::Dmy)),
            Ok(d(2010, 4, 3))
        );
        assert_eq!(
            parse_date("03/04/2010", Some(DateOrder::Mdy)),
            Ok(d(2010, 3, 4))
        );
        // A flag that contradicts the value is an error, not a silent swap.
        assert_eq!(
            parse_date("5/19/2015", Some(DateOrder::Dmy))
                .unwrap_err()
                .to_string(),
            "'5/19/2015' is not a valid date (read as day/month/year)"
        );
    }

    #[test]
    fn placeholders_and_null_markers_are_unknown() {
        for t in [
            "1/01/1900",
            "01/01/1900",
            "1900-01-01",
            "1899-12-30",
            "1970-01-01",
            "0000-00-00",
            "00/00/0000",
            "9999-12-31",
            "",
            "  ",
            "N/A",
            "unknown",
            "-",
            "None",
        ] {
            assert_eq!(parse_date(t, None), Ok(None), "{t:?}");
        }
    }

    #[test]
    fn unreadable_dates_are_refused() {
        for t in [
            "3/4/10",
            "yesterday",
            "2010-13-01",
            "31/31/2010",
            "1/2/3/2010",
            "~1950",
        ] {
            assert!(parse_date(t, None).is_err(), "{t}");
        }
        assert_eq!(
            parse_date("spring 2010", None).unwrap_err().to_string(),
            "'spring 2010' is not a date (write YYYY-MM-DD, D/M/YYYY or M/D/YYYY)"
        );
    }

    #[test]
    fn orders_parse_from_common_spellings() {
        for s in ["dmy", "DMY", "d/m/Y", "dd/mm/yyyy", "day-first"] {
            assert_eq!(s.parse::<DateOrder>(), Ok(DateOrder::Dmy), "{s}");
        }
        for s in ["mdy", "m/d/Y", "MM/DD/YYYY"] {
            assert_eq!(s.parse::<DateOrder>(), Ok(DateOrder::Mdy), "{s}");
        }
        assert!("ymd".parse::<DateOrder>().is_err());
    }
}
