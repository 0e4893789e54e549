//! `greenward cron next`: exact output lines and failure exit codes.

use std::process::{Command, Output};

fn greenward(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_greenward"))
        .current_dir(dir.path())
        .env_remove("GREENWARD_TODAY")
        .env_remove("GREENWARD_DB")
        .args(args)
        .output()
        .unwrap()
}

fn lines(out: &Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn default_is_five_times_after_today_midnight_in_shanghai() {
    let out = greenward(&["--today", "2026-05-01", "cron", "next", "0 7 * * *"]);
    assert_eq!(
        lines(&out),
        [
            "2026-05-01T07:00:00+08:00",
            "2026-05-02T07:00:00+08:00",
            "2026-05-03T07:00:00+08:00",
            "2026-05-04T07:00:00+08:00",
            "2026-05-05T07:00:00+08:00",
        ]
    );
}

#[test]
fn strictly_after_from() {
    // Midnight itself is not "after" today's midnight.
    let out = greenward(&["--today", "2026-05-01", "cron", "next", "@daily", "-n", "2"]);
    assert_eq!(
        lines(&out),
        ["2026-05-02T00:00:00+08:00", "2026-05-03T00:00:00+08:00"]
    );
    let out = greenward(&[
        "cron",
        "next",
        "0 7 * * *",
        "--from",
        "2026-05-01T07:00",
        "-n",
        "1",
    ]);
    assert_eq!(lines(&out), ["2026-05-02T07:00:00+08:00"]);
}

#[test]
fn day_fields_are_ored() {
    let out = greenward(&[
        "cron",
        "next",
        "0 0 13 * FRI",
        "--from",
        "2026-01-01T00:00:00+08:00",
        "-n",
        "4",
    ]);
    assert_eq!(
        lines(&out),
        [
            "2026-01-02T00:00:00+08:00",
            "2026-01-09T00:00:00+08:00",
            "2026-01-13T00:00:00+08:00",
            "2026-01-16T00:00:00+08:00",
        ]
    );
}

#[test]
fn rfc3339_from_is_moved_into_the_zone() {
    // 2024-03-09T17:00Z is 12:00 EST; the 02:30 job moves past the gap on 10 March.
    let out = greenward(&[
        "cron",
        "next",
        "30 2 * * *",
        "--tz",
        "America/New_York",
        "--from",
        "2024-03-09T17:00:00Z",
        "-n",
        "3",
    ]);
    assert_eq!(
        lines(&out),
        [
            "2024-03-10T03:00:00-04:00",
            "2024-03-11T02:30:00-04:00",
            "2024-03-12T02:30:00-04:00",
        ]
    );
    // Offsets without seconds are read too; the output is in --tz.
    for from in ["2026-04-20T01:00+08:00", "2026-04-19T17:00Z"] {
        let out = greenward(&["cron", "next", "0 1 * * TUE", "--from", from, "-n", "2"]);
        assert_eq!(
            lines(&out),
            ["2026-04-21T01:00:00+08:00", "2026-04-28T01:00:00+08:00"],
            "{from}"
        );
    }
}

#[test]
fn repeated_hour_in_berlin() {
    let out = greenward(&[
        "cron",
        "next",
        "*/30 2 * * *",
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-10-25T00:00",
        "-n",
        "5",
    ]);
    assert_eq!(
        lines(&out),
        [
            "2026-10-25T02:00:00+02:00",
            "2026-10-25T02:30:00+02:00",
            "2026-10-25T02:00:00+01:00",
            "2026-10-25T02:30:00+01:00",
            "2026-10-26T02:00:00+01:00",
        ]
    );
}

#[test]
fn invalid_expression_fails_naming_it() {
    let out = greenward(&["cron", "next", "0 0 7 * * *"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        "greenward: invalid cron expression '0 0 7 * * *': expected 5 fields (minute hour \
         day-of-month month day-of-week), found 6; seconds are not supported\n"
    );
    let out = greenward(&["cron", "next", "0 0 30 2 *"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .starts_with("greenward: invalid cron expression '0 0 30 2 *': it can never fire"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_zone_and_from_fail() {
    let out = greenward(&["cron", "next", "0 7 * * *", "--tz", "Asia/Lhasa-Old"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "greenward: unknown time zone 'Asia/Lhasa-Old'; give an IANA name such as \
         Asia/Shanghai, Europe/Berlin or UTC\n"
    );
    let out = greenward(&["cron", "next", "0 7 * * *", "--from", "tomorrow"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--from 'tomorrow' is not a time"));
}

#[test]
fn missing_expression_is_a_usage_error() {
    let out = greenward(&["cron", "next"]);
    assert_eq!(out.status.code(), Some(2));
}
