//! GeoJSON as real files write it: OSM lengths with unit suffixes, Paris keys, trees that only
//! say their genus, placeholder and ambiguous dates.

mod common;

use std::f64::consts::PI;
use std::path::Path;

use common::{fails, ok, snapshot};
use serde_json::Value;

/// The girth OSM mappers wrote for young street trees ("6.28 inches"): data, not τ.
#[allow(clippy::approx_constant)]
const GIRTH_IN: f64 = 6.28;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

/// An osmtogeojson-style node with these tags.
fn osm_node(id: u64, tags: &str) -> String {
    format!(
        r#"{{"type":"Feature","id":"node/{id}","properties":{{"type":"node","id":"{id}","tags":{{"natural":"tree",{tags}}},"relations":[],"meta":{{}}}},"geometry":{{"type":"Point","coordinates":[-76.72,39.26]}}}}"#
    )
}

fn list(db: &Path) -> Vec<Value> {
    serde_json::from_str(&ok(db, &["assets", "list", "--format", "json"])).unwrap()
}

fn by_osm_id<'a>(all: &'a [Value], id: &str) -> &'a Value {
    all.iter()
        .find(|a| a["osm:id"] == id)
        .unwrap_or_else(|| panic!("node {id} not imported"))
}

fn num(a: &Value, key: &str) -> f64 {
    a[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {a}"))
}

fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 0.5e-4,
        "{what}: stored {got}, expected {want}"
    );
}

#[test]
fn osm_lengths_with_unit_suffixes_are_converted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(
        dir.path(),
        "osm.geojson",
        &collection(&[
            osm_node(
                1,
                r#""circumference":"1.2 m","height":"20 ft","diameter_crown":"600 cm""#,
            ),
            osm_node(
                2,
                r#""circumference":"120 cm","height":"7'4\"","diameter_crown":"6""#,
            ),
            osm_node(3, r#""circumference":"6.28 inches","height":"12.5""#),
            osm_node(4, r#""circumference":"47.1 in","height":"1200 mm""#),
            osm_node(5, r#""circumference":"0.5""#),
            osm_node(6, r#""circumference":"0","height":"0 m""#),
        ]),
    );
    let out = ok(&db, &["import", &file]);
    assert!(out.contains("6 created, 0 updated, 0 rejected"), "{out}");
    let all = list(&db);
    let t = by_osm_id(&all, "1");
    assert_close(num(t, "dbh_cm"), 120.0 / PI, "1.2 m around");
    assert_close(num(t, "height_m"), 6.096, "20 ft");
    assert_eq!(num(t, "crown_m"), 6.0);
    let t = by_osm_id(&all, "2");
    assert_close(num(t, "dbh_cm"), 120.0 / PI, "120 cm around");
    assert_close(num(t, "height_m"), 7.0 * 0.3048 + 4.0 * 0.0254, "7'4\"");
    assert_eq!(num(t, "crown_m"), 6.0, "a bare number is metres");
    let t = by_osm_id(&all, "3");
    assert_close(num(t, "dbh_cm"), GIRTH_IN * 2.54 / PI, "6.28 inches around");
    assert_eq!(num(t, "height_m"), 12.5);
    let t = by_osm_id(&all, "4");
    assert_close(num(t, "dbh_cm"), 47.1 * 2.54 / PI, "47.1 in around");
    assert_eq!(num(t, "height_m"), 1.2);
    assert_close(
        num(by_osm_id(&all, "5"), "dbh_cm"),
        50.0 / PI,
        "0.5 m around",
    );
    let t = by_osm_id(&all, "6");
    assert!(
        t.get("dbh_cm").is_none()
            && t.get("height_m").is_none()
            && t.get("circumference").is_none(),
        "0 is unknown: {t}"
    );
}

#[test]
fn an_unreadable_length_is_refused_with_its_feature_and_tag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let good = write(
        dir.path(),
        "good.geojson",
        &collection(&[osm_node(1, r#""height":"9""#)]),
    );
    ok(&db, &["import", &good]);
    let before = snapshot(&db);
    let file = write(
        dir.path(),
        "osm.geojson",
        &collection(&[
            osm_node(2, r#""circumference":"1.2 m""#),
            osm_node(3, r#""circumference":"1.2 parsecs""#),
            osm_node(4, r#""height":"tall""#),
            osm_node(5, r#""diameter_crown":"-4 m""#),
        ]),
    );
    let err = fails(&db, &["import", &file]);
    for expect in [
        "3 invalid record(s); nothing was imported",
        "feature 1 (node/3): properties.tags.circumference: '1.2 parsecs': unknown unit 'parsecs' (use mm, cm, m, in or ft)",
        "feature 2 (node/4): properties.tags.height: 'tall' is not a number",
        "feature 3 (node/5): properties.tags.diameter_crown: '-4 m' is negative",
    ] {
        assert!(err.contains(expect), "expected «{expect}» in:\n{err}");
    }
    assert_eq!(snapshot(&db), before);
    // Flat properties (not osmtogeojson) name the property.
    let flat = write(
        dir.path(),
        "flat.geojson",
        r#"{"type":"Feature","id":"t9","properties":{"natural":"tree","height":"3 furlongs"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
    );
    let err = fails(&db, &["import", &flat]);
    assert!(
        err.contains("feature 0 (t9): properties.height: '3 furlongs': unknown unit 'furlongs'"),
        "{err}"
    );
}

fn paris_feature(idbase: u64, genre: &str, espece: &str, circ: u32, h: u32) -> String {
    format!(
        r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[2.35,48.85]}},"properties":{{"idbase":{idbase},"typeemplacement":"Arbre","domanialite":"Jardin","arrondissement":"PARIS 5E ARRDT","complementadresse":null,"adresse":"SQUARE","idemplacement":"000101013","libellefrancais":"Arbre {idbase}","genre":{genre},"espece":{espece},"varieteoucultivar":null,"circonferenceencm":{circ},"hauteurenm":{h},"stadedeveloppement":null,"remarquable":"NON"}}}}"#
    )
}

#[test]
fn paris_keys_map_like_the_paris_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(
        dir.path(),
        "arbres.geojson",
        &collection(&[
            paris_feature(11, r#""Tilia""#, r#""tomentosa""#, 95, 12),
            paris_feature(12, r#""Prunus""#, r#""sp.""#, 0, 0),
            paris_feature(13, r#""Sorbus""#, "null", 30, 4),
            paris_feature(14, "null", r#""avium""#, 30, 4),
        ]),
    );
    let out = ok(&db, &["import", &file]);
    assert!(out.contains("4 created, 0 updated, 0 rejected"), "{out}");
    assert!(out.contains("by kind: tree 4"), "no --kind needed: {out}");
    let all = list(&db);
    let find = |fr: &str| {
        all.iter()
            .find(|a| a["species:fr"] == fr)
            .unwrap_or_else(|| panic!("{fr}"))
    };
    let t = find("Arbre 11");
    assert_eq!(t["species"], "Tilia tomentosa");
    assert_eq!(t["genus"], "Tilia");
    assert_close(num(t, "dbh_cm"), 95.0 / PI, "95 cm around");
    assert_eq!(num(t, "height_m"), 12.0);
    assert_eq!(t["domanialite"], "Jardin");
    assert!(
        t.get("idbase").is_none() && t.get("complementadresse").is_none(),
        "{t}"
    );
    let t = find("Arbre 12");
    assert!(t.get("species").is_none(), "sp.: {t}");
    assert_eq!(t["genus"], "Prunus");
    assert!(
        t.get("dbh_cm").is_none() && t.get("height_m").is_none(),
        "0 is unknown"
    );
    assert_eq!(find("Arbre 13")["genus"], "Sorbus");
    assert_eq!(
        find("Arbre 14")["espece"],
        "avium",
        "a lone epithet stays a tag"
    );
    let csv_text = ok(&db, &["export", "--format", "csv"]);
    assert!(
        csv_text.contains(",arbres.geojson,11,"),
        "idbase is the source id"
    );
    let again = ok(&db, &["import", &file]);
    assert!(again.contains("0 created, 4 updated"), "{again}");
}

#[test]
fn points_naming_a_genus_or_species_are_trees_without_kind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let point = |id: &str, props: &str| {
        format!(
            r#"{{"type":"Feature","id":"{id}","properties":{{{props}}},"geometry":{{"type":"Point","coordinates":[91.1,29.6]}}}}"#
        )
    };
    let file = write(
        dir.path(),
        "mixed.geojson",
        &collection(&[
            point("a", r#""genus":"Salix""#),
            point("b", r#""species:en":"Siberian elm""#),
            point("c", r#""genre":"Ulmus","espece":"pumila""#),
            point("d", r#""circumference":"80 cm""#),
        ]),
    );
    let out = ok(&db, &["import", &file]);
    assert!(out.contains("by kind: tree 4"), "{out}");
    // A line naming a genus is not a tree; it still needs a kind.
    let line = write(
        dir.path(),
        "line.geojson",
        r#"{"type":"Feature","id":"l","properties":{"genus":"Salix"},"geometry":{"type":"LineString","coordinates":[[91.1,29.6],[91.2,29.6]]}}"#,
    );
    let err = fails(&db, &["import", &line]);
    assert!(
        err.contains("feature 0 (l): properties.kind: missing"),
        "{err}"
    );
}

#[test]
fn geojson_dates_share_the_csv_rules() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let tree = |id: &str, planted: &str| {
        format!(
            r#"{{"type":"Feature","id":"{id}","properties":{{"kind":"tree","planted":"{planted}"}},"geometry":{{"type":"Point","coordinates":[91.1,29.6]}}}}"#
        )
    };
    let file = write(
        dir.path(),
        "dates.geojson",
        &collection(&[
            tree("a", "1900-01-01"),
            tree("b", "2011-05-04"),
            tree("c", "03/04/2010"),
        ]),
    );
    let err = fails(&db, &["import", &file]);
    assert!(
        err.contains("feature 2 (c): properties.planted: '03/04/2010' is ambiguous"),
        "{err}"
    );
    ok(&db, &["import", &file, "--date-format", "mdy"]);
    let mut planted: Vec<String> = list(&db)
        .iter()
        .map(|a| a["planted"].as_str().unwrap_or("unknown").to_string())
        .collect();
    planted.sort();
    assert_eq!(
        planted,
        ["2010-03-04", "2011-05-04", "unknown"],
        "1900-01-01 is a placeholder"
    );
    // OSM start_date that is not a date stays a tag.
    let osm = write(
        dir.path(),
        "osm.geojson",
        &collection(&[
            osm_node(1, r#""start_date":"~1950""#),
            osm_node(2, r#""start_date":"1987""#),
        ]),
    );
    ok(&db, &["import", &osm]);
    let all = list(&db);
    assert_eq!(by_osm_id(&all, "1")["start_date"], "~1950");
    assert_eq!(by_osm_id(&all, "2")["planted"], "1987-01-01");
}

#[test]
fn map_is_for_csv_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(
        dir.path(),
        "one.geojson",
        &collection(&[osm_node(1, r#""height":"9""#)]),
    );
    let err = fails(&db, &["import", &file, "--map", "height=height_ft"]);
    assert!(err.contains("--map names CSV columns"), "{err}");
}
