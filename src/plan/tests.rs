//! The compact, streamed aggregation against a straightforward one: every task as a plain struct
//! with owned strings, summed into string-keyed maps the obvious way (the way the plan summed
//! before tasks were compacted). Same tasks in, the same tables and totals out, to the bit.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};

use super::project::{Projection, UNASSIGNED};
use super::weekly::{
    CrewWeek, Extras, HoursRow, MonthRow, Move, PestRow, ReplantRow, WaterRow, Weekly, aggregate,
    week_label, week_start,
};
use super::{Totals, totals};
use crate::tasks::Crew;

/// One task, spelled out.
#[derive(Debug, Clone)]
struct Plain {
    date: NaiveDate,
    deadline: NaiveDate,
    rule_id: String,
    task_type: String,
    asset_id: i64,
    zone: String,
    priority: u8,
    minutes: f64,
    crew: String,
    extras: Extras,
}

impl Plain {
    fn hours(&self) -> f64 {
        self.minutes / 60.0
    }
}

fn crew(name: &str, hours: f64) -> Crew {
    Crew {
        id: 0,
        name: name.into(),
        zones: vec![],
        skills: vec![],
        hours_per_day: hours,
        start_lon: 0.0,
        start_lat: 0.0,
    }
}

/// The weekly tables summed task by task into maps keyed by strings.
fn straightforward(
    tasks: &[Plain],
    crews: &[Crew],
    from: NaiveDate,
    to: NaiveDate,
    cart: f64,
) -> Weekly {
    let mut mondays = Vec::new();
    let mut m = week_start(from);
    while m <= to {
        mondays.push(m);
        m += Duration::days(7);
    }
    let mut hours: BTreeMap<(NaiveDate, String, String), (usize, f64)> = BTreeMap::new();
    let mut load: BTreeMap<(String, NaiveDate), f64> = BTreeMap::new();
    let mut water: BTreeMap<(NaiveDate, String), (usize, f64)> = BTreeMap::new();
    let mut monthly: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    let mut pests: BTreeMap<(NaiveDate, String, String), (usize, f64, f64)> = BTreeMap::new();
    let mut replant: BTreeMap<(NaiveDate, String, String), (usize, f64, f64)> = BTreeMap::new();
    for t in tasks {
        let wk = week_start(t.date);
        let h = hours
            .entry((wk, t.crew.clone(), t.task_type.clone()))
            .or_default();
        h.0 += 1;
        h.1 += t.hours();
        *load.entry((t.crew.clone(), wk)).or_default() += t.hours();
        let e = &t.extras;
        if e.water_l > 0.0 {
            let w = water.entry((wk, t.zone.clone())).or_default();
            w.0 += 1;
            w.1 += e.water_l;
            let m = monthly
                .entry(format!("{}-{:02}", t.date.year(), t.date.month()))
                .or_default();
            m.0 += 1;
            m.1 += e.water_l;
        }
        if let Some(p) = &e.pest {
            let x = pests
                .entry((wk, p.clone(), e.product.clone().unwrap_or_default()))
                .or_default();
            x.0 += e.scouting as usize;
            x.1 += e.treatments;
            x.2 += e.spray_mix_l;
        }
        if let Some(s) = &e.set {
            let x = replant
                .entry((t.date, t.rule_id.clone(), s.clone()))
                .or_default();
            x.0 += 1;
            x.1 += e.boxes;
            x.2 += e.seedlings;
        }
    }
    let days_inside = |m: NaiveDate| {
        let a = m.max(from);
        let b = (m + Duration::days(6)).min(to);
        ((b - a).num_days() + 1).max(0)
    };
    let capacity = |c: &str, wk: NaiveDate| {
        crews
            .iter()
            .rev()
            .find(|k| k.name == c)
            .map_or(0.0, |k| k.hours_per_day)
            * days_inside(wk) as f64
    };
    // Levelling: flexible tasks of each overloaded (crew, week), lowest priority first, then
    // latest deadline, then asset; each to the nearest later week with room.
    let mut after = load.clone();
    // (crew, rule, task type, from week, to week) → (tasks, hours)
    type MoveKey = (String, String, String, NaiveDate, NaiveDate);
    let mut moves: BTreeMap<MoveKey, (usize, f64)> = BTreeMap::new();
    let overloaded: Vec<(String, NaiveDate)> = load
        .iter()
        .filter(|((c, w), h)| **h > capacity(c, *w) + 1e-9)
        .map(|(k, _)| k.clone())
        .collect();
    for (c, wk) in overloaded {
        let cap = capacity(&c, wk);
        let mut cands: Vec<&Plain> = tasks
            .iter()
            .filter(|t| {
                t.crew == c
                    && t.crew != UNASSIGNED
                    && week_start(t.date) == wk
                    && (t.deadline - t.date).num_days() >= 7
            })
            .collect();
        cands.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(b.deadline.cmp(&a.deadline))
                .then(a.asset_id.cmp(&b.asset_id))
        });
        for t in cands {
            if after[&(c.clone(), wk)] <= cap + 1e-9 {
                break;
            }
            let h = t.hours();
            let last = t.deadline.min(to);
            let Some(m) = mondays.iter().copied().find(|m| {
                *m > wk
                    && *m <= last
                    && *m + Duration::days(6) >= from
                    && after.get(&(c.clone(), *m)).copied().unwrap_or(0.0) + h
                        <= capacity(&c, *m) + 1e-9
            }) else {
                continue;
            };
            *after.entry((c.clone(), wk)).or_default() -= h;
            *after.entry((c.clone(), m)).or_default() += h;
            let e = moves
                .entry((c.clone(), t.rule_id.clone(), t.task_type.clone(), wk, m))
                .or_default();
            e.0 += 1;
            e.1 += h;
        }
    }
    let names: BTreeSet<String> = crews
        .iter()
        .map(|c| c.name.clone())
        .chain(load.keys().map(|k| k.0.clone()))
        .collect();
    let mut crew_rows = Vec::new();
    for wk in &mondays {
        for c in &names {
            let h = load.get(&(c.clone(), *wk)).copied().unwrap_or(0.0);
            let cap = capacity(c, *wk);
            let a = after.get(&(c.clone(), *wk)).copied().unwrap_or(0.0);
            if h == 0.0 && cap == 0.0 {
                continue;
            }
            crew_rows.push(CrewWeek {
                week: week_label(*wk),
                week_start: *wk,
                crew: c.clone(),
                hours: h,
                capacity_hours: cap,
                overloaded: h > cap + 1e-9,
                levelled_hours: a,
                overloaded_after_levelling: a > cap + 1e-9,
            });
        }
    }
    Weekly {
        hours: hours
            .into_iter()
            .map(|((wk, crew, task_type), (n, h))| HoursRow {
                week: week_label(wk),
                week_start: wk,
                crew,
                task_type,
                tasks: n,
                hours: h,
            })
            .collect(),
        crews: crew_rows,
        levelling: moves
            .into_iter()
            .map(|((crew, rule_id, task_type, a, b), (n, h))| Move {
                crew,
                rule_id,
                task_type,
                from_week: week_label(a),
                to_week: week_label(b),
                tasks: n,
                hours: h,
            })
            .collect(),
        water: water
            .into_iter()
            .map(|((wk, zone), (n, l))| WaterRow {
                week: week_label(wk),
                week_start: wk,
                zone,
                waterings: n,
                water_l: l,
                cart_trips: (l / cart - 1e-9).ceil().max(0.0) as u64,
            })
            .collect(),
        water_monthly: monthly
            .into_iter()
            .map(|(month, (n, l))| MonthRow {
                month,
                waterings: n,
                water_l: l,
            })
            .collect(),
        pests: pests
            .into_iter()
            .map(|((wk, pest, product), (n, tr, mix))| PestRow {
                week: week_label(wk),
                week_start: wk,
                pest,
                product,
                scouting_visits: n,
                expected_treatments: tr,
                spray_mix_l: mix,
            })
            .collect(),
        replanting: replant
            .into_iter()
            .map(|((date, rule_id, set), (n, b, s))| ReplantRow {
                rule_id,
                set,
                week: week_label(date),
                date,
                box_groups: n,
                boxes: b,
                seedlings: s,
            })
            .collect(),
    }
}

/// Season totals summed task by task.
fn straightforward_totals(tasks: &[Plain], w: &Weekly, last_year: f64) -> Totals {
    let mut t = Totals {
        tasks: tasks.len(),
        seedlings_last_year: last_year,
        ..Totals::default()
    };
    for p in tasks {
        let e = &p.extras;
        t.hours += p.hours();
        *t.hours_by_task_type.entry(p.task_type.clone()).or_default() += p.hours();
        *t.hours_by_crew.entry(p.crew.clone()).or_default() += p.hours();
        if e.water_l > 0.0 {
            t.waterings += 1;
            t.water_l += e.water_l;
        }
        t.scouting_visits += e.scouting as usize;
        t.expected_treatments += e.treatments;
        t.spray_mix_l += e.spray_mix_l;
        if let Some(prod) = &e.product {
            *t.spray_mix_l_by_product.entry(prod.clone()).or_default() += e.spray_mix_l;
        }
        if e.set.is_some() {
            t.replanting_box_groups += 1;
            t.replanting_boxes += e.boxes;
            t.seedlings += e.seedlings;
        }
    }
    t.cart_trips = w.water.iter().map(|r| r.cart_trips).sum();
    t.overloaded_crew_weeks = w.crews.iter().filter(|c| c.overloaded).count();
    t.overloaded_crew_weeks_after_levelling = w
        .crews
        .iter()
        .filter(|c| c.overloaded_after_levelling)
        .count();
    t.levelled_tasks = w.levelling.iter().map(|m| m.tasks).sum();
    t.levelled_hours = w.levelling.iter().map(|m| m.hours).sum();
    t.seedlings_vs_last_year_pct = 100.0 * t.seedlings / last_year;
    t
}

/// A small deterministic generator (the test needs no statistics, only variety).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn compact_aggregation_equals_the_straightforward_sums() {
    // A period that starts and ends mid-week.
    let from = NaiveDate::from_ymd_opt(2027, 3, 3).unwrap();
    let to = NaiveDate::from_ymd_opt(2027, 5, 19).unwrap();
    let crews = [crew("north", 20.0), crew("south", 8.0), crew("spare", 0.5)];
    let zones = ["n1", "n2", "s1"];
    // Assets 10.. in three zones, one id far away (a sparse one).
    let assets: Vec<(i64, Option<&str>)> = (0..30)
        .map(|i| (10 + i, Some(zones[i as usize % 3])))
        .chain([(1_000_000, None)])
        .collect();
    let mut proj = Projection::with_assets(assets.iter().copied(), assets.len(), from, to);
    // (rule, task type, skill, priority, grace days)
    let kinds = [
        ("box-water", "watering", Some("watering"), 2u8, 0i64),
        ("tree-check", "inspection", Some("inspection"), 4, 21),
        ("prune", "pruning", None, 5, 60),
        ("sawfly", "scouting", Some("pest_control"), 3, 10),
        (
            "sawfly#treatment",
            "pest_treatment",
            Some("pest_control"),
            3,
            1,
        ),
        ("spring-set", "replanting", Some("gardening"), 2, 3),
    ];
    let crew_names = ["north", "south", "spare", UNASSIGNED];
    let mut rng = Lcg(7);
    let mut plain = Vec::new();
    for n in 0..3000 {
        let k = kinds[rng.below(kinds.len() as u64) as usize];
        let (asset_id, zone) = assets[rng.below(assets.len() as u64) as usize];
        // A few dates outside the period: dropped by both.
        // Most in the first fortnight, so its weeks overload and level into later ones.
        let span = if n % 5 < 3 { 17 } else { 85 };
        let date = from + Duration::days(rng.below(span) as i64 - 3);
        let deadline = date + Duration::days(k.4 + rng.below(3) as i64);
        let minutes = 5.0 + rng.below(170) as f64 * 0.37;
        let extras = match k.1 {
            "watering" if n % 3 > 0 => Extras {
                water_l: 0.1 * rng.below(400) as f64,
                ..Extras::default()
            },
            "scouting" => Extras {
                pest: Some("willow_sawfly".into()),
                product: (n % 5 > 0).then(|| "Bt".to_string()),
                scouting: 1.0,
                ..Extras::default()
            },
            "pest_treatment" => Extras {
                pest: Some("willow_sawfly".into()),
                product: Some("Bt".into()),
                treatments: 0.3,
                spray_mix_l: 0.3 * 2.5,
                ..Extras::default()
            },
            "replanting" => Extras {
                set: Some(if n % 2 == 0 { "spring" } else { "summer" }.into()),
                boxes: rng.below(12) as f64,
                seedlings: rng.below(500) as f64 * 1.5,
                ..Extras::default()
            },
            _ => Extras::default(),
        };
        let crew = crew_names[[0, 0, 0, 1, 2, 3][rng.below(6) as usize]];
        let kind = proj.kind(k.0, k.1, k.2, k.3).unwrap();
        let asset = proj.asset(asset_id);
        let before = proj.tasks.len();
        let has_extras = extras != Extras::default();
        proj.push(
            date,
            deadline,
            kind,
            asset,
            minutes,
            has_extras.then_some(&extras),
        );
        if proj.tasks.len() > before {
            let c = proj.crews.intern(crew);
            proj.tasks[before].crew = c;
            plain.push(Plain {
                date,
                deadline,
                rule_id: k.0.into(),
                task_type: k.1.into(),
                asset_id,
                zone: zone.unwrap_or("unzoned").into(),
                priority: k.3,
                minutes,
                crew: crew.into(),
                extras,
            });
        }
    }
    assert!(plain.len() < 3000 && plain.len() > 2500, "{}", plain.len());
    let cart = 25.0;
    let got = aggregate(&proj, &crews, cart);
    let want = straightforward(&plain, &crews, from, to, cart);
    assert_eq!(got, want);
    assert_eq!(
        totals(&proj, &got, 1000.0),
        straightforward_totals(&plain, &want, 1000.0)
    );
    // The case exercises every table: overload, moves, water, pests, replanting, unassigned.
    assert!(want.levelling.len() > 3, "{:?}", want.levelling);
    assert!(
        want.crews
            .iter()
            .any(|c| c.overloaded && !c.overloaded_after_levelling)
    );
    assert!(want.crews.iter().any(|c| c.crew == UNASSIGNED));
    assert!(want.water.len() > 10 && want.water_monthly.len() >= 3);
    assert!(want.pests.iter().any(|p| p.product.is_empty()));
    assert!(want.replanting.len() > 10);
}

/// A register of `n` assets: trees (every seventh dead, one retired) and box groups, in zones
/// `old-town` and `river`.
fn register(n: i64) -> Vec<crate::model::AssetRecord> {
    use crate::model::{AssetRecord, BoxGroup, Condition, KindData, SiteState, TreeOccupant};
    (1..=n)
        .map(|id| {
            let data = if id % 4 == 0 {
                KindData::FlowerBoxGroup(BoxGroup {
                    box_count: 1 + (id % 5) as u32,
                    box_length_m: 1.0,
                    box_width_m: 0.3,
                    box_depth_m: 0.25,
                    ..BoxGroup::default()
                })
            } else {
                KindData::Tree(TreeOccupant {
                    condition: Some(if id % 7 == 0 {
                        Condition::Dead
                    } else {
                        Condition::Good
                    }),
                    ..TreeOccupant::default()
                })
            };
            AssetRecord {
                id,
                asset_ref: format!("A-{id}"),
                names: Default::default(),
                geometry: geo::Geometry::Point(geo::Point::new(91.13 + id as f64 * 1e-5, 29.65)),
                zone: Some(if id % 3 == 0 { "river" } else { "old-town" }.to_string()),
                zone_id: None,
                site_state: SiteState::Occupied,
                data,
                tags: Default::default(),
                provenance: Default::default(),
                retired: (id == 5).then(|| "felled".to_string()),
            }
        })
        .collect()
}

const STREAM_RULES: &str = r#"
[[rule]]
id = "box-watering"
task = "watering"
select = { kind = "flower_box_group" }
cron = "0 7 * * *"
season = "05-01..09-30"
minutes_per_asset = 2.0
per = "box"
skill = "watering"
priority = 2

[[rule]]
id = "tree-watering"
task = "watering"
select = { kind = "tree", site_state = ["occupied"] }
every = "14d"
season = "04-15..09-15"
minutes_per_asset = 5.0
skill = "watering"
priority = 3

[[rule]]
id = "tree-inspection"
task = "inspection"
select = { kind = "tree" }
every = "30d"
grace = "10d"
minutes_per_asset = 1.0
skill = "inspection"
priority = 4

[[rule]]
id = "box-water-need"
task = "watering"
select = { kind = "flower_box_group" }
cron = "0 7 * * *"
water_need = "flower_box"
season = "04-15..10-31"
minutes_per_asset = 2.0
per = "box"
skill = "watering"
priority = 2

[[rule]]
id = "dead-tree-removal"
task = "removal"
select = { kind = "tree", condition = ["dead"] }
cron = "0 8 * * MON"
single_open = true
grace = "30d"
minutes_per_asset = 90.0
skill = "arborist"
priority = 1
"#;

const STREAM_CREWS: &str = r#"
[[crew]]
name = "old-town"
zones = ["old-town"]
skills = ["watering", "inspection"]
hours_per_day = 1.5
start = [91.13, 29.65]

[[crew]]
name = "everywhere"
skills = ["watering", "inspection"]
hours_per_day = 1
start = [91.13, 29.65]

[[crew]]
name = "arborists"
zones = ["river"]
skills = ["arborist"]
hours_per_day = 8
start = [91.13, 29.65]
"#;

/// The Barkhor calendar of the tests, without normals, from `today`.
fn calendar(
    today: NaiveDate,
    blackouts: Vec<(NaiveDate, NaiveDate)>,
) -> crate::tasks::generate::Calendar {
    crate::tasks::generate::Calendar {
        tz: chrono_tz::Asia::Shanghai,
        blackouts,
        today,
        latitude: 29.65,
        altitude_m: 3650.0,
        normals: None,
        pests: crate::ipm::pests::embedded_barkhor_pests(),
        festivals: vec![],
    }
}

#[test]
fn planning_on_two_threads_gives_the_tasks_of_one_thread_in_rule_order() {
    use crate::model::AssetWorld;
    use crate::tasks::generate::plan_on;
    use std::collections::HashMap;

    let from = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2027, 6, 30).unwrap();
    let records = register(120);
    let rules = crate::schedule::parse_rules("rules.toml", STREAM_RULES, None).unwrap();
    let cal = calendar(from, vec![]);
    let last = HashMap::new();
    let mut world = AssetWorld::from_records(records.iter());
    let one = plan_on(&rules, &mut world, &cal, from, to, &last, false).into_vec();
    let two = plan_on(&rules, &mut world, &cal, from, to, &last, true).into_vec();
    let rules_of = |tasks: &[crate::tasks::TaskRecord]| {
        let mut seen: Vec<String> = Vec::new();
        for t in tasks {
            let r = t.rule_id.clone().unwrap();
            if seen.last() != Some(&r) {
                seen.push(r);
            }
        }
        seen
    };
    // Several rules, each of them once, in file order.
    let order = rules_of(&one);
    assert!(order.len() >= 3, "{order:?}");
    let in_file: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let mut positions = order
        .iter()
        .map(|r| in_file.iter().position(|x| x == r).unwrap());
    let mut last_pos = positions.next().unwrap();
    for p in positions {
        assert!(p > last_pos, "rule order {order:?}");
        last_pos = p;
    }
    assert_eq!(one.len(), two.len());
    assert!(
        one == two,
        "two threads plan the same tasks in the same order"
    );
}

#[test]
fn streamed_occurrences_equal_the_collected_task_records() {
    use super::scenario::{ScenarioKind, build};
    use crate::schedule::{Trigger, resolve_local};
    use crate::tasks::need::{NeedAsset, NeedDay, NeedDays, check_rule, et0_of};
    use std::collections::{HashMap, HashSet};

    use super::project::{SiteInputs, TreatmentRates, project};
    use crate::model::AssetWorld;
    use crate::tasks::assign::{DayTask, assign_day};
    use crate::tasks::generate;

    let from = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2027, 11, 30).unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    let records = register(120);
    let rules = crate::schedule::parse_rules("rules.toml", STREAM_RULES, None).unwrap();
    let crews = crate::tasks::crews::parse_crews("crews.toml", STREAM_CREWS, None).unwrap();
    // Moves every task due in the first days of the festival week.
    let cal = calendar(from, vec![(d(6, 7), d(6, 9))]);
    let last_completion: generate::LastCompletions = [
        (
            "tree-inspection".to_string(),
            [(1, d(2, 20)), (2, d(1, 5))].into_iter().collect(),
        ),
        (
            "tree-watering".to_string(),
            [(3, d(4, 28))].into_iter().collect(),
        ),
    ]
    .into_iter()
    .collect();
    let site = SiteInputs {
        records: records.clone(),
        rules: rules.clone(),
        crews: crews.clone(),
        cal: cal.clone(),
        last_completion: last_completion.clone(),
        water_cart_l: 1000.0,
    };
    let normals = crate::science::parse_normals(crate::weather::BARKHOR_NORMALS).unwrap();
    let series = build(&ScenarioKind::Normal, &normals, None, 2027, 2027)
        .unwrap()
        .days;
    let proj = project(&site, &series, from, to, &TreatmentRates::default()).unwrap();

    // The straightforward way: every occurrence as a task record, single-open rules once per
    // asset, then the period.
    let live: Vec<_> = records.iter().filter(|a| a.retired.is_none()).collect();
    let mut world = AssetWorld::from_records(live.iter().copied());
    let planned = generate::plan(&rules, &mut world, &cal, from, to, &last_completion).into_vec();
    let mut busy = HashSet::new();
    let single: HashSet<&str> = ["dead-tree-removal"].into();
    let collected: Vec<_> = planned
        .iter()
        .filter(|t| {
            let r = t.rule_id.as_deref().unwrap();
            !single.contains(r) || busy.insert((r.to_string(), t.asset_id))
        })
        .filter(|t| (from..=to).contains(&t.due_at.date_naive()))
        .collect();
    // The water-need rule's task records, after the cron and interval ones.
    let rule = rules.get("box-water-need").unwrap();
    let Trigger::WaterNeed { bucket, .. } = &rule.trigger else {
        panic!("a water-need rule");
    };
    let at = |day: NaiveDate| resolve_local(cal.tz, day.and_time(chrono::NaiveTime::MIN));
    let days: NeedDays = series
        .iter()
        .map(|w| {
            let n = NeedDay {
                et0_mm: et0_of(w, cal.latitude, cal.altitude_m),
                peff_mm: w.peff_mm(),
                rain_mm: w.weather.rain_mm,
                tmin_c: w.weather.tmin_c,
            };
            (w.date(), n)
        })
        .collect();
    let boxes: Vec<NeedAsset> = crate::schedule::select::select(&mut world, &rule.select, rule.per)
        .into_iter()
        .map(|s| NeedAsset {
            asset_id: s.asset_id,
            units: s.units,
            container: true,
        })
        .collect();
    let water = check_rule(
        rule,
        bucket,
        &boxes,
        &rule.cron_occurrences(&at(from), &at(to + Duration::days(1))),
        &rule.cron_occurrences(&at(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()), &at(from)),
        &Default::default(),
        &Default::default(),
        &days,
    );
    let water_l: Vec<f64> = water
        .tasks
        .iter()
        .map(|t| {
            let v: serde_json::Value = serde_json::from_str(t.detail.as_deref().unwrap()).unwrap();
            v["water_l"].as_f64().unwrap()
        })
        .collect();
    assert!(water.tasks.len() > 50, "{}", water.tasks.len());
    assert_eq!(proj.tally.waterings, water.tasks.len());
    assert_eq!(proj.tally.water_l, water_l.iter().sum::<f64>());
    let collected: Vec<_> = collected.into_iter().chain(&water.tasks).collect();
    assert!(
        collected.iter().any(|t| t.moved_from.is_some()),
        "a blackout move"
    );
    assert!(collected.len() > 2000, "{}", collected.len());

    let want: Vec<_> = collected
        .iter()
        .map(|t| {
            (
                t.due_at.date_naive(),
                t.deadline_at.date_naive(),
                t.rule_id.clone().unwrap(),
                t.task_type.clone(),
                t.skill.clone(),
                t.priority,
                t.asset_id,
                t.minutes,
            )
        })
        .collect();
    let got: Vec<_> = proj
        .tasks
        .iter()
        .map(|t| {
            let k = proj.kind_of(t);
            (
                proj.date(t.day),
                proj.deadline(t),
                proj.rule_ids.get(k.rule_id).to_string(),
                proj.task_types.get(k.task_type).to_string(),
                k.skill.map(|s| proj.skills.get(s).to_string()),
                k.priority,
                proj.asset_id(t),
                t.minutes,
            )
        })
        .collect();
    assert_eq!(got, want);

    // Crews: each day's tasks placed by `assign_day` with their zones as strings.
    let zone_of: HashMap<i64, String> = records
        .iter()
        .map(|a| (a.id, a.zone.clone().unwrap()))
        .collect();
    let mut want_crew = vec![String::new(); collected.len()];
    let mut by_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, t) in collected.iter().enumerate() {
        by_day.entry(t.due_at.date_naive()).or_default().push(i);
    }
    for idx in by_day.values() {
        let day: Vec<DayTask> = idx
            .iter()
            .map(|&i| DayTask {
                id: i as i64,
                zone: zone_of[&collected[i].asset_id].clone(),
                skill: collected[i].skill.clone(),
                minutes: collected[i].minutes,
                priority: collected[i].priority,
            })
            .collect();
        for p in assign_day(&day, &crews) {
            want_crew[p.task_id as usize] = p.crew.unwrap_or_else(|| UNASSIGNED.into());
        }
    }
    let got_crew: Vec<String> = proj
        .tasks
        .iter()
        .map(|t| proj.crews.get(t.crew).to_string())
        .collect();
    assert_eq!(got_crew, want_crew);
    for c in ["old-town", "everywhere", "arborists", UNASSIGNED] {
        assert!(got_crew.iter().any(|x| x == c), "no task for {c}");
    }
}
