//! The asset register end to end through the binary: GeoJSON import and export, validation,
//! atomicity, upserts, zones, edits and history.

mod common;

use common::{fails, fixture, ok, run, shared_file, snapshot};
use serde_json::Value;

fn features(geojson: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(geojson).expect("export is JSON");
    assert_eq!(v["type"], "FeatureCollection");
    v["features"].as_array().unwrap().clone()
}

fn by_ref<'a>(fs: &'a [Value], r: &str) -> &'a Value {
    fs.iter()
        .find(|f| f["properties"]["ref"] == r)
        .unwrap_or_else(|| panic!("{r} not exported"))
}

#[test]
fn each_kind_round_trips_geojson_store_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let input_text = std::fs::read_to_string(fixture("every_kind.geojson")).unwrap();
    let input = features(&input_text);
    let out = ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    assert!(out.contains("7 created, 0 updated, 0 rejected"), "{out}");
    let exported = features(&snapshot(&db));
    assert_eq!(exported.len(), 8, "1 zone + 7 assets");
    for f in &input {
        let r = f["properties"]["ref"]
            .as_str()
            .unwrap_or_else(|| f["properties"]["name"].as_str().unwrap());
        let e = by_ref(&exported, r);
        assert_eq!(e["geometry"], f["geometry"], "{r}: geometry");
        for (k, v) in f["properties"].as_object().unwrap() {
            if k == "name" && f["properties"]["kind"] == "zone" {
                continue; // a zone's name is its ref
            }
            let got = &e["properties"][k];
            let same = got == v || (got.as_f64().is_some() && got.as_f64() == v.as_f64());
            assert!(same, "{r}: property {k}: exported {got}, imported {v}");
        }
        if f["properties"]["kind"] != "zone" {
            assert_eq!(
                e["properties"]["zone"], "test-square",
                "{r} assigned to its zone"
            );
        }
    }
    // The export imports back as updates of the same assets: no duplicates.
    let back = dir.path().join("export.geojson");
    std::fs::write(&back, snapshot(&db)).unwrap();
    let again = ok(
        &db,
        &[
            "import",
            back.to_str().unwrap(),
            "--source",
            "every_kind.geojson",
        ],
    );
    assert!(again.contains("0 created"), "{again}");
}

#[test]
fn real_osm_trees_import_as_they_are() {
    let Some(osm) = shared_file("osm_trees_catonsville.geojson") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = ok(&db, &["import", osm.to_str().unwrap()]);
    assert!(out.contains("301 created, 0 updated, 0 rejected"), "{out}");
    let list: Vec<Value> = serde_json::from_str(&ok(
        &db,
        &["assets", "list", "--kind", "tree", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(list.len(), 301);
    let csv = ok(&db, &["export", "--format", "csv"]);
    let first = csv
        .lines()
        .find(|l| l.contains("node/3570833810"))
        .expect("first OSM node exported");
    assert!(first.contains("-76.7750078,39.3078269"), "{first}");
    // Unknown OSM tags are kept as tags, not dropped.
    let all = snapshot(&db);
    assert!(all.contains("\"leaf_type\""), "leaf_type tag kept");
    // Re-import: upserts, no duplicates.
    let again = ok(&db, &["import", osm.to_str().unwrap()]);
    assert!(again.contains("0 created, 301 updated"), "{again}");
    let list: Vec<Value> =
        serde_json::from_str(&ok(&db, &["assets", "list", "--format", "json"])).unwrap();
    assert_eq!(list.len(), 301);
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const GOOD_TREE: &str = r#"{"type":"Feature","id":"t1","properties":{"kind":"tree","ref":"TR-1"},"geometry":{"type":"Point","coordinates":[91.13,29.65]}}"#;

#[test]
fn invalid_files_are_refused_whole_and_leave_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    let before = snapshot(&db);
    let bad_features = [
        (
            r#"{"type":"feature","geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "feature 1: type: must be \"Feature\"",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[91.1,95.0]}}"#,
            "feature 1 (x): geometry.coordinates: latitude 95 is outside -90..90",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[91.1]}}"#,
            "a position needs 2 or 3 numbers, found 1",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"park"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}"#,
            "linear ring is not closed",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"water_feature"},"geometry":{"type":"LineString","coordinates":[[0,0]]}}"#,
            "a line needs at least 2 positions",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"tree"},"geometry":null}"#,
            "geometry: missing or null",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":"tree","geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "properties: must be an object or null",
        ),
        (
            r#"{"type":"Feature","id":{"a":1},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "id: must be a string or a number",
        ),
        (
            r#"{"type":"Feature","id":"x","bbox":[1,2,3],"properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "bbox: must have 4 or 6 numbers",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"tree","dbh_cm":"thick"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "feature 1 (x): properties.dbh_cm: is not a non-negative number",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"shrub"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "feature 1 (x): properties.kind: 'shrub' is not one of",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"kind":"tree","condition":"splendid"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "properties.condition: 'splendid' is not one of",
        ),
        (
            r#"{"type":"Feature","id":"x","properties":{"note":"what am I"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            "properties.kind: missing",
        ),
    ];
    for (i, (bad, expect)) in bad_features.iter().enumerate() {
        let file = write(
            dir.path(),
            &format!("bad{i}.geojson"),
            &format!(r#"{{"type":"FeatureCollection","features":[{GOOD_TREE},{bad}]}}"#),
        );
        let err = fails(&db, &["import", &file]);
        assert!(
            err.contains(expect),
            "case {i}: expected «{expect}» in:\n{err}"
        );
        assert!(
            err.contains("nothing was imported") && err.contains("--skip-invalid"),
            "case {i}: {err}"
        );
        assert_eq!(snapshot(&db), before, "case {i}: database changed");
    }
    let bad_files = [
        (
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2326"}},"features":[]}"#,
            "the file is projected (crs urn:ogc:def:crs:EPSG::2326)",
        ),
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature""#,
            "not valid JSON",
        ),
        (
            r#"{"type":"Topology","features":[]}"#,
            "root \"type\" is \"Topology\"",
        ),
        (
            r#"{"type":"FeatureCollection","bbox":[0,0],"features":[]}"#,
            "root bbox: must have 4 or 6 numbers",
        ),
    ];
    for (i, (bad, expect)) in bad_files.iter().enumerate() {
        let file = write(dir.path(), &format!("badfile{i}.geojson"), bad);
        let err = fails(&db, &["import", &file, "--skip-invalid"]);
        assert!(
            err.contains(expect),
            "file case {i}: expected «{expect}» in:\n{err}"
        );
        assert_eq!(snapshot(&db), before, "file case {i}: database changed");
    }
}

#[test]
fn skip_invalid_imports_the_rest_and_writes_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let bad = r#"{"type":"Feature","id":"broken","properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[500,2]}}"#;
    let file = write(
        dir.path(),
        "mixed.geojson",
        &format!(r#"{{"type":"FeatureCollection","features":[{GOOD_TREE},{bad}]}}"#),
    );
    let report = dir.path().join("rejected.txt");
    let out = ok(
        &db,
        &[
            "import",
            &file,
            "--skip-invalid",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(out.contains("1 created, 0 updated, 1 rejected"), "{out}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        text.trim(),
        "feature 1 (broken): geometry.coordinates: longitude 500 is outside -180..180 (is the file projected, or are lon and lat swapped?)"
    );
    assert!(ok(&db, &["assets", "show", "TR-1"]).contains("TR-1"));
}

#[test]
fn ndjson_and_single_feature_files_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let second = GOOD_TREE
        .replace("\"t1\"", "\"t2\"")
        .replace("TR-1", "TR-2");
    let nd = write(
        dir.path(),
        "trees.ndjson",
        &format!("{GOOD_TREE}\n{second}\n"),
    );
    assert!(ok(&db, &["import", &nd]).contains("2 created"));
    let single = write(
        dir.path(),
        "one.geojson",
        &GOOD_TREE
            .replace("\"t1\"", "\"t9\"")
            .replace("TR-1", "TR-9"),
    );
    assert!(ok(&db, &["import", &single]).contains("1 created"));
}

#[test]
fn ids_from_different_sources_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let a = write(
        dir.path(),
        "a.geojson",
        r#"{"type":"Feature","id":1,"properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
    );
    let b = write(
        dir.path(),
        "b.geojson",
        r#"{"type":"Feature","id":1,"properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[3,4]}}"#,
    );
    assert!(ok(&db, &["import", &a]).contains("1 created"));
    assert!(ok(&db, &["import", &b]).contains("1 created"));
    assert!(ok(&db, &["import", &a]).contains("0 created, 1 updated"));
    let list: Vec<Value> =
        serde_json::from_str(&ok(&db, &["assets", "list", "--format", "json"])).unwrap();
    assert_eq!(list.len(), 2);
}

#[test]
fn zones_smallest_container_wins_named_zones_are_created_outside_goes_unzoned() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let square = |name: &str, x0: f64, y0: f64, s: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"kind":"zone","name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#,
            x1 = x0 + s,
            y1 = y0 + s
        )
    };
    let tree = |id: &str, x: f64, y: f64, zone: Option<&str>| {
        let z = zone
            .map(|z| format!(r#","zone":"{z}""#))
            .unwrap_or_default();
        format!(
            r#"{{"type":"Feature","id":"{id}","properties":{{"kind":"tree","ref":"{id}"{z}}},"geometry":{{"type":"Point","coordinates":[{x},{y}]}}}}"#
        )
    };
    let zones = write(
        dir.path(),
        "zones.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("district", 91.0, 29.0, 0.1),
            square("pocket", 91.02, 29.02, 0.01)
        ),
    );
    assert!(ok(&db, &["import", &zones]).contains("zones: 2 from polygons"));
    let trees = write(
        dir.path(),
        "trees.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{},{}]}}"#,
            tree("in-pocket", 91.025, 29.025, None),
            tree("in-district", 91.05, 29.05, None),
            tree("outside", 92.0, 29.0, None),
            tree("named", 91.025, 29.025, Some("festival-route"))
        ),
    );
    let out = ok(&db, &["import", &trees]);
    assert!(
        out.contains("new zones (named by assets, no polygon yet): festival-route"),
        "{out}"
    );
    assert!(
        out.contains("1 asset(s) outside every zone went to 'unzoned'"),
        "{out}"
    );
    let list: Vec<Value> =
        serde_json::from_str(&ok(&db, &["assets", "list", "--format", "json"])).unwrap();
    let zone_of = |r: &str| {
        list.iter().find(|a| a["ref"] == r).unwrap()["zone"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(zone_of("in-pocket"), "pocket");
    assert_eq!(zone_of("in-district"), "district");
    assert_eq!(zone_of("outside"), "unzoned");
    assert_eq!(zone_of("named"), "festival-route");
    let zl = ok(&db, &["zones", "list", "--format", "csv"]);
    assert!(zl.contains("festival-route,,,,,1"), "{zl}");
}

#[test]
fn edits_are_audited_and_bad_edits_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    let out = ok(
        &db,
        &[
            "assets",
            "set",
            "TR-TST-001",
            "dbh_cm=33",
            "condition=poor",
            "--by",
            "dawa",
        ],
    );
    assert!(out.contains("TR-TST-001: dbh_cm 31.5 -> 33"), "{out}");
    assert!(out.contains("TR-TST-001: condition fair -> poor"), "{out}");
    let show = ok(&db, &["assets", "show", "TR-TST-001"]);
    assert!(
        show.contains("edit by dawa: condition fair -> poor"),
        "{show}"
    );
    assert!(show.contains("edit by dawa: dbh_cm 31.5 -> 33"), "{show}");
    let before = snapshot(&db);
    assert!(
        fails(&db, &["assets", "set", "TR-TST-001", "dbh_cm=huge"])
            .contains("TR-TST-001: dbh_cm: is not a non-negative number")
    );
    assert!(
        fails(&db, &["assets", "set", "TR-TST-001", "colour=red"])
            .contains("'colour' is not an editable field")
    );
    assert!(
        fails(&db, &["assets", "set", "FB-TST-001", "dbh_cm=3"])
            .contains("dbh_cm does not apply to a flower_box_group")
    );
    assert!(
        fails(&db, &["assets", "set", "TR-TST-001", "zone=atlantis"])
            .contains("zone 'atlantis' does not exist")
    );
    assert!(
        fails(&db, &["assets", "set", "NOPE", "dbh_cm=3"]).contains("no asset with ref 'NOPE'")
    );
    assert!(
        fails(&db, &["assets", "set", "TR-TST-001", "dbh_cm"])
            .contains("must be written field=value")
    );
    assert_eq!(snapshot(&db), before);
    ok(
        &db,
        &[
            "assets",
            "retire",
            "WF-TST-002",
            "--reason",
            "stream piped underground",
        ],
    );
    let list = ok(&db, &["assets", "list"]);
    assert!(!list.contains("WF-TST-002"), "retired assets leave lists");
    assert!(
        fails(
            &db,
            &["assets", "retire", "WF-TST-002", "--reason", "again"]
        )
        .contains("already retired")
    );
}

#[test]
fn a_tree_replaced_on_its_site_keeps_the_site_and_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    ok(&db, &["assets", "set", "TR-TST-001", "condition=dead"]);
    ok(&db, &["assets", "set", "TR-TST-001", "site_state=stump"]);
    ok(&db, &["assets", "set", "TR-TST-001", "site_state=vacant"]);
    let out = ok(
        &db,
        &[
            "assets",
            "replace",
            "TR-TST-001",
            "species=Ulmus pumila",
            "dbh_cm=6",
            "--reason",
            "dead tree removed",
            "--by",
            "crew-2",
        ],
    );
    assert!(out.contains("new occupant from 2027-05-10"), "{out}");
    let show = ok(&db, &["assets", "show", "TR-TST-001"]);
    assert!(show.contains("species          Ulmus pumila"), "{show}");
    assert!(show.contains("planted          2027-05-10"), "{show}");
    assert!(show.contains("site_state       occupied"), "{show}");
    assert!(show.contains("condition        good"), "{show}");
    // The earlier occupant is archived, and every step is in the history.
    assert!(
        show.contains("#1 ended 2027-05-10 (dead tree removed)"),
        "{show}"
    );
    assert!(
        show.contains("Salix matsudana"),
        "the old occupant's species is kept: {show}"
    );
    assert!(show.contains("condition fair -> dead"), "{show}");
    assert!(show.contains("site_state stump -> vacant"), "{show}");
    assert!(
        show.contains("replace by crew-2: new occupant (dead tree removed)"),
        "{show}"
    );
    // Same ref, same place: still one asset.
    let trees: Vec<Value> = serde_json::from_str(&ok(
        &db,
        &["assets", "list", "--kind", "tree", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(trees.len(), 1);
    assert!(
        fails(&db, &["assets", "replace", "PK-TST-001", "--reason", "x"])
            .contains("not a planting site")
    );
}

#[test]
fn exported_geojson_opens_in_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    let out = dir.path().join("out.geojson");
    ok(
        &db,
        &[
            "export",
            "--format",
            "geojson",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let ogr = std::process::Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&out)
        .output();
    let Ok(ogr) = ogr else {
        eprintln!("SKIPPED: ogrinfo (Debian gdal-bin) is not installed; .ci/run installs it");
        return;
    };
    let text = String::from_utf8_lossy(&ogr.stdout);
    assert!(
        ogr.status.success(),
        "ogrinfo failed: {}",
        String::from_utf8_lossy(&ogr.stderr)
    );
    assert!(text.contains("Feature Count: 8"), "{text}");
    assert!(text.contains("WGS 84"), "{text}");
}

#[test]
fn no_panic_on_a_missing_file_or_a_bad_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(
        fails(&db, &["import", "/no/such/file.geojson"])
            .contains("cannot read /no/such/file.geojson")
    );
    assert!(fails(&db, &["import", "trees.xlsx"]).contains("unsupported file type"));
    let out = run(&db, &["assets", "show"]);
    assert_eq!(out.status.code(), Some(2));
}
