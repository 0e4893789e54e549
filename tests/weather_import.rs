//! `greenward weather import` and `weather list` end to end: the CSV format, refusals with file,
//! line and column, atomicity, replacement of re-imported dates, and the series' sources.

mod common;

use std::path::Path;

use common::{fails, ok};
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn list_json(db: &Path, from: &str, to: &str) -> Vec<Value> {
    let out = ok(
        db,
        &[
            "weather", "list", "--from", from, "--to", to, "--format", "json",
        ],
    );
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

const MAY: &str = "date,tmin_c,tmax_c,rain_mm,rh_max_pct,rh_min_pct,wind_ms,sunshine_h,forecast
2027-05-14,6.2,19.8,0.0,71,18,2.4,10.5,no
2027-05-15,7.4,18.1,12.5,88,35,3.1,6.0,no
2027-05-17,8.0,20.0,4.0,,,,,yes
";

#[test]
fn imported_days_and_normal_days_make_one_series() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = write(dir.path(), "may.csv", MAY);
    let out = ok(&db, &["weather", "import", &file]);
    assert_eq!(
        out.trim(),
        "may.csv: 3 days imported (2 observed, 1 forecast) from 2027-05-14 to 2027-05-17: 3 new, 0 replaced"
    );
    let days = list_json(&db, "2027-05-14", "2027-05-17");
    let sources: Vec<&str> = days.iter().map(|d| d["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["observed", "observed", "normal", "forecast"]);
    // Observed: the daily 5 mm rule (0 below 5 mm, else 0.8 P).
    assert_eq!(days[0]["peff_mm"], 0.0);
    assert_eq!(days[1]["rain_mm"], 12.5);
    assert_eq!(days[1]["peff_mm"], 10.0);
    assert_eq!(days[1]["wind_ms"], 3.1);
    assert_eq!(days[1]["file"], "may.csv");
    // 16 May is the normal day of the shipped Lhasa normals: SCS share of May's 28.5 mm.
    assert_eq!(days[2]["peff_mm"], 0.877);
    assert_eq!(days[2]["rain_mm"], 0.919);
    assert_eq!(days[2]["wind_ms"], Value::Null);
    // A forecast 4 mm is under the daily rule's 5 mm.
    assert_eq!(days[3]["peff_mm"], 0.0);
    assert_eq!(days[3]["tmax_c"], 20.0);

    let csv = ok(
        &db,
        &[
            "weather",
            "list",
            "--from",
            "2027-05-15",
            "--to",
            "2027-05-16",
            "--format",
            "csv",
        ],
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "date,source,tmin_c,tmax_c,rain_mm,peff_mm,rh_max_pct,rh_min_pct,wind_ms,sunshine_h,file"
    );
    assert_eq!(
        lines[1],
        "2027-05-15,observed,7.40,18.10,12.500,10.000,88.0,35.0,3.10,6.00,may.csv"
    );
    assert!(lines[2].starts_with("2027-05-16,normal,"), "{}", lines[2]);
    assert_eq!(lines.len(), 3);

    let table = ok(
        &db,
        &[
            "weather",
            "list",
            "--from",
            "2027-05-14",
            "--to",
            "2027-05-15",
        ],
    );
    assert!(
        table
            .lines()
            .next()
            .unwrap()
            .starts_with("DATE       SOURCE"),
        "{table}"
    );
    assert!(
        table.contains("2027-05-15 observed    7.4   18.1    12.5   10.00"),
        "{table}"
    );
}

#[test]
fn the_default_range_is_ten_days_from_today() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    // common::run passes --today 2027-05-10.
    let out = ok(&db, &["weather", "list", "--format", "csv"]);
    let dates: Vec<&str> = out.lines().skip(1).map(|l| &l[..10]).collect();
    assert_eq!(dates.len(), 10);
    assert_eq!(dates[0], "2027-05-10");
    assert_eq!(dates[9], "2027-05-19");
    let err = fails(
        &db,
        &[
            "weather",
            "list",
            "--from",
            "2027-05-10",
            "--to",
            "2027-05-01",
        ],
    );
    assert!(
        err.contains("--to 2027-05-01 is before --from 2027-05-10"),
        "{err}"
    );
}

#[test]
fn a_bad_file_is_refused_whole_and_names_every_bad_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &["weather", "import", &write(dir.path(), "may.csv", MAY)],
    );
    let before = list_json(&db, "2027-05-01", "2027-05-31");

    let bad = write(
        dir.path(),
        "bad.csv",
        "date,tmin_c,tmax_c,rain_mm,rh_max_pct,forecast
2027-05-14,1.0,15.0,0.0,50,no
2027-05-15,16.0,15.0,0.0,50,no
2027-05-16,1.0,15.0,-2,50,no
2027-05-17,1.0,15.0,0.0,101,no
2027-02-30,1.0,15.0,0.0,50,no
2027-05-14,1.0,15.0,0.0,50,perhaps
",
    );
    let err = fails(&db, &["weather", "import", &bad]);
    for want in [
        "bad.csv: line 3: column tmin_c: '16.0' is above tmax_c 15",
        "bad.csv: line 4: column rain_mm: '-2' is negative; expected 0 to 2000 mm",
        "bad.csv: line 5: column rh_max_pct: '101' is outside 0 to 100 %",
        "bad.csv: line 6: column date: '2027-02-30' is not a date; expected YYYY-MM-DD",
        "bad.csv: line 7: column date: '2027-05-14' appears a second time (first on line 2)",
        "bad.csv: line 7: column forecast: 'perhaps' is not a flag; expected true/false, 1/0 or yes/no",
        "bad.csv: 5 bad rows; nothing was imported",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert!(err.starts_with("greenward: "), "{err}");
    // The good first row was not imported either: 14 May still holds the earlier observation.
    assert_eq!(list_json(&db, "2027-05-01", "2027-05-31"), before);
    assert_eq!(before[13]["tmin_c"], 6.2);

    let err = fails(
        &db,
        &[
            "weather",
            "import",
            &write(
                dir.path(),
                "cols.csv",
                "date,tmin_c,tmax_c,rain_mm,humidity_pct\n2027-05-14,1,2,0,50\n",
            ),
        ],
    );
    assert!(
        err.contains("cols.csv: line 1: column humidity_pct: 'humidity_pct' is not a known column; expected date, tmin_c, tmax_c, rain_mm, rh_max_pct, rh_min_pct, wind_ms, sunshine_h, forecast"),
        "{err}"
    );
    let err = fails(
        &db,
        &[
            "weather",
            "import",
            &write(
                dir.path(),
                "norain.csv",
                "date,tmin_c,tmax_c\n2027-05-14,1,2\n",
            ),
        ],
    );
    assert!(
        err.contains("norain.csv: line 1: column rain_mm: missing from the header"),
        "{err}"
    );
    let err = fails(
        &db,
        &[
            "weather",
            "import",
            dir.path().join("absent.csv").to_str().unwrap(),
        ],
    );
    assert!(err.contains("cannot read"), "{err}");
    assert_eq!(list_json(&db, "2027-05-01", "2027-05-31"), before);
}

#[test]
fn re_importing_a_date_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &["weather", "import", &write(dir.path(), "may.csv", MAY)],
    );
    // The forecast for 17 May becomes an observation; 18 May is new.
    let obs = write(
        dir.path(),
        "obs.csv",
        "date,tmin_c,tmax_c,rain_mm,forecast\n2027-05-17,9.5,21.0,6.0,0\n2027-05-18,9.0,22.0,0,false\n",
    );
    let out = ok(&db, &["weather", "import", &obs]);
    assert!(
        out.contains("2 days imported (2 observed, 0 forecast)"),
        "{out}"
    );
    assert!(out.contains("1 new, 1 replaced"), "{out}");
    let days = list_json(&db, "2027-05-17", "2027-05-18");
    assert_eq!(days[0]["source"], "observed");
    assert_eq!(days[0]["tmin_c"], 9.5);
    assert_eq!(days[0]["peff_mm"], 4.8);
    assert_eq!(days[0]["file"], "obs.csv");
    // Optional columns absent from the new file are cleared, not kept from the old row.
    assert_eq!(days[0]["rh_max_pct"], Value::Null);
    assert_eq!(days[1]["source"], "observed");
}
