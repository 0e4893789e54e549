//! Weekly aggregation of a projection: crew hours by task type against capacity, overloaded
//! weeks and a levelling suggestion, water by zone and cart trips, pests, replanting.
//!
//! Water, pests and replanting do not depend on the crew a task gets: the projection adds them
//! to a [`Tally`] as it produces the tasks. Crew hours, loads and levelling are summed by
//! [`aggregate`] once the crews are assigned, over the compact tasks with index keys, and named
//! at the end. Every sum adds its tasks in the order the projection produced them.
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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::project::{Projection, Task, UNASSIGNED};
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

/// Water, pest and replanting figures of one task (none for most tasks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// Litres of a water-need watering (0 for other tasks and calendar waterings).
    pub water_l: f64,
    /// Pest of a scouting visit or an expected treatment, and its first product.
    pub pest: Option<String>,
    pub product: Option<String>,
    /// 1 for a scouting visit.
    pub scouting: f64,
    /// Expected treatments (the rate for one host).
    pub treatments: f64,
    pub spray_mix_l: f64,
    /// Replanting: set name, boxes and seedlings.
    pub set: Option<String>,
    pub boxes: f64,
    pub seedlings: f64,
}

/// Sums of what does not depend on the crew a task gets (water, pests, replanting), added to as
/// the projection produces the tasks, in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// (week, zone index) → (waterings, litres).
    water: BTreeMap<(NaiveDate, u32), (usize, f64)>,
    /// (year, month) → (waterings, litres).
    monthly: BTreeMap<(i32, u32), (usize, f64)>,
    /// (week, pest, product) → (scouting visits, expected treatments, spray mix).
    pests: BTreeMap<(NaiveDate, String, String), (usize, f64, f64)>,
    /// (day, rule, set) → (box groups, boxes, seedlings).
    replant: BTreeMap<(NaiveDate, String, String), (usize, f64, f64)>,
    pub waterings: usize,
    pub water_l: f64,
    pub scouting_visits: usize,
    pub expected_treatments: f64,
    pub spray_mix_l: f64,
    pub spray_mix_l_by_product: BTreeMap<String, f64>,
    pub replanting_box_groups: usize,
    pub replanting_boxes: f64,
    pub seedlings: f64,
}

impl Tally {
    /// Adds the figures of a task on `date` in zone `zone` (an index the caller resolves in
    /// [`aggregate`]) of rule `rule_id`.
    pub fn add(&mut self, date: NaiveDate, zone: u32, rule_id: &str, e: &Extras) {
        let wk = week_start(date);
        if e.water_l > 0.0 {
            let w = self.water.entry((wk, zone)).or_default();
            w.0 += 1;
            w.1 += e.water_l;
            let m = self.monthly.entry((date.year(), date.month())).or_default();
            m.0 += 1;
            m.1 += e.water_l;
            self.waterings += 1;
            self.water_l += e.water_l;
        }
        if let Some(p) = &e.pest {
            let x = self
                .pests
                .entry((wk, p.clone(), e.product.clone().unwrap_or_default()))
                .or_default();
            x.0 += e.scouting as usize;
            x.1 += e.treatments;
            x.2 += e.spray_mix_l;
        }
        if let Some(s) = &e.set {
            let x = self
                .replant
                .entry((date, rule_id.to_string(), s.clone()))
                .or_default();
            x.0 += 1;
            x.1 += e.boxes;
            x.2 += e.seedlings;
            self.replanting_box_groups += 1;
            self.replanting_boxes += e.boxes;
            self.seedlings += e.seedlings;
        }
        self.scouting_visits += e.scouting as usize;
        self.expected_treatments += e.treatments;
        self.spray_mix_l += e.spray_mix_l;
        if let Some(prod) = &e.product {
            *self.spray_mix_l_by_product.entry(prod.clone()).or_default() += e.spray_mix_l;
        }
    }
}

/// Hours of a projection summed per key while the tasks are walked in order.
struct Sums {
    weeks: usize,
    types: usize,
    /// (week, crew, task type) → (tasks, hours).
    hours: Vec<(usize, f64)>,
    /// (crew, week) → hours, and whether any task is there.
    load: Vec<f64>,
    present: Vec<bool>,
}

impl Sums {
    fn of(p: &Projection, weeks: usize, first_monday: NaiveDate) -> Sums {
        let crews = p.crews.len();
        let types = p.task_types.len();
        let mut s = Sums {
            weeks,
            types,
            hours: vec![(0, 0.0); weeks * crews * types],
            load: vec![0.0; crews * weeks],
            present: vec![false; crews * weeks],
        };
        let offset = (p.from - first_monday).num_days() as usize;
        for t in &p.tasks {
            let w = (usize::from(t.day) + offset) / 7;
            let c = t.crew as usize;
            let ty = p.kind_of(t).task_type as usize;
            let h = &mut s.hours[(w * crews + c) * types + ty];
            h.0 += 1;
            h.1 += t.hours();
            s.load[c * weeks + w] += t.hours();
            s.present[c * weeks + w] = true;
        }
        s
    }
}

/// Builds the weekly tables of a projection whose crews are assigned.
pub fn aggregate(p: &Projection, crews: &[Crew], water_cart_l: f64) -> Weekly {
    let (from, to) = (p.from, p.to);
    let mondays: Vec<NaiveDate> = {
        let mut v = Vec::new();
        let mut m = week_start(from);
        while m <= to {
            v.push(m);
            m += Duration::days(7);
        }
        v
    };
    let sums = Sums::of(p, mondays.len(), week_start(from));
    let n_crews = p.crews.len();
    let mut hours: BTreeMap<(NaiveDate, &str, &str), (usize, f64)> = BTreeMap::new();
    for (i, &(n, h)) in sums.hours.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let ty = i % sums.types;
        let c = (i / sums.types) % n_crews;
        let w = i / sums.types / n_crews;
        hours.insert(
            (
                mondays[w],
                p.crews.get(c as u32),
                p.task_types.get(ty as u32),
            ),
            (n, h),
        );
    }
    let t = &p.tally;
    let water: BTreeMap<(NaiveDate, &str), (usize, f64)> = t
        .water
        .iter()
        .map(|((wk, z), v)| ((*wk, p.zones.get(*z)), *v))
        .collect();
    let monthly: BTreeMap<String, (usize, f64)> = t
        .monthly
        .iter()
        .map(|((y, m), v)| (format!("{y}-{m:02}"), *v))
        .collect();
    let mut out = Weekly {
        hours: hours
            .into_iter()
            .map(|((wk, crew, task_type), (n, h))| HoursRow {
                week: week_label(wk),
                week_start: wk,
                crew: crew.to_string(),
                task_type: task_type.to_string(),
                tasks: n,
                hours: h,
            })
            .collect(),
        water: water
            .into_iter()
            .map(|((wk, zone), (n, l))| WaterRow {
                week: week_label(wk),
                week_start: wk,
                zone: zone.to_string(),
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
        pests: t
            .pests
            .iter()
            .map(|((wk, pest, product), (n, tr, mix))| PestRow {
                week: week_label(*wk),
                week_start: *wk,
                pest: pest.clone(),
                product: product.clone(),
                scouting_visits: *n,
                expected_treatments: *tr,
                spray_mix_l: *mix,
            })
            .collect(),
        replanting: t
            .replant
            .iter()
            .map(|((date, rule_id, set), (n, b, s))| ReplantRow {
                rule_id: rule_id.clone(),
                set: set.clone(),
                week: week_label(*date),
                date: *date,
                box_groups: *n,
                boxes: *b,
                seedlings: *s,
            })
            .collect(),
        ..Weekly::default()
    };
    // Capacity per crew and week; crews with work but no entry (unassigned) have none.
    let cap_per_day: BTreeMap<&str, f64> = crews
        .iter()
        .map(|c| (c.name.as_str(), c.hours_per_day))
        .collect();
    let cap_of: Vec<f64> = (0..n_crews)
        .map(|c| {
            cap_per_day
                .get(p.crews.get(c as u32))
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    let days: Vec<f64> = mondays
        .iter()
        .map(|m| days_inside(*m, from, to) as f64)
        .collect();
    let capacity = |c: usize, w: usize| cap_of[c] * days[w];
    // Crews by name, as the tables sort them.
    let mut by_name: Vec<usize> = (0..n_crews).collect();
    by_name.sort_by(|a, b| p.crews.get(*a as u32).cmp(p.crews.get(*b as u32)));
    let (levelled, moves) = level(p, &sums, &by_name, &mondays, &capacity, from, to);
    out.levelling = moves;
    // Every crew of the file, and crews with work (unassigned).
    let names: BTreeSet<&str> = crews
        .iter()
        .map(|c| c.name.as_str())
        .chain(
            (0..n_crews)
                .filter(|&c| (0..sums.weeks).any(|w| sums.present[c * sums.weeks + w]))
                .map(|c| p.crews.get(c as u32)),
        )
        .collect();
    let cap_named = |name: &str, w: usize| cap_per_day.get(name).copied().unwrap_or(0.0) * days[w];
    for (w, wk) in mondays.iter().enumerate() {
        for &name in &names {
            let at = p.crews.index_of(name).map(|c| c as usize * sums.weeks + w);
            let h = at.map_or(0.0, |i| sums.load[i]);
            let cap = cap_named(name, w);
            let after = at.map_or(0.0, |i| levelled[i]);
            if h == 0.0 && cap == 0.0 {
                continue;
            }
            out.crews.push(CrewWeek {
                week: week_label(*wk),
                week_start: *wk,
                crew: name.to_string(),
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

/// The levelling suggestion: the hours after the moves (per crew and week, as in [`Sums`]), and
/// the moves.
fn level(
    p: &Projection,
    sums: &Sums,
    by_name: &[usize],
    mondays: &[NaiveDate],
    capacity: &dyn Fn(usize, usize) -> f64,
    from: NaiveDate,
    to: NaiveDate,
) -> (Vec<f64>, Vec<Move>) {
    let weeks = sums.weeks;
    let mut after = sums.load.clone();
    // Overloaded (crew, week), crews by name then weeks.
    let overloaded: Vec<(usize, usize)> = by_name
        .iter()
        .flat_map(|&c| (0..weeks).map(move |w| (c, w)))
        .filter(|&(c, w)| {
            sums.present[c * weeks + w] && sums.load[c * weeks + w] > capacity(c, w) + 1e-9
        })
        .collect();
    if overloaded.is_empty() {
        return (after, Vec::new());
    }
    let mut is_over = vec![false; after.len()];
    for &(c, w) in &overloaded {
        is_over[c * weeks + w] = true;
    }
    let unassigned = p.crews.index_of(UNASSIGNED);
    let offset = (p.from - week_start(from)).num_days() as usize;
    let week_of = |t: &Task| (usize::from(t.day) + offset) / 7;
    // Flexible tasks per overloaded (crew, week), lowest priority (highest number) first, then
    // latest deadline first (the most room to move).
    let mut flexible: HashMap<(usize, usize), Vec<u32>> = HashMap::new();
    for (i, t) in p.tasks.iter().enumerate() {
        let c = t.crew as usize;
        if t.flexible() && Some(t.crew) != unassigned && is_over[c * weeks + week_of(t)] {
            flexible.entry((c, week_of(t))).or_default().push(i as u32);
        }
    }
    for v in flexible.values_mut() {
        v.sort_by(|&a, &b| {
            let (a, b) = (&p.tasks[a as usize], &p.tasks[b as usize]);
            p.kind_of(b)
                .priority
                .cmp(&p.kind_of(a).priority)
                .then(b.deadline.cmp(&a.deadline))
                .then(p.asset_id(a).cmp(&p.asset_id(b)))
        });
    }
    // (crew, rule, task type, from week, to week) → (tasks, hours)
    type MoveKey = (usize, u32, u32, usize, usize);
    type NamedMoveKey<'a> = (&'a str, &'a str, &'a str, NaiveDate, NaiveDate);
    let mut moves: HashMap<MoveKey, (usize, f64)> = HashMap::new();
    for (crew, wk) in overloaded {
        let cap = capacity(crew, wk);
        let Some(cands) = flexible.get(&(crew, wk)) else {
            continue;
        };
        for &i in cands {
            if after[crew * weeks + wk] <= cap + 1e-9 {
                break;
            }
            let t = &p.tasks[i as usize];
            let h = t.hours();
            // Later weeks inside the task's window and the period, nearest first.
            let last = p.deadline(t).min(to);
            let target = (wk + 1..weeks).find(|&m| {
                mondays[m] <= last
                    && mondays[m] + Duration::days(6) >= from
                    && after[crew * weeks + m] + h <= capacity(crew, m) + 1e-9
            });
            let Some(m) = target else { continue };
            after[crew * weeks + wk] -= h;
            after[crew * weeks + m] += h;
            let k = p.kind_of(t);
            let e = moves
                .entry((crew, k.rule_id, k.task_type, wk, m))
                .or_default();
            e.0 += 1;
            e.1 += h;
        }
    }
    let moves: BTreeMap<NamedMoveKey, (usize, f64)> = moves
        .into_iter()
        .map(|((c, r, ty, a, b), v)| {
            (
                (
                    p.crews.get(c as u32),
                    p.rule_ids.get(r),
                    p.task_types.get(ty),
                    mondays[a],
                    mondays[b],
                ),
                v,
            )
        })
        .collect();
    let moves = moves
        .into_iter()
        .map(|((crew, rule_id, task_type, a, b), (n, h))| Move {
            crew: crew.to_string(),
            rule_id: rule_id.to_string(),
            task_type: task_type.to_string(),
            from_week: week_label(a),
            to_week: week_label(b),
            tasks: n,
            hours: h,
        })
        .collect();
    (after, moves)
}
