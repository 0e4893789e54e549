//! The pesticide record: rows written through the store with the weather of the application day
//! from the daily series, printed by `greenward pesticides log` in its stable formats.

mod common;

use std::path::Path;

use chrono::{DateTime, NaiveDate};
use common::{fixture, ok};
use greenward::ipm::{self, PesticideApplication};
use greenward::store::{Store, StoreError};
use greenward::weather::{self, WeatherSource};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, day).unwrap()
}

/// A register with the every-kind fixture, one observed night with rain, and two applications:
/// one on that observed night, one on a day with no imported weather (a normal day).
fn season(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("t.db");
    ok(
        &db,
        &["import", fixture("every_kind.geojson").to_str().unwrap()],
    );
    let w = dir.join("june.csv");
    std::fs::write(
        &w,
        "date,tmin_c,tmax_c,rain_mm,wind_ms\n2027-06-15,11.2,23.9,6.5,1.8\n",
    )
    .unwrap();
    ok(&db, &["weather", "import", w.to_str().unwrap()]);

    let mut store = Store::open(&db).unwrap();
    let normals = weather::site_normals(&greenward::site::embedded_barkhor()).unwrap();
    let pests = ipm::embedded_barkhor_pests();
    let alb = pests.get("asian_longhorned_beetle").unwrap();
    let product = &alb.products[0];
    let tree = store.read().asset_by_ref("TR-TST-001").unwrap().unwrap();
    let row = store.read().asset_by_ref("RW-TST-001").unwrap().unwrap();
    store
        .write(|tx| -> Result<(), StoreError> {
            let on_june_15 =
                ipm::application_weather(&tx.read(), &normals, d(6, 15)).map_err(|e| {
                    StoreError::Corrupt {
                        what: "weather".into(),
                        detail: e.to_string(),
                    }
                })?;
            let on_june_20 =
                ipm::application_weather(&tx.read(), &normals, d(6, 20)).map_err(|e| {
                    StoreError::Corrupt {
                        what: "weather".into(),
                        detail: e.to_string(),
                    }
                })?;
            for (asset, at, weather, trees) in [
                (row.id, "2027-06-20T01:30:00+08:00", on_june_20, Some(12)),
                (tree.id, "2027-06-15T00:45:00+08:00", on_june_15, Some(1)),
            ] {
                tx.insert_pesticide_application(&PesticideApplication {
                    id: 0,
                    task_id: None,
                    asset_id: asset,
                    asset_ref: String::new(),
                    pest_id: Some(alb.id.clone()),
                    applied_at: DateTime::parse_from_rfc3339(at).unwrap(),
                    product: product.name.clone(),
                    active_ingredient: Some(product.active_ingredient.clone()),
                    dose: Some(product.dose.clone()),
                    trees,
                    area_m2: None,
                    weather,
                    applicator: Some("tenzin".into()),
                    reentry_h: product.reentry_h,
                })?;
            }
            Ok(())
        })
        .unwrap();
    db
}

#[test]
fn the_log_carries_product_dose_trees_weather_applicator_and_reentry() {
    let dir = tempfile::tempdir().unwrap();
    let db = season(dir.path());
    let csv = ok(
        &db,
        &[
            "pesticides",
            "log",
            "--from",
            "2027-06-01",
            "--to",
            "2027-06-30",
            "--format",
            "csv",
        ],
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,applied_at,asset_ref,pest_id,product,active_ingredient,dose,trees,area_m2,tmin_c,tmax_c,rain_mm,wind_ms,weather_source,applicator,reentry_h,reentry_until,task_id"
    );
    // In time order: the 15 June night first although it was written second.
    assert_eq!(
        lines[1],
        "2,2027-06-15T00:45:00+08:00,TR-TST-001,asian_longhorned_beetle,\
         Thiacloprid 2% microcapsule suspension (噻虫啉微囊悬浮剂),thiacloprid,\
         \"1:1000 dilution, trunk and main branches\",1,,11.2,23.9,6.5,1.8,observed,tenzin,24.0,\
         2027-06-16T00:45:00+08:00,"
    );
    // 20 June has no imported weather: the normal day (lhasa_normal_year_daily.csv: 11.50,
    // 24.32 °C, 2.6 mm), no wind.
    let f: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(f[0], "1");
    assert_eq!(f[2], "RW-TST-001");
    let n = f.len();
    assert_eq!(
        &f[n - 11..],
        [
            "12",
            "",
            "11.5",
            "24.3",
            "2.6",
            "",
            "normal",
            "tenzin",
            "24.0",
            "2027-06-21T01:30:00+08:00",
            ""
        ]
    );
    assert_eq!(lines.len(), 3);

    let json: serde_json::Value =
        serde_json::from_str(&ok(&db, &["pesticides", "log", "--format", "json"])).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(
        rows.len(),
        2,
        "default range: the calendar year of --today (2027)"
    );
    assert_eq!(rows[0]["weather_source"], "observed");
    assert_eq!(rows[0]["wind_ms"], 1.8);
    assert_eq!(rows[0]["trees"], 1);
    assert_eq!(rows[1]["wind_ms"], serde_json::Value::Null);
    assert_eq!(rows[1]["reentry_until"], "2027-06-21T01:30:00+08:00");

    let table = ok(&db, &["pesticides", "log"]);
    assert!(table.starts_with("APPLIED "), "{table}");
    assert!(table.contains("2027-06-15 00:45 TR-TST-001 "), "{table}");
    assert!(table.contains("11.2/23.9"), "{table}");
}

#[test]
fn the_range_selects_by_local_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = season(dir.path());
    let one = ok(
        &db,
        &[
            "pesticides",
            "log",
            "--from",
            "2027-06-15",
            "--to",
            "2027-06-15",
            "--format",
            "csv",
        ],
    );
    assert_eq!(one.lines().count(), 2);
    assert!(one.lines().nth(1).unwrap().contains("TR-TST-001"));
    let none = ok(
        &db,
        &[
            "pesticides",
            "log",
            "--from",
            "2027-07-01",
            "--to",
            "2027-07-31",
            "--format",
            "csv",
        ],
    );
    assert_eq!(none.lines().count(), 1, "the header only");
    let err = common::fails(
        &db,
        &[
            "pesticides",
            "log",
            "--from",
            "2027-07-01",
            "--to",
            "2027-06-01",
        ],
    );
    assert!(
        err.contains("--to 2027-06-01 is before --from 2027-07-01"),
        "{err}"
    );
}

#[test]
fn rain_on_the_night_of_a_treatment_calls_for_a_respray() {
    let dir = tempfile::tempdir().unwrap();
    let db = season(dir.path());
    let store = Store::open(&db).unwrap();
    let normals = weather::site_normals(&greenward::site::embedded_barkhor()).unwrap();
    let series = weather::daily_series(&store, &normals, d(6, 1), d(6, 30)).unwrap();
    let pests = ipm::embedded_barkhor_pests();
    let alb = pests.get("asian_longhorned_beetle").unwrap();
    // 6.5 mm observed on 15 June ≥ 5 mm.
    assert_eq!(ipm::respray_rain(alb, &series, d(6, 15)), Some(6.5));
    // A normal day never calls for one; outside the series neither.
    assert_eq!(
        weather::day_on(&series, d(6, 20)).unwrap().source,
        WeatherSource::Normal
    );
    assert_eq!(ipm::respray_rain(alb, &series, d(6, 20)), None);
    assert_eq!(ipm::respray_rain(alb, &series, d(7, 20)), None);
    // A pest with a higher respray threshold: 6.5 mm is not enough.
    let mut strict = alb.clone();
    strict.respray_rain_mm = 8.0;
    assert_eq!(ipm::respray_rain(&strict, &series, d(6, 15)), None);
}
