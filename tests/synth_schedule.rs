//! A synthetic city end to end: synth, init, import, schedule a day.

mod common;

use common::ok;

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
