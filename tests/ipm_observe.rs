//! `greenward observe` end to end, and the scheduler's query of observations over the action
//! threshold.

mod common;

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use common::{fails, fixture, ok};
use greenward::ipm;
use greenward::store::Store;

/// A database holding the every-kind fixture: TR-TST-001 is a Salix matsudana, RW-TST-001 a row
/// of Populus, FB-TST-001 a box group of petunias.
fn register(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("t.db");
    ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    db
}

#[test]
fn an_observation_is_recorded_and_compared_with_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let db = register(dir.path());
    let out = ok(
        &db,
        &[
            "observe",
            "TR-TST-001",
            "--pest",
            "willow_sawfly",
            "--severity",
            "2",
            "--pct-crown",
            "15",
            "--by",
            "dawa",
            "--note",
            "larvae on the lower crown",
        ],
    );
    assert_eq!(
        out,
        "observation 1: TR-TST-001 willow_sawfly (willow sawfly) severity 2, 15 % of the crown on 2027-05-10\n\
         at or over the action threshold 2: a treatment is needed (spraying hours 00:00-05:00)\n"
    );
    let out = ok(
        &db,
        &[
            "observe",
            "TR-TST-001",
            "--pest",
            "asian_longhorned_beetle",
            "--severity",
            "1",
        ],
    );
    assert!(
        out.ends_with("below the action threshold 2: no treatment\n"),
        "{out}"
    );

    let store = Store::open(&db).unwrap();
    let all = store.read().observations(None, None).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].asset_ref, "TR-TST-001");
    assert_eq!(all[0].pest_id, "willow_sawfly");
    assert_eq!(all[0].severity, 2);
    assert_eq!(all[0].pct_crown, Some(15.0));
    assert_eq!(
        all[0].observed_at,
        NaiveDate::from_ymd_opt(2027, 5, 10).unwrap()
    );
    assert_eq!(all[0].observer.as_deref(), Some("dawa"));
    assert_eq!(all[0].note.as_deref(), Some("larvae on the lower crown"));
    assert_eq!(all[1].pct_crown, None);
}

#[test]
fn bad_observations_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = register(dir.path());
    let err = fails(
        &db,
        &[
            "observe",
            "TR-TST-001",
            "--pest",
            "locusts",
            "--severity",
            "2",
        ],
    );
    assert!(
        err.contains("--pest locusts: not a pest of schedules/barkhor/pests.toml; known: willow_sawfly, asian_longhorned_beetle, scale_crawlers, conifer_spider_mite, aphids, elm_leaf_beetle"),
        "{err}"
    );
    let err = fails(
        &db,
        &[
            "observe",
            "TR-NOPE-9",
            "--pest",
            "willow_sawfly",
            "--severity",
            "2",
        ],
    );
    assert!(err.contains("TR-NOPE-9: no asset has this ref"), "{err}");
    let err = fails(
        &db,
        &[
            "observe",
            "TR-TST-001",
            "--pest",
            "willow_sawfly",
            "--severity",
            "4",
        ],
    );
    assert!(err.contains("4 is not in 0..=3"), "{err}");
    let err = fails(
        &db,
        &[
            "observe",
            "TR-TST-001",
            "--pest",
            "willow_sawfly",
            "--severity",
            "1",
            "--pct-crown",
            "120",
        ],
    );
    assert!(
        err.contains("--pct-crown 120: the share of the crown must be between 0 and 100 %"),
        "{err}"
    );
    ok(
        &db,
        &[
            "assets",
            "retire",
            "FB-TST-001",
            "--reason",
            "square redesigned",
        ],
    );
    let err = fails(
        &db,
        &[
            "observe",
            "FB-TST-001",
            "--pest",
            "aphids",
            "--severity",
            "1",
        ],
    );
    assert!(
        err.contains("FB-TST-001: the asset is retired (square redesigned)"),
        "{err}"
    );
    let store = Store::open(&db).unwrap();
    assert!(store.read().observations(None, None).unwrap().is_empty());
}

#[test]
fn a_non_host_is_recorded_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let db = register(dir.path());
    let out = common::run(
        &db,
        &[
            "observe",
            "RW-TST-001",
            "--pest",
            "willow_sawfly",
            "--severity",
            "0",
        ],
    );
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "note: RW-TST-001 is not on the host list of willow_sawfly (Salix); recorded anyway\n"
    );
    // The poplar row is a host of the Asian longhorned beetle: no note.
    let out = common::run(
        &db,
        &[
            "observe",
            "RW-TST-001",
            "--pest",
            "asian_longhorned_beetle",
            "--severity",
            "0",
        ],
    );
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn outside_the_project_the_built_in_pest_file_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let db = register(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_greenward"))
        .current_dir(dir.path())
        .args(["--db", db.to_str().unwrap(), "--today", "2027-08-15"])
        .args([
            "observe",
            "TR-TST-001",
            "--pest",
            "willow_sawfly",
            "--severity",
            "3",
        ])
        .env_remove("GREENWARD_DB")
        .env_remove("GREENWARD_TODAY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_greenward"))
        .current_dir(dir.path())
        .args(["--db", db.to_str().unwrap(), "--today", "2027-08-15"])
        .args([
            "observe",
            "TR-TST-001",
            "--pest",
            "locusts",
            "--severity",
            "3",
        ])
        .env_remove("GREENWARD_DB")
        .env_remove("GREENWARD_TODAY")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--pest locusts: not a pest of schedules/barkhor/pests.toml (built in); known: willow_sawfly,"),
        "{err}"
    );
    // A site whose schedules folder has its own pests.toml uses it: a threshold of 3.
    let site_dir = dir.path().join("mycity");
    std::fs::create_dir_all(site_dir.join("sched")).unwrap();
    std::fs::write(
        site_dir.join("site.toml"),
        "[site]\nname = \"My city\"\ntimezone = \"Asia/Shanghai\"\nlatitude = 30\nlongitude = 91\naltitude_m = 3600\nschedules = \"mycity/sched\"\n",
    )
    .unwrap();
    std::fs::write(
        site_dir.join("sched/pests.toml"),
        "[[pest]]\nid = \"willow_sawfly\"\nnames = { latin = \"Nematus hequensis\" }\nhosts = [\"Salix\"]\naction_threshold = 3\n[pest.calendar]\nwindow = \"08-20..09-05\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_greenward"))
            .current_dir(dir.path())
            .args(["--db", db.to_str().unwrap(), "--today", "2027-08-15"])
            .args(args)
            .env_remove("GREENWARD_DB")
            .env_remove("GREENWARD_TODAY")
            .output()
            .unwrap()
    };
    assert!(
        run(&["init", "--site", "mycity/site.toml"])
            .status
            .success()
    );
    let out = run(&[
        "observe",
        "TR-TST-001",
        "--pest",
        "willow_sawfly",
        "--severity",
        "2",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("below the action threshold 3: no treatment"),
        "{text}"
    );
    let out = run(&[
        "observe",
        "TR-TST-001",
        "--pest",
        "aphids",
        "--severity",
        "2",
    ]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--pest aphids: not a pest of mycity/sched/pests.toml; known: willow_sawfly"),
        "{err}"
    );
}

#[test]
fn the_latest_observation_over_the_threshold_is_what_the_scheduler_sees() {
    let dir = tempfile::tempdir().unwrap();
    let db = register(dir.path());
    let observe = |today: &str, asset: &str, severity: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_greenward"))
            .args(["--db", db.to_str().unwrap(), "--today", today])
            .args([
                "observe",
                asset,
                "--pest",
                "asian_longhorned_beetle",
                "--severity",
                severity,
            ])
            .env_remove("GREENWARD_DB")
            .env_remove("GREENWARD_TODAY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    observe("2027-06-10", "TR-TST-001", "3");
    observe("2027-06-11", "RW-TST-001", "1");
    observe("2027-06-12", "RW-TST-001", "2");
    let pests = ipm::embedded_barkhor_pests();
    let alb = pests.get("asian_longhorned_beetle").unwrap();
    let since = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
    let refs = |store: &Store, since: NaiveDate| -> Vec<(String, u8, String)> {
        store
            .read()
            .observations_over_threshold(alb, since)
            .unwrap()
            .into_iter()
            .map(|o| (o.asset_ref, o.severity, o.observed_at.to_string()))
            .collect()
    };
    let store = Store::open(&db).unwrap();
    assert_eq!(
        refs(&store, since),
        [
            ("TR-TST-001".to_string(), 3, "2027-06-10".to_string()),
            ("RW-TST-001".to_string(), 2, "2027-06-12".to_string()),
        ]
    );
    drop(store);
    // After the treatment a new visit finds little: the willow leaves the list.
    observe("2027-06-20", "TR-TST-001", "1");
    let store = Store::open(&db).unwrap();
    assert_eq!(
        refs(&store, since),
        [("RW-TST-001".to_string(), 2, "2027-06-12".to_string())]
    );
    // Observations before `since` do not count.
    assert!(refs(&store, NaiveDate::from_ymd_opt(2027, 6, 13).unwrap()).is_empty());
    // Another pest's observations are not mixed in.
    let sawfly = pests.get("willow_sawfly").unwrap();
    assert!(
        store
            .read()
            .observations_over_threshold(sawfly, since)
            .unwrap()
            .is_empty()
    );
}
