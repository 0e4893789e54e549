//! A synthetic city end to end: synth, init, import, schedule a day.

mod common;

use common::{ok, ok_on};

#[test]
fn a_synthetic_city_imports_and_schedules_with_its_own_rules_and_crews() {
    let dir = tempfile::tempdir().unwrap();
    let city = dir.path().join("city");
    let db = dir.path().join("c.db");
    let out = ok(
        &db,
        &[
            "synth",
            "--assets",
            "3000",
            "--seed",
            "7",
            "--out",
            city.to_str().unwrap(),
        ],
    );
    assert!(out.contains("3000 assets"), "{out}");
    let rules = std::fs::read_to_string(city.join("schedules/rules.toml")).unwrap();
    assert!(
        !rules.contains("potala") && !rules.contains("jokhang"),
        "generic rules name no Barkhor zone"
    );
    ok(
        &db,
        &["init", "--site", city.join("site.toml").to_str().unwrap()],
    );
    ok(
        &db,
        &["import", city.join("zones.geojson").to_str().unwrap()],
    );
    let imported = ok(
        &db,
        &["import", city.join("assets.geojson").to_str().unwrap()],
    );
    assert!(
        imported.contains("3000 created, 0 updated, 0 rejected"),
        "{imported}"
    );
    // 3 May 2027 is a Monday in the watering season: box watering, tree watering (spread over
    // 14 days), inspections (spread over 30 days), park sanitation, dead-tree removal.
    let run = ok(
        &db,
        &[
            "schedule",
            "run",
            "--from",
            "2027-05-03",
            "--to",
            "2027-05-03",
        ],
    );
    let created: usize = run
        .split(": ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(created > 300, "{run}");
    let again = ok(
        &db,
        &[
            "schedule",
            "run",
            "--from",
            "2027-05-03",
            "--to",
            "2027-05-03",
        ],
    );
    assert!(again.contains(": 0 created"), "{again}");
}

/// Run every morning for its own day (the normal daily use), an interval rule without a start
/// date gives each asset one visit per interval: the first round's days do not move with
/// `--today`, and no run cancels what the one before planned.
#[test]
fn daily_runs_give_each_tree_one_first_round_visit_per_interval() {
    let dir = tempfile::tempdir().unwrap();
    let city = dir.path().join("city");
    let db = dir.path().join("c.db");
    let city_arg = city.to_str().unwrap();
    ok(
        &db,
        &["synth", "--assets", "600", "--seed", "3", "--out", city_arg],
    );
    ok(
        &db,
        &["init", "--site", city.join("site.toml").to_str().unwrap()],
    );
    for file in ["zones.geojson", "assets.geojson"] {
        ok(&db, &["import", city.join(file).to_str().unwrap()]);
    }
    // tree-watering: every 14 days in its season, no start date.
    let rules = std::fs::read_to_string(city.join("schedules/rules.toml")).unwrap();
    assert!(rules.contains("id = \"tree-watering\"") && rules.contains("every = \"14d\""));
    let days: Vec<String> = (3..=16).map(|d| format!("2027-05-{d:02}")).collect();
    for d in &days {
        let out = ok_on(&db, d, &["schedule", "run", "--from", d, "--to", d]);
        assert!(out.contains(" 0 cancelled (rule changed)"), "{d}: {out}");
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let trees = count(
        "SELECT count(*) FROM assets WHERE kind = 'tree' AND site_state = 'occupied'
         AND retired_reason IS NULL",
    );
    let visits = "FROM tasks WHERE rule_id = 'tree-watering'";
    assert!(trees > 300, "{trees}");
    // Fourteen daily runs: every occupied tree once, on its own day, spread over the days.
    assert_eq!(count(&format!("SELECT count(*) {visits}")), trees);
    assert_eq!(
        count(&format!("SELECT count(DISTINCT asset_id) {visits}")),
        trees
    );
    assert_eq!(
        count(&format!("SELECT count(DISTINCT due_date) {visits}")),
        14
    );
}
