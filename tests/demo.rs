//! The README's main command.

mod common;

use common::{fails, fixture, ok};

#[test]
fn demo_builds_a_fresh_barkhor_register_and_refuses_to_overwrite_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = ok(&db, &["demo"]);
    assert!(out.contains("1889 created, 0 updated, 0 rejected"), "{out}");
    assert!(out.contains("flower_box_group      354"), "{out}");
    assert!(out.contains("tree                 1500"), "{out}");
    assert!(out.contains("potala-square"), "{out}");
    // Running it again starts over: still 1,889 assets, not twice as many.
    let again = ok(&db, &["demo"]);
    assert!(again.contains("1889 created"), "{again}");
    let trees: Vec<serde_json::Value> = serde_json::from_str(&ok(
        &db,
        &["assets", "list", "--kind", "tree", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(trees.len(), 1500);
    let dead = trees.iter().filter(|t| t["condition"] == "dead").count();
    assert!((90..=200).contains(&dead), "{dead} dead trees");
    // A database with real data is never overwritten by the demo.
    let real = dir.path().join("real.db");
    ok(
        &real,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    let err = fails(&real, &["demo"]);
    assert!(err.contains("holds a register that is not a demo"), "{err}");
    assert!(ok(&real, &["assets", "list"]).contains("7 asset(s)"));
}
