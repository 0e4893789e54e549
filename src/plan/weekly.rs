//! Weekly aggregation of a projection: crew hours by task type against capacity, overloaded
//! weeks and a levelling suggestion, water by zone and cart trips, pests, replanting.
//!
//! # Conventions
//! - Weeks are ISO weeks (Monday to Sunday), labelled `2027-W18`.
//! - A crew's capacity in a week is `hours_per_day` × the days of that week inside the period
//!   (7 for a full week): crews work every day, as the scheduler assigns every day.
//! - A week is overloaded when a crew's hours exceed its capacity. Levelling moves *flexible*
//!   tasks (due-to-deadline window of 7 days or more: intervals, inspections, whitewashing,
//!   winter irrigation…) out of an overloaded week, lowest priority first, into the nearest later
//!   week inside the task's window and the period where the crew has spare hours.
//! - Cart trips: per week and zone, ⌈water_l ÷ water_cart_l⌉.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::project::Projected;
use crate::tasks::Crew;

/// ISO week label, e.g. `2027-W18`.
pub fn week_label(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Monday of the ISO week of `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Hours of one crew and task type in one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoursRow {
    pub week: String,
    pub week_start: NaiveDate,
    pub crew: String,
    pub task_type: String,
    pub tasks: usize,
    pub hours: f64,
}

/// One crew's week against its capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrewWeek {
    pub week: String,
    pub week_start: NaiveDate,
    pub crew: String,
    pub hours: f64,
    pub capacity_hours: f64,
    pub overloaded: bool,
    /// Hours after the levelling suggestion.
    pub levelled_hours: f64,
    pub overloaded_after_levelling: bool,
}

/// A suggested move: flexible tasks of one rule from an overloaded week into another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    pub crew: String,
    pub rule_id: String,
    pub task_type: String,
    pub from_week: String,
    pub to_week: String,
    pub tasks: usize,
    pub hours: f64,
}

/// Water of one zone in one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaterRow {
    pub week: String,
    pub week_start: NaiveDate,
    pub zone: String,
    pub waterings: usize,
    pub water_l: f64,
    pub cart_trips: u64,
}

/// Water of one calendar month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthRow {
    /// `2027-05`.
    pub month: String,
    pub waterings: usize,
    pub water_l: f64,
}

/// Scouting and expected treatments of one pest in one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PestRow {
    pub week: String,
    pub week_start: NaiveDate,
    pub pest: String,
    pub product: String,
    pub scouting_visits: usize,
    pub expected_treatments: f64,
    pub spray_mix_l: f64,
}

/// One replanting set on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplantRow {
    pub rule_id: String,
    pub set: String,
    pub date: NaiveDate,
    pub week: String,
    pub box_groups: usize,
    pub boxes: f64,
    pub seedlings: f64,
}

/// The weekly tables of one scenario.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Weekly {
    pub hours: Vec<HoursRow>,
    pub crews: Vec<CrewWeek>,
    pub levelling: Vec<Move>,
    pub water: Vec<WaterRow>,
    pub water_monthly: Vec<MonthRow>,
    pub pests: Vec<PestRow>,
    pub replanting: Vec<ReplantRow>,
}

/// Days of the ISO week starting `monday` inside `[from, to]`.
fn days_inside(monday: NaiveDate, from: NaiveDate, to: NaiveDate) -> i64 {
    let a = monday.max(from);
    let b = (monday + Duration::days(6)).min(to);
    ((b - a).num_days() + 1).max(0)
}

/// Builds the weekly tables.
pub fn aggregate(
    tasks: &[Projected],
    crews: &[Crew],
    from: NaiveDate,
    to: NaiveDate,
    water_cart_l: f64,
) -> Weekly {
    let mondays: Vec<NaiveDate> = {
        let mut v = Vec::new();
        let mut m = week_start(from);
        while m <= to {
            v.push(m);
            m += Duration::days(7);
        }
        v
    };
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
        if t.water_l > 0.0 {
            let w = water.entry((wk, t.zone.clone())).or_default();
            w.0 += 1;
            w.1 += t.water_l;
            let m = monthly
                .entry(format!("{}-{:02}", t.date.year(), t.date.month()))
                .or_default();
            m.0 += 1;
            m.1 += t.water_l;
        }
        if let Some(p) = &t.pest {
            let e = pests
                .entry((wk, p.clone(), t.product.clone().unwrap_or_default()))
                .or_default();
            e.0 += t.scouting as usize;
            e.1 += t.treatments;
            e.2 += t.spray_mix_l;
        }
        if let Some(s) = &t.set {
            let e = replant
                .entry((t.date, t.rule_id.clone(), s.clone()))
                .or_default();
            e.0 += 1;
            e.1 += t.boxes;
            e.2 += t.seedlings;
        }
    }
    let mut out = Weekly {
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
        water: water
            .into_iter()
            .map(|((wk, zone), (n, l))| WaterRow {
                week: week_label(wk),
                week_start: wk,
                zone,
                waterings: n,
                water_l: l,
                cart_trips: if water_cart_l > 0.0 {
                    (l / water_cart_l - 1e-9).ceil().max(0.0) as u64
                } else {
                    0
                },
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
        ..Weekly::default()
    };
    // Capacity per crew and week; crews with work but no entry (unassigned) have none.
    let cap_per_day: BTreeMap<&str, f64> = crews
        .iter()
        .map(|c| (c.name.as_str(), c.hours_per_day))
        .collect();
    let capacity = |crew: &str, wk: NaiveDate| {
        cap_per_day.get(crew).copied().unwrap_or(0.0) * days_inside(wk, from, to) as f64
    };
    let (levelled, moves) = level(tasks, &load, &mondays, &capacity, from, to);
    out.levelling = moves;
    let names: BTreeSet<String> = crews
        .iter()
        .map(|c| c.name.clone())
        .chain(load.keys().map(|k| k.0.clone()))
        .collect();
    for wk in &mondays {
        for crew in &names {
            let h = load.get(&(crew.clone(), *wk)).copied().unwrap_or(0.0);
            let cap = capacity(crew, *wk);
            let after = levelled.get(&(crew.clone(), *wk)).copied().unwrap_or(0.0);
            if h == 0.0 && cap == 0.0 {
                continue;
            }
            out.crews.push(CrewWeek {
                week: week_label(*wk),
                week_start: *wk,
                crew: crew.clone(),
                hours: h,
                capacity_hours: cap,
                overloaded: h > cap + 1e-9,
                levelled_hours: after,
                overloaded_after_levelling: after > cap + 1e-9,
            });
        }
    }
    out
}

type Load = BTreeMap<(String, NaiveDate), f64>;

/// The levelling suggestion: the hours after the moves, and the moves.
fn level(
    tasks: &[Projected],
    load: &Load,
    mondays: &[NaiveDate],
    capacity: &dyn Fn(&str, NaiveDate) -> f64,
    from: NaiveDate,
    to: NaiveDate,
) -> (Load, Vec<Move>) {
    let mut after = load.clone();
    // (crew, rule, task type, from week, to week) → (tasks, hours)
    type MoveKey = (String, String, String, NaiveDate, NaiveDate);
    let mut moves: BTreeMap<MoveKey, (usize, f64)> = BTreeMap::new();
    // Flexible tasks per (crew, week), lowest priority (highest number) first, then latest
    // deadline first (the most room to move).
    let mut flexible: BTreeMap<(String, NaiveDate), Vec<&Projected>> = BTreeMap::new();
    for t in tasks
        .iter()
        .filter(|t| t.flexible() && t.crew != "unassigned")
    {
        flexible
            .entry((t.crew.clone(), week_start(t.date)))
            .or_default()
            .push(t);
    }
    for v in flexible.values_mut() {
        v.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(b.deadline.cmp(&a.deadline))
                .then(a.asset_id.cmp(&b.asset_id))
        });
    }
    let overloaded: Vec<(String, NaiveDate)> = load
        .iter()
        .filter(|((c, w), h)| **h > capacity(c, *w) + 1e-9)
        .map(|(k, _)| k.clone())
        .collect();
    for (crew, wk) in overloaded {
        let cap = capacity(&crew, wk);
        let Some(cands) = flexible.get(&(crew.clone(), wk)) else {
            continue;
        };
        for t in cands {
            if after[&(crew.clone(), wk)] <= cap + 1e-9 {
                break;
            }
            let h = t.hours();
            // Later weeks inside the task's window and the period, nearest first.
            let last = t.deadline.min(to);
            let target = mondays
                .iter()
                .copied()
                .filter(|m| *m > wk && *m <= last && *m + Duration::days(6) >= from)
                .find(|m| {
                    after.get(&(crew.clone(), *m)).copied().unwrap_or(0.0) + h
                        <= capacity(&crew, *m) + 1e-9
                });
            let Some(m) = target else { continue };
            *after.entry((crew.clone(), wk)).or_default() -= h;
            *after.entry((crew.clone(), m)).or_default() += h;
            let e = moves
                .entry((crew.clone(), t.rule_id.clone(), t.task_type.clone(), wk, m))
                .or_default();
            e.0 += 1;
            e.1 += h;
        }
    }
    let moves = moves
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
        .collect();
    (after, moves)
}
