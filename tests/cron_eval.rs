//! Cron evaluation: field syntax, OR of the day fields, impossible dates, DST, zones.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use greenward::schedule::cron::{CronError, CronSchedule};

const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;
const NEW_YORK: Tz = chrono_tz::America::New_York;
const BERLIN: Tz = chrono_tz::Europe::Berlin;

fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Tz> {
    tz.from_local_datetime(
        &NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap(),
    )
    .earliest()
    .unwrap()
}

/// The first `n` occurrences strictly after `from`, as RFC 3339 with offset.
fn next(expr: &str, from: DateTime<Tz>, n: usize) -> Vec<String> {
    CronSchedule::parse(expr)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter_after(from)
        .take(n)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
        .collect()
}

/// Occurrences in `[from, to)`.
fn between(expr: &str, from: DateTime<Tz>, to: DateTime<Tz>) -> Vec<String> {
    CronSchedule::parse(expr)
        .unwrap()
        .between(&from, &to)
        .iter()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
        .collect()
}

fn reason(expr: &str) -> String {
    match CronSchedule::parse(expr) {
        Err(CronError::InvalidCron { expr: e, reason }) => {
            assert_eq!(e, expr);
            reason
        }
        other => panic!("{expr}: expected InvalidCron, got {other:?}"),
    }
}

#[test]
fn day_of_month_and_day_of_week_are_ored() {
    // January 2026: Fridays are the 2nd, 9th, 16th, 23rd, 30th; the 13th is a Tuesday.
    assert_eq!(
        next("0 0 13 * FRI", at(SHANGHAI, 2026, 1, 1, 0, 0), 7),
        [
            "2026-01-02T00:00:00+08:00",
            "2026-01-09T00:00:00+08:00",
            "2026-01-13T00:00:00+08:00",
            "2026-01-16T00:00:00+08:00",
            "2026-01-23T00:00:00+08:00",
            "2026-01-30T00:00:00+08:00",
            "2026-02-06T00:00:00+08:00",
        ]
    );
}

#[test]
fn a_stepped_day_of_month_counts_as_restricted() {
    // croner ORs `*/10` (days 1, 11, 21, 31) with Mondays (4, 11, 18, 25 May 2026).
    assert_eq!(
        next("0 0 */10 * MON", at(SHANGHAI, 2026, 5, 1, 0, 0), 6),
        [
            "2026-05-04T00:00:00+08:00",
            "2026-05-11T00:00:00+08:00",
            "2026-05-18T00:00:00+08:00",
            "2026-05-21T00:00:00+08:00",
            "2026-05-25T00:00:00+08:00",
            "2026-05-31T00:00:00+08:00",
        ]
    );
}

#[test]
fn plus_prefix_ands_the_day_fields() {
    // Friday the 13th: February, March and November 2026.
    assert_eq!(
        next("0 0 13 * +FRI", at(SHANGHAI, 2026, 1, 1, 0, 0), 3),
        [
            "2026-02-13T00:00:00+08:00",
            "2026-03-13T00:00:00+08:00",
            "2026-11-13T00:00:00+08:00",
        ]
    );
}

#[test]
fn a_restricted_field_alone_is_not_ored_with_a_star() {
    // Only day-of-week restricted: Mondays only (not every day).
    assert_eq!(
        next("30 6 * * MON", at(SHANGHAI, 2026, 5, 1, 0, 0), 3),
        [
            "2026-05-04T06:30:00+08:00",
            "2026-05-11T06:30:00+08:00",
            "2026-05-18T06:30:00+08:00",
        ]
    );
}

#[test]
fn ranges_steps_and_lists() {
    assert_eq!(
        next("*/20 9-10 * * *", at(SHANGHAI, 2026, 5, 1, 0, 0), 7),
        [
            "2026-05-01T09:00:00+08:00",
            "2026-05-01T09:20:00+08:00",
            "2026-05-01T09:40:00+08:00",
            "2026-05-01T10:00:00+08:00",
            "2026-05-01T10:20:00+08:00",
            "2026-05-01T10:40:00+08:00",
            "2026-05-02T09:00:00+08:00",
        ]
    );
    assert_eq!(
        next("0 7 1,15 MAR-MAY/2 *", at(SHANGHAI, 2026, 1, 1, 0, 0), 5),
        [
            "2026-03-01T07:00:00+08:00",
            "2026-03-15T07:00:00+08:00",
            "2026-05-01T07:00:00+08:00",
            "2026-05-15T07:00:00+08:00",
            "2027-03-01T07:00:00+08:00",
        ]
    );
    // Weekday range with names: Monday to Friday.
    assert_eq!(
        next("0 8 * * MON-FRI", at(SHANGHAI, 2026, 5, 8, 12, 0), 2),
        ["2026-05-11T08:00:00+08:00", "2026-05-12T08:00:00+08:00"]
    );
}

#[test]
fn macros() {
    let from = at(SHANGHAI, 2026, 5, 6, 12, 0); // a Wednesday
    assert_eq!(next("@hourly", from, 1), ["2026-05-06T13:00:00+08:00"]);
    assert_eq!(next("@daily", from, 1), ["2026-05-07T00:00:00+08:00"]);
    assert_eq!(next("@weekly", from, 1), ["2026-05-10T00:00:00+08:00"]);
    assert_eq!(next("@monthly", from, 1), ["2026-06-01T00:00:00+08:00"]);
    assert_eq!(next("@yearly", from, 1), ["2027-01-01T00:00:00+08:00"]);
    assert_eq!(next("@annually", from, 1), ["2027-01-01T00:00:00+08:00"]);
    assert!(reason("@fortnightly").contains("unknown macro"));
}

#[test]
fn last_day_of_month() {
    assert_eq!(
        next("0 18 L * *", at(SHANGHAI, 2026, 1, 1, 0, 0), 4),
        [
            "2026-01-31T18:00:00+08:00",
            "2026-02-28T18:00:00+08:00",
            "2026-03-31T18:00:00+08:00",
            "2026-04-30T18:00:00+08:00",
        ]
    );
    assert_eq!(
        next("0 18 L 2 *", at(SHANGHAI, 2027, 3, 1, 0, 0), 1),
        ["2028-02-29T18:00:00+08:00"]
    );
}

#[test]
fn nearest_weekday() {
    // 15 Feb 2026 is a Sunday → Monday 16th; 15 Mar 2026 is a Sunday → 16th;
    // 15 Aug 2026 is a Saturday → Friday 14th; 1 Aug 2026 is a Saturday → Monday 3rd (stays in
    // the month).
    assert_eq!(
        next("0 9 15W * *", at(SHANGHAI, 2026, 2, 1, 0, 0), 2),
        ["2026-02-16T09:00:00+08:00", "2026-03-16T09:00:00+08:00"]
    );
    assert_eq!(
        next("0 9 15W 8 *", at(SHANGHAI, 2026, 1, 1, 0, 0), 1),
        ["2026-08-14T09:00:00+08:00"]
    );
    assert_eq!(
        next("0 9 1W 8 *", at(SHANGHAI, 2026, 1, 1, 0, 0), 1),
        ["2026-08-03T09:00:00+08:00"]
    );
}

#[test]
fn nth_and_last_weekday() {
    // Second Tuesday: 12 May, 9 June 2026. Last Friday: 29 May, 26 June 2026.
    assert_eq!(
        next("0 9 * * TUE#2", at(SHANGHAI, 2026, 5, 1, 0, 0), 2),
        ["2026-05-12T09:00:00+08:00", "2026-06-09T09:00:00+08:00"]
    );
    assert_eq!(
        next("0 9 * * 5#L", at(SHANGHAI, 2026, 5, 1, 0, 0), 2),
        ["2026-05-29T09:00:00+08:00", "2026-06-26T09:00:00+08:00"]
    );
}

#[test]
fn february_29_fires_in_leap_years_only() {
    assert_eq!(
        next("0 0 29 2 *", at(SHANGHAI, 2026, 1, 1, 0, 0), 3),
        [
            "2028-02-29T00:00:00+08:00",
            "2032-02-29T00:00:00+08:00",
            "2036-02-29T00:00:00+08:00",
        ]
    );
    // 2100 is not a leap year.
    assert_eq!(
        next("0 0 29 2 *", at(SHANGHAI, 2097, 1, 1, 0, 0), 1),
        ["2104-02-29T00:00:00+08:00"]
    );
}

#[test]
fn expressions_that_can_never_fire_are_refused() {
    for expr in ["0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *"] {
        let r = reason(expr);
        assert!(r.starts_with("it can never fire"), "{expr}: {r}");
    }
    // ANDed day fields that never meet: 30 February on a Monday.
    assert!(reason("0 0 30 2 +MON").starts_with("it can never fire"));
    // 31 in a list with a month that has it is fine.
    assert!(CronSchedule::parse("0 0 31 1,2 *").is_ok());
}

#[test]
fn five_fields_exactly() {
    assert_eq!(
        reason("0 0 7 * * *"),
        "expected 5 fields (minute hour day-of-month month day-of-week), found 6; seconds are \
         not supported"
    );
    assert_eq!(
        reason("0 7 * *"),
        "expected 5 fields (minute hour day-of-month month day-of-week), found 4"
    );
    assert!(reason("0 0 7 * * * 2026").contains("found 7; seconds and years"));
    assert!(reason("").contains("found 0"));
}

#[test]
fn croner_reasons_are_passed_on() {
    assert_eq!(
        reason("61 7 * * *"),
        "minute field '61': Component error: Number out of bounds."
    );
    let r = reason("0 7 * * FUNDAY");
    assert!(
        r.starts_with("day-of-week field 'FUNDAY': ") && r.contains("illegal character"),
        "{r}"
    );
    // A step needs `*/N` or a range `A-B/N`.
    assert!(reason("0/5 7 * * *").starts_with("minute field '0/5': "));
    assert_eq!(
        CronSchedule::parse("0 25 * * *").unwrap_err().to_string(),
        format!(
            "invalid cron expression '0 25 * * *': {}",
            reason("0 25 * * *")
        )
    );
}

// --- DST -------------------------------------------------------------------------------------
// New York 2024: clocks jump 02:00 EST → 03:00 EDT on 10 March and fall back 02:00 EDT → 01:00
// EST on 3 November. Berlin 2026: 02:00 CET → 03:00 CEST on 29 March, 03:00 CEST → 02:00 CET on
// 25 October.

#[test]
fn fixed_time_in_a_gap_runs_at_the_first_valid_time_after_it() {
    assert_eq!(
        next("30 2 * * *", at(NEW_YORK, 2024, 3, 9, 12, 0), 3),
        [
            "2024-03-10T03:00:00-04:00",
            "2024-03-11T02:30:00-04:00",
            "2024-03-12T02:30:00-04:00",
        ]
    );
    assert_eq!(
        next("15 2 * * *", at(BERLIN, 2026, 3, 28, 12, 0), 2),
        ["2026-03-29T03:00:00+02:00", "2026-03-30T02:15:00+02:00"]
    );
    // A range search that starts exactly at the moved time still finds it.
    assert_eq!(
        between(
            "30 2 * * *",
            at(NEW_YORK, 2024, 3, 10, 3, 0),
            at(NEW_YORK, 2024, 3, 11, 3, 0)
        ),
        ["2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00"]
    );
}

#[test]
fn other_jobs_skip_times_in_a_gap() {
    assert_eq!(
        between(
            "*/30 * * * *",
            at(NEW_YORK, 2024, 3, 10, 1, 0),
            at(NEW_YORK, 2024, 3, 10, 4, 0)
        ),
        [
            "2024-03-10T01:00:00-05:00",
            "2024-03-10T01:30:00-05:00",
            "2024-03-10T03:00:00-04:00",
            "2024-03-10T03:30:00-04:00",
        ]
    );
    // Two hours listed: not a fixed-time job, so 02:00 is skipped and 03:00 runs once.
    assert_eq!(
        next("0 2,3 * * *", at(BERLIN, 2026, 3, 28, 12, 0), 3),
        [
            "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:00:00+02:00",
            "2026-03-30T03:00:00+02:00",
        ]
    );
    // A job that only runs in the gap hour has nothing that day.
    assert_eq!(
        next("*/30 2 * * *", at(NEW_YORK, 2024, 3, 9, 12, 0), 2),
        ["2024-03-11T02:00:00-04:00", "2024-03-11T02:30:00-04:00"]
    );
}

#[test]
fn fixed_time_runs_once_in_a_repeated_hour() {
    assert_eq!(
        next("30 1 * * *", at(NEW_YORK, 2024, 11, 2, 12, 0), 2),
        ["2024-11-03T01:30:00-04:00", "2024-11-04T01:30:00-05:00"]
    );
    assert_eq!(
        next("30 2 * * *", at(BERLIN, 2026, 10, 24, 12, 0), 2),
        ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    );
    // Starting inside the second pass does not run it again.
    let second_pass = NEW_YORK
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(2024, 11, 3)
                .unwrap()
                .and_hms_opt(1, 15, 0)
                .unwrap(),
        )
        .latest()
        .unwrap();
    assert_eq!(
        next("30 1 * * *", second_pass, 1),
        ["2024-11-04T01:30:00-05:00"]
    );
}

#[test]
fn other_jobs_run_in_each_pass_of_a_repeated_hour() {
    assert_eq!(
        next("*/30 1 * * *", at(NEW_YORK, 2024, 11, 3, 0, 0), 5),
        [
            "2024-11-03T01:00:00-04:00",
            "2024-11-03T01:30:00-04:00",
            "2024-11-03T01:00:00-05:00",
            "2024-11-03T01:30:00-05:00",
            "2024-11-04T01:00:00-05:00",
        ]
    );
    assert_eq!(
        between(
            "0 * * * *",
            at(BERLIN, 2026, 10, 25, 1, 0),
            at(BERLIN, 2026, 10, 25, 4, 0)
        ),
        [
            "2026-10-25T01:00:00+02:00",
            "2026-10-25T02:00:00+02:00",
            "2026-10-25T02:00:00+01:00",
            "2026-10-25T03:00:00+01:00",
        ]
    );
}

#[test]
fn shanghai_has_no_dst() {
    // The dates New York and Berlin change clocks are plain days in Shanghai.
    assert_eq!(
        between(
            "30 2 * * *",
            at(SHANGHAI, 2024, 3, 10, 0, 0),
            at(SHANGHAI, 2024, 3, 12, 0, 0)
        ),
        ["2024-03-10T02:30:00+08:00", "2024-03-11T02:30:00+08:00"]
    );
    assert_eq!(
        between(
            "0 * * * *",
            at(SHANGHAI, 2026, 10, 25, 1, 0),
            at(SHANGHAI, 2026, 10, 25, 4, 0)
        ),
        [
            "2026-10-25T01:00:00+08:00",
            "2026-10-25T02:00:00+08:00",
            "2026-10-25T03:00:00+08:00",
        ]
    );
}

#[test]
fn the_same_expression_in_two_zones() {
    let c = CronSchedule::parse("0 7 * * *").unwrap();
    let from = at(SHANGHAI, 2026, 6, 1, 0, 0);
    let sh = c.next_after(&from).unwrap();
    let ny = c.next_after(&from.with_timezone(&NEW_YORK)).unwrap();
    assert_eq!(sh.to_rfc3339(), "2026-06-01T07:00:00+08:00");
    // 2026-06-01T00:00+08:00 is 2026-05-31T12:00-04:00 in New York.
    assert_eq!(ny.to_rfc3339(), "2026-06-01T07:00:00-04:00");
}
