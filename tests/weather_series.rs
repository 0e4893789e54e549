//! The daily series through the library: normal days built exactly as DOMAIN.md's reference
//! series, imported days taking precedence, and the decisions that read it (pest windows,
//! replanting dates) following the imported weather.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use greenward::ipm::{self, scouting_and_window};
use greenward::science::replanting::{ReplantingRules, replanting_dates, seedlings_needed};
use greenward::store::Store;
use greenward::weather::{self, WeatherRecord, WeatherSource};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, day).unwrap()
}

fn normals() -> greenward::science::MonthlyNormals {
    weather::site_normals(&greenward::site::embedded_barkhor()).unwrap()
}

fn record(date: NaiveDate, tmin: f64, tmax: f64, rain: f64, forecast: bool) -> WeatherRecord {
    WeatherRecord {
        date,
        tmin_c: tmin,
        tmax_c: tmax,
        rain_mm: rain,
        rh_max_pct: None,
        rh_min_pct: None,
        wind_ms: None,
        sunshine_h: None,
        forecast,
        source: Some("test".into()),
        imported_at: None,
    }
}

#[test]
fn normal_days_match_the_domain_reference_series() {
    let reference =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/domain/lhasa_normal_year_daily.csv");
    let Ok(text) = std::fs::read_to_string(&reference) else {
        eprintln!(
            "SKIPPED: reference series {} is absent (no ../shared beside this checkout)",
            reference.display()
        );
        return;
    };
    let store = Store::open_in_memory().unwrap();
    let series = weather::year_series(&store, &normals(), 2027).unwrap();
    let mut rows = 0;
    for (line, day) in text.lines().skip(1).zip(&series) {
        let f: Vec<&str> = line.split(',').collect();
        let num = |i: usize| f[i].parse::<f64>().unwrap();
        assert_eq!(f[0], day.date().to_string());
        assert_eq!(day.source, WeatherSource::Normal);
        assert!((num(1) - day.weather.tmin_c).abs() <= 0.006, "{line}");
        assert!((num(2) - day.weather.tmax_c).abs() <= 0.006, "{line}");
        assert!((num(3) - day.weather.rain_mm).abs() <= 0.0006, "{line}");
        // The SCS share, never the daily 5 mm rule (which would give 0 on every normal day).
        assert!((num(4) - day.peff_mm()).abs() <= 0.0006, "{line}");
        rows += 1;
    }
    assert_eq!(rows, 365);
}

#[test]
fn a_warm_observed_spring_brings_pest_windows_forward() {
    let mut store = Store::open_in_memory().unwrap();
    let normals = normals();
    let normal = weather::year_series(&store, &normals, 2027).unwrap();
    let pests = ipm::embedded_barkhor_pests();
    let crawlers = pests.get("scale_crawlers").unwrap();
    let before = scouting_and_window(crawlers, &normal, 2027).unwrap();
    assert_eq!(before.opens, d(5, 13));

    // Observed: 1 April to 10 May 3 °C warmer than normal.
    let warm: Vec<WeatherRecord> = normal
        .iter()
        .filter(|w| w.date() >= d(4, 1) && w.date() <= d(5, 10))
        .map(|w| {
            record(
                w.date(),
                w.weather.tmin_c + 3.0,
                w.weather.tmax_c + 3.0,
                0.0,
                false,
            )
        })
        .collect();
    store.write(|tx| tx.upsert_weather(&warm)).unwrap();
    let series = weather::year_series(&store, &normals, 2027).unwrap();
    assert_eq!(series.len(), 365);
    assert_eq!(
        weather::day_on(&series, d(4, 1)).unwrap().source,
        WeatherSource::Observed
    );
    assert_eq!(
        weather::day_on(&series, d(5, 11)).unwrap().source,
        WeatherSource::Normal
    );
    let after = scouting_and_window(crawlers, &series, 2027).unwrap();
    let earlier = (before.opens - after.opens).num_days();
    assert!(
        (5..=20).contains(&earlier),
        "opens {} instead of {}",
        after.opens,
        before.opens
    );
    // The calendar window of the sawfly does not move with the weather.
    let sawfly = pests.get("willow_sawfly").unwrap();
    assert_eq!(
        scouting_and_window(sawfly, &series, 2027),
        scouting_and_window(sawfly, &normal, 2027)
    );
}

#[test]
fn replanting_dates_follow_the_series() {
    let mut store = Store::open_in_memory().unwrap();
    let normals = normals();
    let rules = ReplantingRules::default();
    let plan = |store: &Store| -> Vec<_> {
        weather::year_series(store, &normals, 2027)
            .unwrap()
            .iter()
            .map(|w| w.plan_day())
            .collect()
    };
    let festivals = [d(8, 26), d(10, 1)];
    let normal = replanting_dates(&rules, &plan(&store), 2027, &festivals).unwrap();
    assert_eq!(normal.spring, Some(d(4, 10)));
    assert_eq!(normal.summer, Some(d(5, 10)));
    assert_eq!(normal.autumn, d(9, 1));
    assert_eq!(
        normal.festival_refreshes,
        [(d(8, 26), d(8, 19)), (d(10, 1), d(9, 24))]
    );

    // A cold observed spell 8–16 April (mean 2 °C) and a forecast 1 °C night on 14 May; a
    // forecast frost on 25 August.
    let mut rows: Vec<WeatherRecord> = (8..=16)
        .map(|day| record(d(4, day), -3.0, 7.0, 0.0, false))
        .collect();
    rows.push(record(d(5, 14), 1.0, 16.0, 0.0, true));
    rows.push(record(d(8, 25), -0.5, 14.0, 0.0, true));
    store.write(|tx| tx.upsert_weather(&rows)).unwrap();
    let got = replanting_dates(&rules, &plan(&store), 2027, &festivals).unwrap();
    assert_eq!(
        got.spring,
        Some(d(4, 21)),
        "5 warm days running after 16 April end on 21 April"
    );
    assert_eq!(
        got.summer,
        Some(d(5, 15)),
        "the first 10 days clear of the 14 May night"
    );
    assert_eq!((got.autumn, got.autumn_for_frost), (d(8, 16), true));
    assert_eq!(got.autumn.year(), 2027);

    // A 1.00 × 0.30 m box takes 30 seedlings at one per 100 cm².
    assert_eq!(seedlings_needed(1.0, 0.3, 1.0), 30);
}
