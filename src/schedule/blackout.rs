//! Blackout moves: a due time that falls on a site blackout day (a festival, a closed square)
//! moves to the first allowed day after it, at the same wall-clock time.

use chrono::{DateTime, NaiveDate, TimeDelta};
use chrono_tz::Tz;

use super::cron::resolve_local;

/// Moves `due` out of the blackouts: each `(first, last)` is an inclusive range of local days
/// (a range with `last` before `first` is empty). A due time on a blackout day moves to the
/// first day after it that no range covers, at the same time of day (resolved with
/// [`resolve_local`] should that time not exist there). A due time outside every range is
/// returned unchanged.
pub fn apply_blackouts(due: DateTime<Tz>, blackouts: &[(NaiveDate, NaiveDate)]) -> DateTime<Tz> {
    let mut day = due.date_naive();
    // Each move passes the end of one range, so there are at most as many moves as ranges.
    for _ in 0..=blackouts.len() {
        match blackouts
            .iter()
            .filter(|(first, last)| *first <= day && day <= *last)
            .map(|(_, last)| *last)
            .max()
        {
            Some(last) => day = last + TimeDelta::days(1),
            None => break,
        }
    }
    if day == due.date_naive() {
        return due;
    }
    resolve_local(due.timezone(), day.and_time(due.time()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn outside_is_unchanged_and_inside_moves() {
        let tz = chrono_tz::Asia::Shanghai;
        let due = tz.with_ymd_and_hms(2026, 8, 20, 7, 0, 0).unwrap();
        let shoton = [(d(2026, 8, 19), d(2026, 8, 22))];
        assert_eq!(
            apply_blackouts(due, &shoton).to_rfc3339(),
            "2026-08-23T07:00:00+08:00"
        );
        let before = tz.with_ymd_and_hms(2026, 8, 18, 7, 0, 0).unwrap();
        assert_eq!(apply_blackouts(before, &shoton), before);
    }
}
