//! Real city inventories imported as they are published (`../shared/testdata`): the NYC street
//! tree census CSV, the Paris "les arbres" GeoJSON, OpenStreetMap trees with unit suffixes.
//! Each test skips with a printed reason when `../shared` is absent.

mod common;

use std::collections::HashMap;
use std::f64::consts::PI;
use std::path::Path;

use common::{ok, shared_file};
use serde_json::Value;

/// The girth OSM mappers wrote for young street trees ("6.28 inches"): data, not τ.
#[allow(clippy::approx_constant)]
const GIRTH_IN: f64 = 6.28;

/// Every asset as `assets list --format json` shows it, keyed by its source id (from the CSV
/// export, which carries provenance).
fn by_source_id(db: &Path) -> HashMap<String, Value> {
    let csv_text = ok(db, &["export", "--format", "csv"]);
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (ref_col, id_col) = (col("ref"), col("source_id"));
    let ref_to_id: HashMap<String, String> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[ref_col].to_string(), r[id_col].to_string())
        })
        .collect();
    let list: Vec<Value> =
        serde_json::from_str(&ok(db, &["assets", "list", "--format", "json"])).unwrap();
    list.into_iter()
        .map(|a| (ref_to_id[a["ref"].as_str().unwrap()].clone(), a))
        .collect()
}

fn num(a: &Value, key: &str) -> f64 {
    a[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {a}"))
}

/// Converted sizes are stored to 4 decimals.
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 0.5e-4,
        "{what}: stored {got}, expected {want}"
    );
}

#[test]
fn nyc_street_tree_census_sample_imports_as_it_is() {
    let Some(nyc) = shared_file("nyc_2015_street_tree_census_sample.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = ok(&db, &["import", nyc.to_str().unwrap()]);
    assert!(out.contains("143 created, 0 updated, 0 rejected"), "{out}");
    assert!(out.contains("by kind: tree 143"), "{out}");
    let trees = by_source_id(&db);
    assert_eq!(trees.len(), 143);

    // tree_id 3: a 24-inch pin oak in good health on Manida Street, the Bronx.
    let t = &trees["3"];
    assert_close(num(t, "dbh_cm"), 24.0 * 2.54, "tree 3 dbh");
    assert_eq!(t["species"], "Quercus palustris");
    assert_eq!(t["species:en"], "pin oak");
    assert_eq!(t["condition"], "good");
    assert_eq!(t["site_state"], "occupied");
    assert_eq!((num(t, "lon"), num(t, "lat")), (-73.889175, 40.8164668));
    // Columns with no field of ours are kept as tags, under their own names.
    assert_eq!(t["address"], "766 MANIDA STREET");
    assert_eq!(t["curb_loc"], "OnCurb");
    assert_eq!(t["nta_name"], "Hunts Point");

    // tree_id 7: a 3-inch silver birch in poor health.
    let t = &trees["7"];
    assert_close(num(t, "dbh_cm"), 3.0 * 2.54, "tree 7 dbh");
    assert_eq!(t["condition"], "poor");
    assert_eq!(t["species"], "Betula pendula");

    // tree_id 39: a stump; its tree_dbh 0 is unknown, not zero.
    let t = &trees["39"];
    assert_eq!(t["site_state"], "stump");
    assert!(t.get("dbh_cm").is_none(), "{t}");
    assert_eq!(t["stump_diam"], "31");

    // tree_id 122: Dead is an occupied site whose tree is dead.
    let t = &trees["122"];
    assert_eq!(t["site_state"], "occupied");
    assert_eq!(t["condition"], "dead");
    assert_close(num(t, "dbh_cm"), 5.0 * 2.54, "tree 122 dbh");

    let count = |key: &str, value: &str| trees.values().filter(|t| t[key] == value).count();
    assert_eq!(count("site_state", "stump"), 3);
    assert_eq!(count("condition", "dead"), 2);
    assert_eq!(count("condition", "good"), 88);
    assert_eq!(count("condition", "fair"), 34);
    assert_eq!(count("condition", "poor"), 16);

    // Re-import: the census tree_id is the upsert key; no duplicates.
    let again = ok(&db, &["import", nyc.to_str().unwrap()]);
    assert!(again.contains("0 created, 143 updated"), "{again}");
    assert_eq!(by_source_id(&db).len(), 143);
}

#[test]
fn paris_les_arbres_geojson_imports_as_it_is() {
    let Some(paris) = shared_file("paris_les_arbres.geojson") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // No --kind: points with genre/espece are trees.
    let out = ok(&db, &["import", paris.to_str().unwrap()]);
    assert!(out.contains("3542 created, 0 updated, 0 rejected"), "{out}");
    assert!(out.contains("by kind: tree 3542"), "{out}");
    let trees = by_source_id(&db);
    assert_eq!(
        trees.len(),
        3542,
        "idbase is the source id, unique per tree"
    );

    // idbase 2018169: a young pear, circonferenceencm 20 -> DBH 20/π cm, hauteurenm 2.
    let t = &trees["2018169"];
    assert_eq!(t["species"], "Pyrus communis");
    assert_eq!(t["genus"], "Pyrus");
    assert_eq!(t["species:fr"], "Poirier à fruits");
    assert_close(num(t, "dbh_cm"), 20.0 / PI, "2018169 dbh");
    assert_eq!(num(t, "height_m"), 2.0);
    assert_eq!(t["varieteoucultivar"], "''Duchesse d''Angoulême''");
    assert_eq!(t["arrondissement"], "PARIS 19E ARRDT");
    assert!(t.get("idbase").is_none(), "idbase is provenance, not a tag");

    // idbase 108926: a Cornelian cherry of 160 cm girth, 8 m.
    let t = &trees["108926"];
    assert_eq!(t["species"], "Cornus mas");
    assert_close(num(t, "dbh_cm"), 160.0 / PI, "108926 dbh");
    assert_eq!(num(t, "height_m"), 8.0);

    // idbase 2018928: circonferenceencm 0 and hauteurenm 0 mean not measured.
    let t = &trees["2018928"];
    assert_eq!(t["species"], "Crataegus laevigata");
    assert!(
        t.get("dbh_cm").is_none() && t.get("height_m").is_none(),
        "{t}"
    );

    // idbase 104750: espece "sp." names only the genus.
    let t = &trees["104750"];
    assert!(t.get("species").is_none(), "{t}");
    assert_eq!(t["genus"], "Crataegus");

    // idbase 138456: a remarkable fig tree; the flag is kept as a tag.
    assert_eq!(trees["138456"]["remarquable"], "OUI");

    let unmeasured = trees.values().filter(|t| t.get("dbh_cm").is_none()).count();
    assert_eq!(unmeasured, 218, "every circonferenceencm 0 is unknown");

    let again = ok(&db, &["import", paris.to_str().unwrap()]);
    assert!(again.contains("0 created, 3542 updated"), "{again}");
}

#[test]
fn osm_circumference_with_a_unit_suffix_becomes_dbh() {
    let Some(osm) = shared_file("osm_trees_catonsville.geojson") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = ok(&db, &["import", osm.to_str().unwrap()]);
    assert!(out.contains("301 created, 0 updated, 0 rejected"), "{out}");
    let trees = by_source_id(&db);
    assert_eq!(trees.len(), 301);

    // node/5000872593: a linden with circumference "6.28 inches": 15.9512 cm around, 5.08 across.
    let t = &trees["node/5000872593"];
    assert_close(
        num(t, "dbh_cm"),
        GIRTH_IN * 2.54 / PI,
        "node/5000872593 dbh",
    );
    assert_eq!(t["species:en"], "Linden");
    assert!(
        t.get("circumference").is_none(),
        "the suffixed value is read, not left as a tag"
    );
    // node/5000874443: a black walnut, "150.8 inches" around.
    let t = &trees["node/5000874443"];
    assert_close(num(t, "dbh_cm"), 150.8 * 2.54 / PI, "node/5000874443 dbh");
    // node/3570833810 gives no size.
    assert!(trees["node/3570833810"].get("dbh_cm").is_none());

    let measured = trees.values().filter(|t| t.get("dbh_cm").is_some()).count();
    assert_eq!(measured, 57, "every circumference tag is read");
}
