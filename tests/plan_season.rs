//! `greenward plan`: projected weekly hours, litres and replanting worked out by hand on a small
//! constructed site; dry > normal > wet for water; an overloaded week flagged and levelled; the
//! DOMAIN.md normal-year box reference; and a plan leaves the task table as it was.

mod common;

use std::path::{Path, PathBuf};

use common::{fails, ok};
use greenward::science::hargreaves_et0_at;
use serde_json::Value;

struct Site {
    dir: tempfile::TempDir,
    db: PathBuf,
}

/// A site at latitude 29.65 with the Lhasa normals, the Barkhor pests, `rules` and `crews`, and
/// the assets of `geojson`.
fn site(rules: &str, crews: &str, geojson: &str) -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let assets = tmp.path().join("assets.geojson");
    std::fs::write(&assets, geojson).unwrap();
    let s = common::test_site(rules, crews, &assets, "water_cart_l = 10\n");
    Site {
        dir: s.dir,
        db: s.db,
    }
}

impl Site {
    fn out(&self) -> PathBuf {
        self.dir.path().join("plan")
    }
    /// Runs a plan and returns stdout and the parsed plan.json.
    fn plan(&self, args: &[&str]) -> (String, Value) {
        let out = self.out();
        let mut all: Vec<&str> = vec!["plan", "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let stdout = ok(&self.db, &all);
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
        (stdout, json)
    }
}

const CREW_40: &str = r#"
[[crew]]
name = "all"
skills = ["watering", "pest_control", "gardening", "inspection", "cleaning"]
hours_per_day = 40
start = [91.1300, 29.6520]
"#;

/// A zone, one group of `boxes` boxes 1.00 × 0.30 × 0.25 m, and `trees` willows.
fn assets(boxes: u32, trees: usize) -> String {
    let mut f = vec![
        r#"{"type": "Feature", "id": "z1", "properties": {"kind": "zone", "name": "test-square"},
 "geometry": {"type": "Polygon", "coordinates": [[[91.1300, 29.6520], [91.1320, 29.6520], [91.1320, 29.6540], [91.1300, 29.6540], [91.1300, 29.6520]]]}}"#.to_string(),
        format!(r#"{{"type": "Feature", "id": "b1", "properties": {{"kind": "flower_box_group", "ref": "FB-1", "box_count": {boxes}, "box_length_m": 1.0, "box_width_m": 0.3, "box_depth_m": 0.25, "planting": "Petunia x hybrida"}},
 "geometry": {{"type": "Point", "coordinates": [91.1305, 29.6525]}}}}"#),
    ];
    for i in 0..trees {
        f.push(format!(
            r#"{{"type": "Feature", "id": "t{i}", "properties": {{"kind": "tree", "ref": "TR-{i}", "species": "Salix matsudana", "genus": "Salix", "condition": "good", "site_state": "occupied"}},
 "geometry": {{"type": "Point", "coordinates": [91.131{i}, 29.6530]}}}}"#
        ));
    }
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\n{}\n]}}",
        f.join(",\n")
    )
}

fn plan0(json: &Value) -> &Value {
    &json["plans"][0]
}

fn crew_week<'a>(p: &'a Value, week: &str) -> &'a Value {
    p["crews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["week"] == week)
        .unwrap_or_else(|| panic!("no crew row for {week}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

const SMALL_RULES: &str = r#"
[[rule]]
id = "box-clean"
task = "cleaning"
select = { kind = "flower_box_group" }
cron = "0 8 * * WED"
minutes_per_asset = 15.0
per = "box"
skill = "cleaning"

[[rule]]
id = "tree-check"
task = "inspection"
select = { kind = "tree" }
every = "14d"
start = "2027-05-03"
grace = "3d"
minutes_per_asset = 30.0
skill = "inspection"

[[rule]]
id = "box-water"
task = "watering"
select = { kind = "flower_box_group" }
cron = "0 7 * * *"
water_need = "flower_box"
season = "05-01..10-31"
minutes_per_asset = 2.0
per = "box"
skill = "watering"

[[rule]]
id = "replant-summer"
task = "replanting"
select = { kind = "flower_box_group" }
replanting = "summer"
minutes_per_asset = 15.0
per = "box"
skill = "gardening"
"#;

#[test]
fn small_site_weekly_hours_litres_and_replanting_match_the_hand_count() {
    // 4 boxes, 2 willows; a past May with no rain, 7.1 / 21.0 °C every day.
    let s = site(SMALL_RULES, CREW_40, &assets(4, 2));
    let csv = s.dir.path().join("may.csv");
    let mut text = String::from("date,tmin_c,tmax_c,rain_mm\n");
    for d in 1..=31 {
        text.push_str(&format!("2026-05-{d:02},7.1,21.0,0\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let (stdout, json) = s.plan(&[
        "--from",
        "2027-05-03",
        "--to",
        "2027-05-30",
        "--scenario",
        csv.to_str().unwrap(),
    ]);
    let p = plan0(&json);

    // The bucket by hand: full at the start of its season (1 May; the period starts on 3 May,
    // so 1 and 2 May are spun up), ETc = ET0 × 0.96 booked each day; water when depletion
    // ≥ 0.4 × 62.5 = 25 mm: litres = dr × 0.30 m² / 0.8 × 4 boxes.
    let mut dr = 0.0;
    let mut waterings: Vec<(u32, f64)> = Vec::new(); // (day of May, litres)
    for day in 1..=30u32 {
        let doy = 120 + day; // 2027: 1 May is day 121
        dr += hargreaves_et0_at(29.65, doy, 7.1, 21.0) * 0.96;
        if dr >= 25.0 {
            assert!(day >= 3, "no watering falls in the spin-up");
            waterings.push((day, dr * 0.30 / 0.8 * 4.0));
            dr = 0.0;
        }
    }
    assert!(waterings.len() >= 3, "{waterings:?}");
    let litres: f64 = waterings.iter().map(|w| w.1).sum();
    let t = &p["totals"];
    assert_eq!(t["waterings"], waterings.len());
    assert!((f(&t["water_l"]) - litres).abs() < 0.1 * waterings.len() as f64);
    // Cart of 10 L: each week's litres in whole trips.
    let week_of = |day: u32| (day - 3) / 7; // 3 May (Mon) starts week 0
    let mut trips = 0;
    for w in 0..4 {
        let l: f64 = waterings
            .iter()
            .filter(|x| week_of(x.0) == w)
            .map(|x| x.1)
            .sum();
        trips += (l / 10.0).ceil() as u64;
    }
    assert_eq!(t["cart_trips"].as_u64().unwrap(), trips);

    // Summer set: not before 10 May, the 10-day minimum stays ≥ 2 °C → 10 May (ISO week 19):
    // 4 boxes × 1.00 × 0.30 m at one seedling per 100 cm² = 4 × 30 = 120 seedlings.
    let r = &p["replanting"][0];
    assert_eq!(r["date"], "2027-05-10");
    assert_eq!(f(&r["boxes"]), 4.0);
    assert_eq!(f(&r["seedlings"]), 120.0);
    assert_eq!(f(&t["seedlings"]), 120.0);
    assert!((f(&t["seedlings_vs_last_year_pct"]) - 0.1).abs() < 1e-9);

    // Hours by ISO week: cleaning 4 × 15 min = 1 h every Wednesday; inspections of 2 willows ×
    // 30 min on 3 and 17 May; replanting 4 × 15 min = 1 h on 10 May; waterings 4 × 2 min each.
    let weeks = ["2027-W18", "2027-W19", "2027-W20", "2027-W21"];
    for (w, week) in weeks.iter().enumerate() {
        let inspect = if w == 0 || w == 2 { 1.0 } else { 0.0 };
        let replant = if w == 1 { 1.0 } else { 0.0 };
        let water = waterings
            .iter()
            .filter(|x| week_of(x.0) == w as u32)
            .count() as f64
            * 8.0
            / 60.0;
        let want = 1.0 + inspect + replant + water;
        let c = crew_week(p, week);
        assert!(
            (f(&c["hours"]) - want).abs() < 1e-9,
            "{week}: {} h, by hand {want} h",
            c["hours"]
        );
        assert_eq!(f(&c["capacity_hours"]), 280.0, "40 h a day × 7 days");
        assert_eq!(c["overloaded"], false);
    }
    let hours_rows = p["hours"].as_array().unwrap();
    let inspection_w20 = hours_rows
        .iter()
        .find(|h| h["week"] == "2027-W20" && h["task_type"] == "inspection")
        .unwrap();
    assert_eq!(inspection_w20["tasks"], 2);
    assert_eq!(f(&inspection_w20["hours"]), 1.0);

    // Outputs: the report with embedded charts, the CSV tables with units in their names.
    assert!(stdout.contains("worst week"), "{stdout}");
    assert!(stdout.contains("plan.html"), "{stdout}");
    let html = std::fs::read_to_string(s.out().join("plan.html")).unwrap();
    assert!(html.contains("季节计划 Season plan"));
    assert!(html.contains("data:image/png;base64,iVBOR"));
    let water_csv = std::fs::read_to_string(s.out().join("plan-water.csv")).unwrap();
    assert!(water_csv.starts_with("scenario,week,week_start,zone,waterings,water_l,cart_trips\n"));
    for name in [
        "plan-hours.csv",
        "plan-crews.csv",
        "plan-levelling.csv",
        "plan-pests.csv",
        "plan-replanting.csv",
        "plan-totals.csv",
        "plan-water-monthly.csv",
        "plan-hours-may.png",
        "plan-water-may.png",
    ] {
        assert!(s.out().join(name).exists(), "{name}");
    }
}

#[test]
fn dry_uses_more_water_than_normal_and_normal_more_than_wet() {
    let s = site(SMALL_RULES, CREW_40, &assets(4, 0));
    let (stdout, json) = s.plan(&[
        "--from",
        "2027-05-01",
        "--to",
        "2027-10-31",
        "--compare",
        "dry,normal,wet",
    ]);
    let plans = json["plans"].as_array().unwrap();
    let water: Vec<f64> = plans.iter().map(|p| f(&p["totals"]["water_l"])).collect();
    let names: Vec<&str> = plans
        .iter()
        .map(|p| p["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dry", "normal", "wet"]);
    assert!(
        water[0] > water[1] && water[1] > water[2],
        "dry > normal > wet: {water:?}"
    );
    let rain: Vec<f64> = plans.iter().map(|p| f(&p["rain_mm"])).collect();
    assert!((rain[0] / rain[1] - 0.6).abs() < 1e-6 && (rain[2] / rain[1] - 1.4).abs() < 1e-6);
    assert!(stdout.contains("water_l"), "{stdout}");
    assert!(s.out().join("plan-compare-hours.png").exists());
    let html = std::fs::read_to_string(s.out().join("plan.html")).unwrap();
    assert!(html.contains("情景对比 Scenario comparison"));
    // Scaling is configurable; the normal year alone is not scaled.
    let (_, json) = s.plan(&[
        "--from",
        "2027-05-01",
        "--to",
        "2027-10-31",
        "--scenario",
        "dry",
        "--rain-scale",
        "-0.9",
        "--temp-shift",
        "2",
    ]);
    assert!(f(&plan0(&json)["totals"]["water_l"]) > water[0]);
    let err = fails(&s.db, &["plan", "--rain-scale", "-0.5"]);
    assert!(err.contains("normal year is not scaled"), "{err}");
    let err = fails(&s.db, &["plan", "--treatment-rate", "1.5"]);
    assert!(err.contains("outside 0..1"), "{err}");
}

#[test]
fn an_overloaded_week_is_flagged_and_levelled_and_the_task_table_is_untouched() {
    // 6 willows each inspected on Monday 3 May (1 h, may be done until 24 May: flexible), and
    // 4 boxes cleaned every Wednesday (1 h, not flexible). One crew of 0.5 h a day: 3.5 h/week.
    let rules = r#"
[[rule]]
id = "box-clean"
task = "cleaning"
select = { kind = "flower_box_group" }
cron = "0 8 * * WED"
minutes_per_asset = 15.0
per = "box"
skill = "cleaning"

[[rule]]
id = "spring-inspection"
task = "inspection"
select = { kind = "tree" }
cron = "0 9 3 5 *"
grace = "21d"
minutes_per_asset = 60.0
skill = "inspection"

[[rule]]
id = "scout-willow-sawfly"
task = "pest_scouting"
select = { kind = "tree" }
pest = "willow_sawfly"
minutes_per_asset = 6.0
skill = "inspection"
"#;
    let crews = r#"
[[crew]]
name = "small"
skills = ["inspection", "cleaning"]
hours_per_day = 0.5
start = [91.1300, 29.6520]
"#;
    let s = site(rules, crews, &assets(4, 6));
    // Some stored tasks and a water balance-free register: run the scheduler first.
    ok(
        &s.db,
        &[
            "schedule",
            "run",
            "--from",
            "2027-05-01",
            "--to",
            "2027-05-31",
        ],
    );
    let before = stored(&s.db);
    assert!(!before.0.is_empty());

    let (_, json) = s.plan(&[
        "--from",
        "2027-05-03",
        "--to",
        "2027-08-29",
        "--treatment-rate",
        "willow_sawfly=0.5",
    ]);
    let p = plan0(&json);
    // Week 18: 6 h of inspections + 1 h cleaning = 7 h against 3.5 h: overloaded.
    let w18 = crew_week(p, "2027-W18");
    assert_eq!(f(&w18["hours"]), 7.0);
    assert_eq!(f(&w18["capacity_hours"]), 3.5);
    assert_eq!(w18["overloaded"], true);
    // Levelled: inspections move to the nearest later weeks with room (1 h cleaning already
    // there, 2.5 h spare): 2 to week 19, 2 to week 20; week 18 keeps 3 h.
    assert_eq!(f(&w18["levelled_hours"]), 3.0);
    assert_eq!(w18["overloaded_after_levelling"], false);
    let moves = p["levelling"].as_array().unwrap();
    let got: Vec<(String, String, u64, f64)> = moves
        .iter()
        .map(|m| {
            (
                m["from_week"].as_str().unwrap().to_string(),
                m["to_week"].as_str().unwrap().to_string(),
                m["tasks"].as_u64().unwrap(),
                f(&m["hours"]),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2027-W18".into(), "2027-W19".into(), 2, 2.0),
            ("2027-W18".into(), "2027-W20".into(), 2, 2.0)
        ]
    );
    assert_eq!(f(&crew_week(p, "2027-W19")["levelled_hours"]), 3.0);
    assert_eq!(p["totals"]["overloaded_crew_weeks"], 1);
    assert_eq!(p["totals"]["overloaded_crew_weeks_after_levelling"], 0);
    assert_eq!(p["worst_week"]["week"], "2027-W18");

    // Willow sawfly: window opens 20 August, scouting 7 days before (13 August) on 6 willows;
    // expected treatments 0.5 × 6 = 3 on the night after, 8 L of spray mix per tree.
    let t = &p["totals"];
    assert_eq!(t["scouting_visits"], 6);
    assert_eq!(f(&t["expected_treatments"]), 3.0);
    assert_eq!(f(&t["spray_mix_l"]), 24.0);
    let pests = p["pests"].as_array().unwrap();
    assert_eq!(pests[0]["week"], "2027-W32");
    assert_eq!(pests[0]["scouting_visits"], 6);

    // Nothing stored changed.
    assert_eq!(stored(&s.db), before);
}

/// Every task and water balance the store holds.
fn stored(
    db: &Path,
) -> (
    Vec<greenward::tasks::TaskRecord>,
    greenward::store::WaterStates,
) {
    let store = greenward::store::Store::open(db).unwrap();
    let tasks = store
        .read()
        .tasks(&greenward::tasks::TaskFilter::default())
        .unwrap();
    let states = store.read().water_states().unwrap();
    (tasks, states)
}

#[test]
fn one_domain_box_reproduces_the_normal_year_reference() {
    // DOMAIN.md §2: 1 box 1.00 × 0.30 × 0.25 m, KL 0.96, full on 1 May, 1 May – 31 October,
    // Lhasa normals at 29.65 N: 13 waterings, ≈ 127.5 L applied; May 4, Jun 2, Jul 2, Aug 1,
    // Sep 1, Oct 3.
    let rules = r#"
[[rule]]
id = "box-water-need"
task = "watering"
select = { kind = "flower_box_group" }
cron = "0 7 * * *"
water_need = "flower_box"
season = "05-01..10-31"
minutes_per_asset = 2.0
per = "box"
skill = "watering"
"#;
    let s = site(rules, CREW_40, &assets(1, 0));
    let (_, json) = s.plan(&[
        "--from",
        "2027-05-01",
        "--to",
        "2027-10-31",
        "--scenario",
        "normal",
    ]);
    let p = plan0(&json);
    assert_eq!(p["totals"]["waterings"], 13);
    let l = f(&p["totals"]["water_l"]);
    assert!((l - 127.5).abs() < 0.5, "{l} L");
    let by_month: Vec<(String, u64)> = p["water_monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["waterings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_month,
        [
            ("2027-05".to_string(), 4),
            ("2027-06".to_string(), 2),
            ("2027-07".to_string(), 2),
            ("2027-08".to_string(), 1),
            ("2027-09".to_string(), 1),
            ("2027-10".to_string(), 3),
        ]
    );
}
