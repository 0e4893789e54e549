//! The scheduler and task lifecycle end to end: generation, idempotency, rule changes, blackouts,
//! intervals, retiring, patrol reports, crews, routes and the calendar feed.

mod common;

use std::path::PathBuf;

use common::{fails, fixture, ok};
use serde_json::Value;

/// A small site: the every-kind fixture (zone `test-square`, box group FB-TST-001 with 4 boxes,
/// tree TR-TST-001, ...) with its own site file, rules and crews.
struct Site {
    _dir: tempfile::TempDir,
    db: PathBuf,
    rules: PathBuf,
}

const SITE: &str = r#"
[site]
name = "Test site"
timezone = "Asia/Shanghai"
latitude = 29.65
longitude = 91.13
altitude_m = 3650
schedules = "rules"

[patrol_deadlines]
general_hours = 24
major_days = 3

[[blackout]]
name = "Festival"
from = "2027-05-12"
to = "2027-05-13"
"#;

const CREWS: &str = r#"
[[crew]]
name = "gardeners"
zones = ["test-square"]
skills = ["watering", "inspection"]
hours_per_day = 8
start = [91.1300, 29.6520]
"#;

const RULES: &str = r#"
[[rule]]
id = "box-water"
task = "watering"
select = { kind = "flower_box_group" }
cron = "0 7 * * *"
minutes_per_asset = 2.0
per = "box"
skill = "watering"
blackouts = false

[[rule]]
id = "tree-check"
task = "inspection"
select = { kind = "tree" }
cron = "0 9 * * *"
minutes_per_asset = 10.0
skill = "inspection"

[[rule]]
id = "tree-water"
task = "watering"
select = { kind = "tree" }
every = "3d"
start = "2027-05-10"
minutes_per_asset = 5.0
skill = "watering"
blackouts = false
"#;

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("rules.toml"), RULES).unwrap();
    std::fs::write(rules.join("crews.toml"), CREWS).unwrap();
    std::fs::write(dir.path().join("site.toml"), SITE).unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &[
            "init",
            "--site",
            dir.path().join("site.toml").to_str().unwrap(),
        ],
    );
    ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    Site {
        db,
        rules,
        _dir: dir,
    }
}

/// The small site with its one crew cut to 12 minutes a day, so that work overflows.
fn site_with_a_tight_crew() -> Site {
    let s = site();
    std::fs::write(
        s.rules.join("crews.toml"),
        CREWS.replace("hours_per_day = 8", "hours_per_day = 0.2"),
    )
    .unwrap();
    s
}

fn run(s: &Site, from: &str, to: &str) -> String {
    ok(
        &s.db,
        &[
            "schedule",
            "run",
            "--from",
            from,
            "--to",
            to,
            "--rules",
            s.rules.to_str().unwrap(),
        ],
    )
}

fn day(s: &Site, date: &str, all: bool) -> Value {
    let mut args = vec![
        "tasks",
        "list",
        "--crew",
        "gardeners",
        "--date",
        date,
        "--format",
        "json",
    ];
    if all {
        args.push("--all");
    }
    serde_json::from_str(&ok(&s.db, &args)).unwrap()
}

fn tasks_of(v: &Value) -> Vec<Value> {
    v["tasks"].as_array().unwrap().clone()
}

#[test]
fn generation_is_idempotent_and_blackouts_move_work() {
    let s = site();
    let out = run(&s, "2027-05-10", "2027-05-14");
    // Box watering 5 days (no blackouts), inspection 5 occurrences (2 moved by the festival),
    // tree watering every 3 days from 10 May: 10th and 13th.
    assert!(out.contains("12 created, 0 updated, 0 unchanged"), "{out}");
    let again = run(&s, "2027-05-10", "2027-05-14");
    assert!(
        again.contains("0 created, 0 updated, 12 unchanged"),
        "{again}"
    );
    // The inspections of 12 and 13 May (festival) move to 14 May, the first allowed day.
    let d14 = tasks_of(&day(&s, "2027-05-14", false));
    let inspections: Vec<_> = d14
        .iter()
        .filter(|t| t["task_type"] == "inspection")
        .collect();
    assert_eq!(inspections.len(), 3, "{d14:?}");
    assert!(
        inspections
            .iter()
            .all(|t| t["due_at"] == "2027-05-14T09:00:00+08:00")
    );
    let d12 = tasks_of(&day(&s, "2027-05-12", false));
    assert_eq!(
        d12.iter()
            .filter(|t| t["task_type"] == "inspection")
            .count(),
        0
    );
    // Box watering is per box: 4 boxes × 2 min.
    let box_task = d12.iter().find(|t| t["ref"] == "FB-TST-001").unwrap();
    assert_eq!(box_task["minutes"], 8.0);
    assert_eq!(
        box_task["deadline_at"], "2027-05-13T07:00:00+08:00",
        "watering grace 1 day"
    );
}

#[test]
fn a_rule_change_touches_future_open_tasks_only() {
    let s = site();
    run(&s, "2027-05-08", "2027-05-11");
    // 8 May: one inspection done, the box watering left open (past, before --today 10 May).
    let d8 = tasks_of(&day(&s, "2027-05-08", false));
    let insp8 = d8.iter().find(|t| t["task_type"] == "inspection").unwrap()["task_id"]
        .as_i64()
        .unwrap();
    ok(
        &s.db,
        &[
            "tasks",
            "done",
            &insp8.to_string(),
            "--at",
            "2027-05-08T10:00:00+08:00",
        ],
    );
    // The rule moves from 09:00 to 10:00.
    std::fs::write(
        s.rules.join("rules.toml"),
        RULES.replace("cron = \"0 9 * * *\"", "cron = \"0 10 * * *\""),
    )
    .unwrap();
    let out = run(&s, "2027-05-08", "2027-05-11");
    // 8 May: done stays done ("closed kept"); 9 May (past, open) is not touched by the cancel
    // sweep but a 10:00 twin is created; 10 and 11 May: the 09:00 tasks are cancelled and 10:00
    // ones created.
    assert!(out.contains("2 cancelled (rule changed)"), "{out}");
    let all10 = tasks_of(&day(&s, "2027-05-10", true));
    let states: Vec<(String, String)> = all10
        .iter()
        .filter(|t| t["task_type"] == "inspection")
        .map(|t| {
            (
                t["due_at"].as_str().unwrap().to_string(),
                t["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&("2027-05-10T09:00:00+08:00".into(), "cancelled".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("2027-05-10T10:00:00+08:00".into(), "open".into())),
        "{states:?}"
    );
    let d8 = tasks_of(&day(&s, "2027-05-08", true));
    let done = d8.iter().find(|t| t["task_id"] == insp8).unwrap();
    assert_eq!(done["state"], "done", "done tasks are never altered");
}

#[test]
fn interval_rules_roll_forward_from_the_actual_completion() {
    let s = site();
    run(&s, "2027-05-10", "2027-05-20");
    let tree_water = |d: &str| -> Vec<Value> {
        tasks_of(&day(&s, d, false))
            .into_iter()
            .filter(|t| t["ref"] == "TR-TST-001" && t["task_type"] == "watering")
            .collect()
    };
    assert_eq!(
        tree_water("2027-05-13").len(),
        1,
        "every 3 days from 10 May"
    );
    let first = tree_water("2027-05-10")[0]["task_id"].as_i64().unwrap();
    // Done two days late, on the 12th: the next visits are the 15th and 18th, not the 13th.
    ok(
        &s.db,
        &[
            "tasks",
            "done",
            &first.to_string(),
            "--at",
            "2027-05-12T08:30:00+08:00",
            "--water-l",
            "40",
        ],
    );
    let out = run(&s, "2027-05-10", "2027-05-20");
    assert!(out.contains("cancelled (rule changed)"), "{out}");
    assert!(tree_water("2027-05-13").is_empty());
    assert_eq!(tree_water("2027-05-15").len(), 1);
    assert_eq!(tree_water("2027-05-18").len(), 1);
}

#[test]
fn retiring_an_asset_cancels_its_open_tasks() {
    let s = site();
    run(&s, "2027-05-10", "2027-05-11");
    ok(
        &s.db,
        &[
            "assets",
            "retire",
            "FB-TST-001",
            "--reason",
            "square rebuilt",
        ],
    );
    // Cancelled at once, in the retire transaction; a new run creates nothing for it.
    let out = run(&s, "2027-05-10", "2027-05-11");
    assert!(out.contains("0 created"), "{out}");
    let d = tasks_of(&day(&s, "2027-05-10", false));
    assert!(d.iter().all(|t| t["ref"] != "FB-TST-001"));
}

#[test]
fn a_run_after_a_register_change_sees_the_change_not_its_snapshot() {
    // The first run stores the scheduling snapshot; editing the register by greenward or by
    // hand in an SQLite tool makes it stale, and the next run reads the assets again.
    let s = site();
    run(&s, "2027-05-10", "2027-05-10");
    let snapshot_rows = || -> i64 {
        rusqlite::Connection::open(&s.db)
            .unwrap()
            .query_row("SELECT count(*) FROM scheduling_snapshot", [], |r| r.get(0))
            .unwrap()
    };
    assert!(snapshot_rows() > 0, "the run stored a snapshot");
    ok(
        &s.db,
        &[
            "assets",
            "retire",
            "FB-TST-001",
            "--reason",
            "square rebuilt",
        ],
    );
    run(&s, "2027-05-11", "2027-05-11");
    let d = tasks_of(&day(&s, "2027-05-11", true));
    assert!(!d.is_empty());
    assert!(d.iter().all(|t| t["ref"] != "FB-TST-001"), "{d:?}");
    // By hand, outside greenward: the tree is retired.
    rusqlite::Connection::open(&s.db)
        .unwrap()
        .execute(
            "UPDATE assets SET retired_at = '2027-05-11T00:00:00Z', retired_reason = 'by hand'
             WHERE ref = 'TR-TST-001'",
            [],
        )
        .unwrap();
    run(&s, "2027-05-12", "2027-05-12");
    let d = tasks_of(&day(&s, "2027-05-12", true));
    assert!(d.iter().all(|t| t["ref"] != "TR-TST-001"), "{d:?}");
}

#[test]
fn a_task_moved_before_its_occurrence_by_hand_is_still_matched() {
    // A run finds the stored twins of the tasks it plans with one read by due date, from the
    // first planned occurrence on: greenward never plans work before its occurrence. A task
    // moved earlier by hand escapes that read; the run must still match it (and keep the
    // move), not store a second task for the same rule, asset and occurrence.
    let s = site();
    run(&s, "2027-05-10", "2027-05-11");
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let count = || -> i64 {
        conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
            .unwrap()
    };
    let before = count();
    let the_task = "rule_id = 'tree-check' AND substr(occurrence, 1, 10) = '2027-05-11'";
    let moved = conn
        .execute(
            &format!("UPDATE tasks SET due_date = '2027-05-09' WHERE {the_task}"),
            [],
        )
        .unwrap();
    assert_eq!(moved, 1);
    let out = run(&s, "2027-05-10", "2027-05-11");
    assert!(out.contains(" 0 created"), "{out}");
    assert_eq!(count(), before, "no second task");
    let due: String = conn
        .query_row(
            &format!("SELECT due_date FROM tasks WHERE {the_task}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(due, "2027-05-09", "the move by hand is kept");
}

#[test]
fn lifecycle_refuses_bad_requests_and_changes_nothing() {
    let s = site();
    run(&s, "2027-05-10", "2027-05-10");
    let all = tasks_of(&day(&s, "2027-05-10", false));
    let ids: Vec<i64> = all
        .iter()
        .filter(|t| t["ref"] == "TR-TST-001")
        .map(|t| t["task_id"].as_i64().unwrap())
        .collect();
    assert_eq!((all.len(), ids.len()), (3, 2));
    let a = ids[0].to_string();
    let b = ids[1].to_string();
    ok(
        &s.db,
        &[
            "tasks",
            "skip",
            &a,
            "--reason",
            "access_blocked",
            "--note",
            "market day",
        ],
    );
    // Naming a closed task with an open one changes neither.
    assert!(
        fails(&s.db, &["tasks", "done", &b, &a])
            .contains(&format!("task {a} is skipped, not open"))
    );
    assert_eq!(tasks_of(&day(&s, "2027-05-10", false)).len(), 2);
    assert!(
        fails(&s.db, &["tasks", "skip", &b, "--reason", "lazy"])
            .contains("'lazy' is not a skip reason")
    );
    assert!(fails(&s.db, &["tasks", "done", "999999"]).contains("no task with id 999999"));
    assert!(
        fails(&s.db, &["tasks", "done", &b, "--water-l=-5"])
            .contains("--water-l must be a non-negative")
    );
    // Group action: every open task of the box group that day.
    let out = ok(
        &s.db,
        &[
            "tasks",
            "done",
            "--asset",
            "FB-TST-001",
            "--date",
            "2027-05-10",
            "--by",
            "dawa",
        ],
    );
    assert!(out.contains("(watering FB-TST-001): done"), "{out}");
}

#[test]
fn patrol_reports_have_deadlines_and_need_a_sign_off() {
    let s = site();
    let out = ok(
        &s.db,
        &[
            "report",
            "TR-TST-001",
            "--severity",
            "major",
            "--note",
            "split limb",
            "--at",
            "2027-05-10T15:00:00+08:00",
        ],
    );
    assert!(
        out.contains("deadline 2027-05-13T15:00:00+08:00"),
        "major: 3 days in this site: {out}"
    );
    let id: String = out.split_whitespace().nth(1).unwrap().to_string();
    let general = ok(
        &s.db,
        &[
            "report",
            "TR-TST-001",
            "--severity",
            "general",
            "--note",
            "litter",
            "--at",
            "2027-05-10T15:00:00+08:00",
        ],
    );
    assert!(
        general.contains("deadline 2027-05-10T23:59:59+08:00"),
        "general: the same day: {general}"
    );
    let minor = ok(
        &s.db,
        &[
            "report",
            "FB-TST-001",
            "--severity",
            "minor",
            "--note",
            "box tipped",
            "--fixed",
            "--by",
            "dawa",
        ],
    );
    assert!(
        minor.contains("fixed on the spot and signed off"),
        "{minor}"
    );
    assert!(
        fails(&s.db, &["tasks", "verify", &id, "--by", "office"])
            .contains("has not been marked done yet")
    );
    let done = ok(&s.db, &["tasks", "done", &id, "--by", "crew"]);
    assert!(done.contains("awaiting sign-off"), "{done}");
    let still_open = ok(&s.db, &["tasks", "list", "--date", "2027-05-10"]);
    assert!(
        still_open
            .lines()
            .any(|l| l.contains(&id) && l.contains("open")),
        "{still_open}"
    );
    ok(&s.db, &["tasks", "verify", &id, "--by", "office"]);
    let after = ok(&s.db, &["tasks", "list", "--date", "2027-05-10"]);
    assert!(
        !after.lines().any(|l| l.starts_with(&format!("{id:>6} "))),
        "{after}"
    );
    assert!(
        still_open
            .lines()
            .any(|l| l.starts_with(&format!("{id:>6} "))),
        "{still_open}"
    );
    assert!(
        fails(
            &s.db,
            &["report", "NOPE", "--severity", "minor", "--note", "x"]
        )
        .contains("no asset with ref 'NOPE'")
    );
}

fn unfold(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in ics.split("\r\n") {
        if let Some(cont) = raw.strip_prefix(' ') {
            lines.last_mut().unwrap().push_str(cont);
        } else if !raw.is_empty() {
            lines.push(raw.to_string());
        }
    }
    lines
}

#[test]
fn the_ics_feed_parses_back() {
    let s = site();
    run(&s, "2027-05-10", "2027-05-10");
    let ics = ok(
        &s.db,
        &[
            "tasks",
            "list",
            "--crew",
            "gardeners",
            "--date",
            "2027-05-10",
            "--format",
            "ics",
        ],
    );
    assert!(
        ics.split("\r\n").all(|l| l.len() <= 75),
        "folded at 75 octets"
    );
    let lines = unfold(&ics);
    assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
    assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
    assert!(lines.contains(&"TZID:Asia/Shanghai".to_string()));
    assert!(lines.contains(&"TZOFFSETTO:+0800".to_string()));
    let events: Vec<&[String]> = lines
        .split(|l| l == "BEGIN:VEVENT")
        .skip(1)
        .map(|chunk| &chunk[..chunk.iter().position(|l| l == "END:VEVENT").unwrap()])
        .collect();
    let json = day(&s, "2027-05-10", false);
    assert_eq!(events.len(), tasks_of(&json).len());
    for (ev, t) in events.iter().zip(tasks_of(&json)) {
        let get = |k: &str| {
            ev.iter()
                .find(|l| l.starts_with(k))
                .unwrap_or_else(|| panic!("{k} missing"))
                .clone()
        };
        assert_eq!(get("UID:"), format!("UID:task-{}@greenward", t["task_id"]));
        let start = t["start"].as_str().unwrap();
        let local = start[..19].replace(['-', ':'], "");
        assert_eq!(
            get("DTSTART;"),
            format!("DTSTART;TZID=Asia/Shanghai:{local}")
        );
        assert!(get("SUMMARY:").contains(t["ref"].as_str().unwrap()));
    }
    // Stable UIDs: the same feed again.
    assert_eq!(
        ics,
        ok(
            &s.db,
            &[
                "tasks",
                "list",
                "--crew",
                "gardeners",
                "--date",
                "2027-05-10",
                "--format",
                "ics"
            ]
        )
    );
    let html = ok(
        &s.db,
        &[
            "tasks",
            "list",
            "--crew",
            "gardeners",
            "--date",
            "2027-05-10",
            "--format",
            "html",
            "--lang",
            "zh",
        ],
    );
    assert!(html.contains("班组日任务单 Crew day list") && html.contains("@page { size: A4"));
}

#[test]
fn the_barkhor_route_is_shorter_than_input_order_and_the_demo_week_fits_the_crews() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = ok(&db, &["demo"]);
    assert!(out.contains("schedule 2027-05-10..2027-05-16"), "{out}");
    assert!(out.contains("crew jokhang — 2027-05-10"), "{out}");
    let v: Value = serde_json::from_str(&ok(
        &db,
        &[
            "tasks",
            "list",
            "--crew",
            "jokhang",
            "--date",
            "2027-05-10",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let tasks = tasks_of(&v);
    assert!(tasks.len() > 25, "{}", tasks.len());
    // Same stops in input (task id) order.
    let mut by_id = tasks.clone();
    by_id.sort_by_key(|t| t["task_id"].as_i64().unwrap());
    let mut stops: Vec<(f64, f64)> = Vec::new();
    for t in &by_id {
        let p = (t["lon"].as_f64().unwrap(), t["lat"].as_f64().unwrap());
        if !stops.contains(&p) {
            stops.push(p);
        }
    }
    let input = greenward::tasks::route::path_length((91.1305, 29.6530), &stops);
    let routed = v["distance_m"].as_f64().unwrap();
    assert!(
        routed < input * 0.8,
        "route {routed:.0} m vs input order {input:.0} m"
    );
}

#[test]
fn a_bad_rule_file_is_refused_and_nothing_changes() {
    let s = site();
    std::fs::write(
        s.rules.join("rules.toml"),
        RULES.replace("cron = \"0 9 * * *\"", "cron = \"0 25 * * *\""),
    )
    .unwrap();
    let err = fails(
        &s.db,
        &[
            "schedule",
            "run",
            "--from",
            "2027-05-10",
            "--to",
            "2027-05-10",
            "--rules",
            s.rules.to_str().unwrap(),
        ],
    );
    assert!(err.contains("rules.toml: line"), "{err}");
    assert!(err.contains("0 25 * * *"), "{err}");
    assert!(ok(&s.db, &["tasks", "list", "--date", "2027-05-10"]).starts_with("0 task(s)"));
}

#[test]
fn a_crew_over_its_hours_gets_its_lowest_priority_work_moved_and_the_run_says_which() {
    // 12 minutes a day: the 10-minute inspection fits, the 8-minute box watering and the
    // 5-minute tree watering of 10 May do not.
    let s = site_with_a_tight_crew();
    let out = run(&s, "2027-05-10", "2027-05-10");
    assert!(
        out.contains("task(s) moved to the next day (crew over its hours):"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("watering FB-TST-001 (gardeners): 2027-05-10 -> 2027-05-11")),
        "{out}"
    );
    let d10 = tasks_of(&day(&s, "2027-05-10", false));
    assert_eq!(d10.len(), 1);
    assert_eq!(d10[0]["task_type"], "inspection");
    let d11 = tasks_of(&day(&s, "2027-05-11", false));
    assert!(
        d11.iter().any(|t| t["ref"] == "FB-TST-001"),
        "moved to the 11th: {d11:?}"
    );
}

/// A stored task, read through the library.
fn stored_task(s: &Site, id: i64) -> greenward::tasks::TaskRecord {
    let store = greenward::store::Store::open(&s.db).unwrap();
    let mut found = store
        .read()
        .tasks(&greenward::tasks::TaskFilter {
            ids: Some(vec![id]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1, "task {id}");
    found.remove(0)
}

#[test]
fn work_moved_by_overflow_survives_the_next_days_run_and_follows_its_rule() {
    let s = site_with_a_tight_crew();
    run(&s, "2027-05-10", "2027-05-10");
    // The 10th's box watering did not fit and moved to the 11th.
    let d11 = tasks_of(&day(&s, "2027-05-11", true));
    let moved = d11
        .iter()
        .find(|t| t["ref"] == "FB-TST-001" && t["due_at"] == "2027-05-10T07:00:00+08:00")
        .unwrap_or_else(|| panic!("{d11:?}"))["task_id"]
        .as_i64()
        .unwrap();
    // The next day's run produces only the 11th's occurrences: the 10th's watering is still work
    // to do (it may move on again), not a task the rules stopped producing.
    let out = run(&s, "2027-05-11", "2027-05-11");
    assert!(out.contains(" 0 cancelled (rule changed)"), "{out}");
    // The carried-over watering takes the crew's time on the 11th like the 11th's own work: the
    // day holds no more than the crew's 12 minutes, the rest moved on to the 12th.
    let d11 = tasks_of(&day(&s, "2027-05-11", false));
    let minutes: f64 = d11.iter().map(|t| t["minutes"].as_f64().unwrap()).sum();
    assert!(minutes <= 12.0, "{minutes} min on the 11th: {d11:?}");
    assert!(out.contains("2027-05-11 -> 2027-05-12"), "{out}");
    let t = stored_task(&s, moved);
    assert_eq!(t.state.as_str(), "open");
    assert_eq!(t.moved_from.unwrap().to_string(), "2027-05-10");
    assert!(t.due_date.to_string().as_str() >= "2027-05-11", "{t:?}");
    // The rule removed and the 10th run again: its moved watering goes, though it now falls
    // after the range.
    std::fs::write(
        s.rules.join("rules.toml"),
        RULES.replace("id = \"box-water\"", "id = \"box-water-new\""),
    )
    .unwrap();
    let out = run(&s, "2027-05-10", "2027-05-10");
    assert!(!out.contains(" 0 cancelled (rule changed)"), "{out}");
    let t = stored_task(&s, moved);
    assert_eq!(
        (t.state.as_str(), t.reason.as_deref()),
        ("cancelled", Some("rule_changed"))
    );
}

/// A `single_open` rule gives an asset no new task while one of the rule's tasks on it is open,
/// however old (looked up asset by asset through the identity index); its open task is not
/// cancelled by a re-run either; once it is done, the next occurrence makes a new one.
#[test]
fn a_single_open_rule_waits_for_the_open_task_to_be_done() {
    let s = site();
    std::fs::write(
        s.rules.join("rules.toml"),
        format!(
            "{RULES}
[[rule]]
id = \"tree-removal\"
task = \"removal\"
select = {{ kind = \"tree\" }}
cron = \"0 8 * * MON\"
single_open = true
minutes_per_asset = 30.0
skill = \"inspection\"
"
        ),
    )
    .unwrap();
    let removals = |date: &str| -> Vec<Value> {
        tasks_of(&day(&s, date, true))
            .into_iter()
            .filter(|t| t["task_type"] == "removal")
            .collect()
    };
    // Monday 10 May: one removal task for the one tree.
    run(&s, "2027-05-10", "2027-05-10");
    let first = removals("2027-05-10");
    assert_eq!(first.len(), 1, "{first:?}");
    let id = first[0]["task_id"].as_i64().unwrap();
    // Monday 17 May: the open task of 10 May holds the next one back.
    let out = run(&s, "2027-05-17", "2027-05-17");
    assert!(removals("2027-05-17").is_empty(), "{out}");
    // Over both Mondays again: nothing new, and the open task is left open.
    let out = run(&s, "2027-05-10", "2027-05-17");
    assert!(out.contains("0 cancelled (rule changed)"), "{out}");
    assert!(removals("2027-05-17").is_empty());
    let again = removals("2027-05-10");
    assert_eq!((again.len(), &again[0]["state"]), (1, &Value::from("open")));
    // Done: the next Monday gets its task.
    ok(
        &s.db,
        &[
            "tasks",
            "done",
            &id.to_string(),
            "--at",
            "2027-05-10T11:00:00+08:00",
        ],
    );
    run(&s, "2027-05-17", "2027-05-17");
    let next = removals("2027-05-17");
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0]["state"], "open");
}
