//! CSV import end to end through the binary, with small constructed files: each header alias
//! family (NYC census, Paris, generic, our own keys), units, dates, delimiters, BOM and CRLF,
//! bad rows named by line and column, the atomic rule, --skip-invalid, --map, re-import.

mod common;

use std::collections::HashMap;
use std::f64::consts::PI;
use std::path::Path;

use common::{fails, fixture, ok, snapshot};
use serde_json::Value;

/// The girth OSM mappers wrote for young street trees ("6.28 inches"): data, not τ.
#[allow(clippy::approx_constant)]
const GIRTH_IN: f64 = 6.28;

fn csv_fixture(name: &str) -> String {
    fixture(&format!("csv/{name}"))
        .to_str()
        .unwrap()
        .to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Assets by ref, as `assets list --format json` shows them.
fn assets(db: &Path) -> HashMap<String, Value> {
    let list: Vec<Value> =
        serde_json::from_str(&ok(db, &["assets", "list", "--format", "json"])).unwrap();
    list.into_iter()
        .map(|a| (a["ref"].as_str().unwrap().to_string(), a))
        .collect()
}

/// The only asset in the register.
fn only(db: &Path) -> Value {
    let all = assets(db);
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_values().next().unwrap()
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
fn nyc_census_columns_with_crlf_and_quoted_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = ok(&db, &["import", &csv_fixture("nyc_census.csv")]);
    assert!(out.contains("5 created, 0 updated, 0 rejected"), "{out}");
    let all = assets(&db);
    let t = &all["TR-000001"];
    assert_close(num(t, "dbh_cm"), 24.0 * 2.54, "tree_dbh 24 in");
    assert_eq!(t["species"], "Quercus palustris");
    assert_eq!(t["species:en"], "pin oak");
    assert_eq!(t["condition"], "good");
    assert_eq!((num(t, "lon"), num(t, "lat")), (-73.889175, 40.8164668));
    assert_eq!(t["x_sp"], "1014925.946", "unknown columns are tags");
    let stump = &all["TR-000003"];
    assert_eq!(stump["site_state"], "stump");
    assert!(stump.get("dbh_cm").is_none(), "tree_dbh 0 is unknown");
    let dead = &all["TR-000004"];
    assert_eq!(dead["site_state"], "occupied");
    assert_eq!(dead["condition"], "dead");
    let plane = &all["TR-000005"];
    assert_eq!(plane["species"], "Platanus x acerifolia");
    assert_eq!(plane["address"], "1250, SPOFFORD AVENUE", "quoted comma");
    assert_close(num(plane, "dbh_cm"), 14.0 * 2.54, "tree_dbh 14 in");
}

#[test]
fn paris_columns_with_bom_semicolons_accents_and_a_combined_point() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = ok(&db, &["import", &csv_fixture("paris_arbres.csv")]);
    assert!(out.contains("4 created, 0 updated, 0 rejected"), "{out}");
    let csv_text = ok(&db, &["export", "--format", "csv"]);
    assert!(
        csv_text.contains(",paris_arbres.csv,2001,"),
        "IDBASE is the source id:\n{csv_text}"
    );
    let all = assets(&db);
    let plane = &all["TR-000001"];
    assert_eq!(plane["species"], "Platanus x hispanica");
    assert_eq!(plane["genus"], "Platanus");
    assert_eq!(plane["species:fr"], "Platane");
    assert_close(num(plane, "dbh_cm"), 157.0 / PI, "circonférence 157 cm");
    assert_eq!(num(plane, "height_m"), 18.0);
    // geo_point_2d is "lat, lon".
    assert_eq!((num(plane, "lon"), num(plane, "lat")), (2.2986, 48.8566));
    assert_eq!(plane["ARRONDISSEMENT"], "PARIS 7E ARRDT");
    let hawthorn = &all["TR-000002"];
    assert!(
        hawthorn.get("dbh_cm").is_none() && hawthorn.get("height_m").is_none(),
        "0 cm and 0 m are not measured: {hawthorn}"
    );
    let chestnut = &all["TR-000003"];
    assert!(
        chestnut.get("species").is_none(),
        "sp. names only the genus"
    );
    assert_eq!(chestnut["genus"], "Castanea");
    let pear = &all["TR-000004"];
    assert_eq!(
        num(pear, "height_m"),
        2.5,
        "decimal comma in a semicolon file"
    );
    assert_eq!(pear["species:fr"], "Poirier à fruits");
}

#[test]
fn generic_tab_separated_file_with_our_own_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = ok(&db, &["import", &csv_fixture("generic.tsv")]);
    assert!(out.contains("3 created, 0 updated, 0 rejected"), "{out}");
    assert!(
        out.contains("new zones (named by assets, no polygon yet): barkhor-north"),
        "{out}"
    );
    assert!(out.contains("by kind: flower_box_group 1, tree 2"), "{out}");
    let all = assets(&db);
    let willow = &all["GEN-1"];
    assert_eq!(willow["kind"], "tree");
    assert_eq!(willow["species"], "Salix matsudana");
    assert_eq!(willow["species:en"], "Chinese willow");
    assert_eq!(num(willow, "dbh_cm"), 31.5);
    assert_close(num(willow, "height_m"), 30.0 * 0.3048, "height_ft 30");
    assert_eq!(num(willow, "crown_m"), 6.5);
    assert_eq!(willow["planted"], "2001-04-20");
    assert_eq!(willow["condition"], "fair");
    assert_eq!(willow["zone"], "barkhor-north");
    assert_eq!(willow["note"], "by the gate");
    let elm = &all["GEN-2"];
    assert_eq!(elm["kind"], "tree", "an empty kind in a file of trees");
    assert_close(num(elm, "dbh_cm"), 30.48, "dbh_cm '12 in': the suffix wins");
    assert_close(num(elm, "height_m"), 6.096, "height_ft '20 ft'");
    assert_eq!(elm["planted"], "2010-12-25", "25/12/2010 is not ambiguous");
    assert_eq!(all["GEN-3"]["kind"], "flower_box_group");
}

#[test]
fn sizes_with_unit_suffixes_in_generic_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(
        dir.path(),
        "sizes.csv",
        "id,lon,lat,species,circumference,height,crown_diameter\n\
         1,91.1,29.6,Ulmus pumila,120 cm,7'4\",6 m\n\
         2,91.1,29.6,Ulmus pumila,0.5,20 ft,300 cm\n\
         3,91.1,29.6,Ulmus pumila,6.28 inches,1200 mm,0\n",
    );
    ok(&db, &["import", &file]);
    let csv_text = ok(&db, &["export", "--format", "csv"]);
    let rows: Vec<&str> = csv_text.lines().skip(1).collect();
    let list: Vec<Value> =
        serde_json::from_str(&ok(&db, &["assets", "list", "--format", "json"])).unwrap();
    assert_eq!(rows.len(), 3);
    let by_id = |id: &str| {
        let r = rows
            .iter()
            .find(|r| r.ends_with(&format!(",sizes.csv,{id},")))
            .unwrap();
        let asset_ref = r.split(',').next().unwrap();
        list.iter().find(|a| a["ref"] == asset_ref).unwrap().clone()
    };
    let t = by_id("1");
    assert_close(num(&t, "dbh_cm"), 120.0 / PI, "120 cm around");
    assert_close(num(&t, "height_m"), 7.0 * 0.3048 + 4.0 * 0.0254, "7'4\"");
    assert_eq!(num(&t, "crown_m"), 6.0);
    let t = by_id("2");
    assert_close(
        num(&t, "dbh_cm"),
        50.0 / PI,
        "bare circumference is metres (OSM)",
    );
    assert_close(num(&t, "height_m"), 6.096, "20 ft");
    assert_eq!(num(&t, "crown_m"), 3.0);
    let t = by_id("3");
    assert_close(
        num(&t, "dbh_cm"),
        GIRTH_IN * 2.54 / PI,
        "6.28 inches around",
    );
    assert_eq!(num(&t, "height_m"), 1.2);
    assert!(t.get("crown_m").is_none(), "0 is unknown");

    let before = snapshot(&db);
    let bad = write(
        dir.path(),
        "bad_sizes.csv",
        "id,lon,lat,species,circumference\n1,91.1,29.6,Ulmus pumila,1.2 parsecs\n2,91.1,29.6,Ulmus pumila,-3 cm\n",
    );
    let err = fails(&db, &["import", &bad]);
    assert!(
        err.contains("bad_sizes.csv: line 2: column circumference: '1.2 parsecs': unknown unit 'parsecs' (use mm, cm, m, in or ft)"),
        "{err}"
    );
    assert!(
        err.contains("bad_sizes.csv: line 3: column circumference: '-3 cm' is negative"),
        "{err}"
    );
    assert_eq!(snapshot(&db), before);
}

#[test]
fn ambiguous_dates_need_a_date_format_and_placeholders_are_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(
        dir.path(),
        "dates.csv",
        "id,lon,lat,species,date_planted\n1,91.1,29.6,Ulmus pumila,03/04/2010\n",
    );
    let err = fails(&db, &["import", &file]);
    assert!(
        err.contains("dates.csv: line 2: column date_planted: '03/04/2010' is ambiguous: 3 April 2010 (day first) or March 4, 2010 (month first); pass --date-format dmy or --date-format mdy"),
        "{err}"
    );
    ok(&db, &["import", &file, "--date-format", "dmy"]);
    assert_eq!(only(&db)["planted"], "2010-04-03");
    // Same source and id: the month-first reading updates the same tree.
    let out = ok(&db, &["import", &file, "--date-format", "mdy"]);
    assert!(out.contains("0 created, 1 updated"), "{out}");
    assert_eq!(only(&db)["planted"], "2010-03-04");
    let err = fails(&db, &["import", &file, "--date-format", "ymd"]);
    assert!(err.contains("use dmy (day/month/year) or mdy"), "{err}");

    let db2 = dir.path().join("t2.db");
    let file = write(
        dir.path(),
        "placeholders.csv",
        "id,lon,lat,species,planted\n\
         1,91.1,29.6,Ulmus pumila,1/01/1900\n\
         2,91.1,29.6,Ulmus pumila,0000-00-00\n\
         3,91.1,29.6,Ulmus pumila,n/a\n\
         4,91.1,29.6,Ulmus pumila,5/19/2015\n\
         5,91.1,29.6,Ulmus pumila,2015-05-19T00:00:00\n",
    );
    let out = ok(&db2, &["import", &file]);
    assert!(out.contains("5 created"), "{out}");
    let planted: Vec<Value> = assets(&db2)
        .values()
        .map(|a| a.get("planted").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(
        planted.iter().filter(|p| p.is_null()).count(),
        3,
        "{planted:?}"
    );
    assert_eq!(
        planted.iter().filter(|p| *p == "2015-05-19").count(),
        2,
        "{planted:?}"
    );
}

#[test]
fn bad_rows_are_named_by_line_and_column_and_the_database_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["import", &csv_fixture("generic.tsv")]);
    let before = snapshot(&db);
    // Line 3 holds a value with a line break, so the rows after it start one line later.
    let file = write(
        dir.path(),
        "trees.csv",
        "tree_id,tree_dbh,status,health,spc_latin,latitude,longitude,note\n\
         1,10,Alive,Good,Acer rubrum,40.7,-73.9,fine\n\
         2,10,Alive,Good,Acer rubrum,40.7,-73.9,\"two\nlines\"\n\
         3,abc,Alive,Good,Acer rubrum,40.7,-73.9,\n\
         4,10,Alive,Good,Acer rubrum,,,\n\
         5,10,Alive,splendid,Acer rubrum,40.7,-73.9,\n\
         6,10,Sleeping,Good,Acer rubrum,40.7,-73.9,\n\
         7,10,Alive,Good,Acer rubrum,4507000,583000,\n\
         8,10,Alive,Good,Acer rubrum,40.7\n\
         9,10,Alive,Good,Acer rubrum,0,0,\n",
    );
    let err = fails(&db, &["import", &file]);
    for expect in [
        "trees.csv: 7 invalid record(s); nothing was imported",
        "trees.csv: line 5: column tree_dbh: 'abc' is not a number",
        "trees.csv: line 6: column longitude, latitude: no coordinates; every row needs a location",
        "trees.csv: line 7: column health: 'splendid' is not one of: excellent, very_good, good, fair, poor, critical, dead",
        "trees.csv: line 8: column status: 'Sleeping' is not one of: occupied, stump, vacant, removed",
        "trees.csv: line 9: column longitude: longitude 583000 is outside -180..180 (projected coordinates?",
        "trees.csv: line 10: fields: 6 values, but the header has 8 columns",
        "trees.csv: line 11: column longitude, latitude: 0, 0 is a placeholder, not a location",
        "--skip-invalid",
    ] {
        assert!(err.contains(expect), "expected «{expect}» in:\n{err}");
    }
    assert_eq!(snapshot(&db), before, "database changed");

    // --skip-invalid imports the two good rows and reports the others with their lines.
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
    assert!(out.contains("2 created, 0 updated, 7 rejected"), "{out}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().count(), 7, "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("trees.csv: line 5: column tree_dbh: 'abc' is not a number"),
        "{text}"
    );
    let with_note = assets(&db)
        .into_values()
        .find(|a| a["note"] == "two\nlines")
        .expect("a quoted value keeps its line break");
    assert_eq!(with_note["species"], "Acer rubrum");
}

#[test]
fn files_without_coordinates_or_with_a_bad_map_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(
        dir.path(),
        "grid.csv",
        "code,easting,northing,girth,what\nA1,91.1,29.6,100,tree\nA2,91.2,29.7,,tree\n",
    );
    let err = fails(&db, &["import", &file]);
    assert!(
        err.contains("grid.csv: no coordinate columns (lon/lat, longitude/latitude, x/y, geo_point_2d, geometry); the columns are: code, easting, northing, girth, what"),
        "{err}"
    );
    assert!(err.contains("--map COLUMN=lon,COLUMN=lat"), "{err}");
    let err = fails(&db, &["import", &file, "--map", "eastings=lon"]);
    assert!(
        err.contains("--map eastings=lon: no column 'eastings'"),
        "{err}"
    );
    let err = fails(&db, &["import", &file, "--map", "easting=longitudes"]);
    assert!(
        err.contains("--map easting=longitudes: 'longitudes' is not a field greenward reads"),
        "{err}"
    );
    let err = fails(&db, &["import", &file, "--map", "easting"]);
    assert!(err.contains("must be written COLUMN=FIELD"), "{err}");
    let err = fails(&db, &["import", &file, "--map", "easting=lon"]);
    assert!(
        err.contains("column easting gives longitudes but no column gives lat"),
        "{err}"
    );
    // Comma-separated and repeated --map entries; `what` becomes the kind, `code` the id.
    let out = ok(
        &db,
        &[
            "import",
            &file,
            "--map",
            "easting=lon,northing=lat",
            "--map",
            "girth=circumference_cm,what=kind,code=id",
        ],
    );
    assert!(out.contains("2 created"), "{out}");
    let all = assets(&db);
    let a1 = all.values().find(|a| a["lon"] == 91.1).unwrap();
    assert_close(num(a1, "dbh_cm"), 100.0 / PI, "girth 100 cm");
    let again = ok(
        &db,
        &[
            "import",
            &file,
            "--map",
            "easting=lon,northing=lat,girth=circumference_cm,what=kind,code=id",
        ],
    );
    assert!(
        again.contains("0 created, 2 updated"),
        "code is the upsert key: {again}"
    );
}

#[test]
fn a_file_with_nothing_that_says_tree_needs_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(
        dir.path(),
        "points.csv",
        "id,lon,lat,note\n1,91.1,29.6,by the wall\n",
    );
    let err = fails(&db, &["import", &file]);
    assert!(
        err.contains("points.csv: line 2: kind: missing, and nothing else tells what it is"),
        "{err}"
    );
    let out = ok(&db, &["import", &file, "--kind", "tree"]);
    assert!(out.contains("by kind: tree 1"), "{out}");
    let err = fails(
        &db,
        &[
            "import",
            &write(dir.path(), "k.csv", "id,lon,lat,kind\n1,91.1,29.6,shrub\n"),
        ],
    );
    assert!(
        err.contains("k.csv: line 2: column kind: 'shrub' is not one of"),
        "{err}"
    );
}

#[test]
fn delimiters_bom_and_crlf_all_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        [
            "tree_id",
            "latitude",
            "longitude",
            "spc_latin",
            "tree_dbh",
            "address",
        ],
        [
            "1",
            "40.7",
            "-73.9",
            "Acer rubrum",
            "10",
            "12 MAIN ST; REAR",
        ],
    ];
    let join = |d: &str, eol: &str| {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|c| {
                        if c.contains(d) || c.contains(';') {
                            format!("\"{c}\"")
                        } else {
                            c.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(d)
            })
            .collect::<Vec<_>>()
            .join(eol)
            + eol
    };
    let variants = [
        ("comma.csv", join(",", "\n")),
        ("semicolon.csv", join(";", "\n")),
        ("tab.tsv", join("\t", "\n")),
        ("crlf.csv", join(",", "\r\n")),
        ("bom.csv", format!("\u{feff}{}", join(";", "\r\n"))),
    ];
    for (name, text) in variants {
        let db = dir.path().join(format!("{name}.db"));
        let out = ok(&db, &["import", &write(dir.path(), name, &text)]);
        assert!(out.contains("1 created"), "{name}: {out}");
        let t = only(&db);
        assert_eq!(t["species"], "Acer rubrum", "{name}");
        assert_close(num(&t, "dbh_cm"), 25.4, name);
        assert_eq!((num(&t, "lon"), num(&t, "lat")), (-73.9, 40.7), "{name}");
        assert_eq!(t["address"], "12 MAIN ST; REAR", "{name}");
    }
}

#[test]
fn reimport_updates_in_place_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let first = write(
        dir.path(),
        "census.csv",
        "tree_id,latitude,longitude,spc_latin,tree_dbh,health\n\
         1,40.7,-73.9,Acer rubrum,10,Good\n\
         2,40.8,-73.8,Tilia cordata,4,Fair\n",
    );
    assert!(ok(&db, &["import", &first]).contains("2 created, 0 updated"));
    // The next survey: tree 1 grew and declined, tree 3 is new.
    let second = write(
        dir.path(),
        "census.csv",
        "tree_id,latitude,longitude,spc_latin,tree_dbh,health\n\
         1,40.7,-73.9,Acer rubrum,11,Poor\n\
         2,40.8,-73.8,Tilia cordata,4,Fair\n\
         3,40.9,-73.7,Ginkgo biloba,2,Good\n",
    );
    let out = ok(&db, &["import", &second]);
    assert!(out.contains("1 created, 2 updated"), "{out}");
    let all = assets(&db);
    assert_eq!(all.len(), 3);
    let t1 = all
        .values()
        .find(|a| a["species"] == "Acer rubrum")
        .unwrap();
    assert_close(num(t1, "dbh_cm"), 27.94, "11 in");
    assert_eq!(t1["condition"], "poor");
    let show = ok(&db, &["assets", "show", t1["ref"].as_str().unwrap()]);
    assert!(show.contains("condition        poor"), "{show}");
}

#[test]
fn our_own_csv_export_imports_back_onto_the_same_assets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["import", &csv_fixture("generic.tsv")]);
    let export = dir.path().join("export.csv");
    ok(
        &db,
        &[
            "export",
            "--format",
            "csv",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    let out = ok(&db, &["import", export.to_str().unwrap()]);
    assert!(out.contains("0 created, 3 updated, 0 rejected"), "{out}");
    let all = assets(&db);
    assert_eq!(all.len(), 3);
    let willow = &all["GEN-1"];
    assert_eq!(num(willow, "dbh_cm"), 31.5);
    assert_eq!(willow["planted"], "2001-04-20");
    assert!(
        willow.get("source").is_none(),
        "the export's source column is provenance"
    );
}
