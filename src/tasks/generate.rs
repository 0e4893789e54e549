//! `schedule run`: materialises the tasks of a date range from the rules, idempotently, and
//! gives each day's work to the crews.
//!
//! - A generated task's identity is (rule, asset, occurrence): the same rules over the same range
//!   create nothing new. The occurrence is the rule's own time (before any blackout move).
//! - Open generated tasks whose occurrence is in the range (from today on) that the rules no
//!   longer produce (a changed rule, an interval rolled forward by an actual completion, a rule
//!   removed) are cancelled with reason `rule_changed`, wherever a blackout or overflow moved
//!   them; work of an earlier occurrence moved into the range is kept (the run does not produce
//!   that occurrence). Open tasks of retired assets are cancelled with `asset_retired`. Done and
//!   skipped tasks are never altered.
//! - Then each day, from the first of the range: crews get the day's open tasks (see `assign`);
//!   what does not fit moves to the next day, and the summary says which.
//!
//! The whole run is one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use rustc_hash::{FxHashMap, FxHashSet};

use super::assign::{CrewGroups, GroupTask, assign_day_grouped};
use super::record::{Crew, TaskRecord, TaskState};
use crate::ipm::PestList;
use crate::model::AssetWorld;
use crate::model::{AssetKind, AssetRecord, ReadyAsset};
use crate::schedule::select::{SelectQuery, Selected, select, select_with};
use crate::schedule::{Rule, RuleSet, Trigger, apply_blackouts};
use crate::science::MonthlyNormals;
use crate::store::{Placement, ReadAhead, Store, StoreError, StoredGenerated, WaterStates};
use crate::weather::{WeatherError, daily_series_in};

use super::ipm_tasks::{PestInputs, pest_tasks, replanting_tasks};
use super::need::{NeedAsset, NeedDay, NeedDays, Waterings, check_rule, et0_of};

/// A task moved to the next day because its crew was full.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    pub task_id: i64,
    pub asset_ref: String,
    pub task_type: String,
    pub crew: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Closed tasks the rules produced again: left as they are.
    pub closed_kept: usize,
    pub cancelled_rule_changed: usize,
    pub cancelled_retired: usize,
    /// Distinct tasks moved, with the day they left and the day they landed on.
    pub moved: Vec<Moved>,
    /// Open tasks no crew covers (zone or skill).
    pub unassigned: usize,
    /// Hours planned per (day, crew).
    pub hours: BTreeMap<(NaiveDate, String), f64>,
}

/// The site's calendar, climate and pests as the scheduler needs them.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub tz: Tz,
    /// Blackout windows (inclusive dates).
    pub blackouts: Vec<(NaiveDate, NaiveDate)>,
    /// The day treated as today: open tasks before it are history and are left alone.
    pub today: NaiveDate,
    pub latitude: f64,
    pub altitude_m: f64,
    /// Climate normals standing in for days without observations or forecast; `None` when the
    /// site has none (then weather-driven rules are refused).
    pub normals: Option<MonthlyNormals>,
    pub pests: PestList,
    /// Festival dates the boxes are refreshed for.
    pub festivals: Vec<NaiveDate>,
}

/// Default time of day for interval tasks without a window.
const DEFAULT_START: (u32, u32) = (8, 0);

fn local(tz: Tz, date: NaiveDate, t: NaiveTime) -> DateTime<Tz> {
    crate::schedule::resolve_local(tz, date.and_time(t))
}

/// The local day of each asset's last completion, by interval rule (rule id, then asset id):
/// what interval rules roll forward from.
pub type LastCompletions = HashMap<String, FxHashMap<i64, NaiveDate>>;

/// Worlds of at least this many assets are planned on two threads.
const PLAN_ON_TWO_THREADS_FROM: usize = 50_000;

/// The tasks the rules produce in `[from, to]` (local dates), before storage, rule by rule in
/// file order. Each rule's selection scans every asset: on a big world the rules are shared
/// between two threads (selection reads the world only), and their tasks kept in rule order.
pub fn plan(
    rules: &RuleSet,
    world: &mut AssetWorld,
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    last_completion: &LastCompletions,
) -> PlannedTasks {
    let two_threads = world.len() >= PLAN_ON_TWO_THREADS_FROM;
    plan_on(rules, world, cal, from, to, last_completion, two_threads)
}

/// Planned tasks in order, in the lists they were made in (a rule's, a trigger's): joining
/// them copied a million-asset day's ~100 MB of tasks into fresh memory.
#[derive(Debug, Default)]
pub struct PlannedTasks {
    parts: Vec<Vec<TaskRecord>>,
    /// The index of each part's first task.
    starts: Vec<usize>,
    len: usize,
}

impl PlannedTasks {
    pub fn push_part(&mut self, tasks: Vec<TaskRecord>) {
        if !tasks.is_empty() {
            self.starts.push(self.len);
            self.len += tasks.len();
            self.parts.push(tasks);
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &TaskRecord> {
        self.parts.iter().flatten()
    }

    pub fn into_vec(self) -> Vec<TaskRecord> {
        match <[_; 1]>::try_from(self.parts) {
            Ok([only]) => only,
            Err(parts) => parts.into_iter().flatten().collect(),
        }
    }
}

impl std::ops::Index<usize> for PlannedTasks {
    type Output = TaskRecord;

    fn index(&self, i: usize) -> &TaskRecord {
        let part = self.starts.partition_point(|&start| start <= i) - 1;
        &self.parts[part][i - self.starts[part]]
    }
}

/// [`plan`], on two threads or one.
pub(crate) fn plan_on(
    rules: &RuleSet,
    world: &mut AssetWorld,
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    last_completion: &LastCompletions,
    two_threads: bool,
) -> PlannedTasks {
    let expanded: Vec<&Rule> = rules.rules.iter().filter(|r| expands_here(r)).collect();
    let mut queries = [SelectQuery::new(world), SelectQuery::new(world)];
    let world = &*world;
    // Each thread takes the next rule not yet taken, so that a rule of many tasks on one
    // thread does not leave the other idle.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let plan_rules = |q: &mut SelectQuery| -> Vec<(usize, Vec<TaskRecord>)> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rule) = expanded.get(i) else {
                return done;
            };
            let assets = q.select(world, &rule.select, rule.per);
            let mut out = Vec::new();
            // The assets of a cron rule share each occurrence: its key is formatted once.
            let mut key: Option<(DateTime<Tz>, String)> = None;
            let mut sink = |rule: &Rule, a: &Selected, occ: DateTime<Tz>, due: DateTime<Tz>| {
                let text = match &key {
                    Some((at, text)) if *at == occ => text.clone(),
                    _ => {
                        let text = occ.fixed_offset().to_rfc3339();
                        key = Some((occ, text.clone()));
                        text
                    }
                };
                out.push(task(rule, a, occ, text, due))
            };
            rule_occurrences(rule, &assets, cal, from, to, last_completion, &mut sink);
            done.push((i, out));
        }
    };
    let [first, second] = &mut queries;
    let mut done = if two_threads && expanded.len() > 1 {
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name("plan-rules".into())
                .spawn_scoped(scope, || plan_rules(second));
            // Without a second thread, this one plans every rule.
            let mut done = plan_rules(first);
            if let Ok(other) = other {
                done.extend(
                    other
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p)),
                );
            }
            done
        })
    } else {
        plan_rules(first)
    };
    done.sort_by_key(|(i, _)| *i);
    let mut out = PlannedTasks::default();
    for (_, tasks) in done {
        out.push_part(tasks);
    }
    out
}

/// Whether [`for_each_occurrence`] expands a rule's trigger (cron and interval rules; the
/// weather and pest triggers read the store: `run` expands them).
fn expands_here(rule: &Rule) -> bool {
    matches!(
        rule.trigger,
        Trigger::Cron { .. } | Trigger::Interval { .. }
    )
}

/// Calls `sink(rule, asset, occurrence, due)` for every cron and interval occurrence in
/// `[from, to]` (local dates), rule by rule in file order, without collecting them: a season of
/// a million-asset city is tens of millions of occurrences. `due` is the occurrence after any
/// blackout move. Weather and pest triggers are not expanded here (they read the store).
pub fn for_each_occurrence(
    rules: &RuleSet,
    world: &mut AssetWorld,
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    last_completion: &LastCompletions,
    mut sink: impl FnMut(&Rule, &Selected, DateTime<Tz>, DateTime<Tz>),
) {
    let mut q = SelectQuery::new(world);
    for rule in rules.rules.iter().filter(|r| expands_here(r)) {
        let assets = q.select(world, &rule.select, rule.per);
        rule_occurrences(rule, &assets, cal, from, to, last_completion, &mut sink);
    }
}

/// [`for_each_occurrence`] for one cron or interval rule and the assets it selected.
fn rule_occurrences(
    rule: &Rule,
    assets: &[Selected],
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    last_completion: &LastCompletions,
    sink: &mut impl FnMut(&Rule, &Selected, DateTime<Tz>, DateTime<Tz>),
) {
    let (tz, blackouts, today) = (cal.tz, cal.blackouts.as_slice(), cal.today);
    let start = local(tz, from, NaiveTime::MIN);
    let end = local(tz, to + Duration::days(1), NaiveTime::MIN);
    if assets.is_empty() {
        return;
    }
    match &rule.trigger {
        Trigger::Cron { schedule, .. } => {
            for occ in schedule.between(&start, &end) {
                if !rule.in_season(occ.date_naive()) {
                    continue;
                }
                let due = if rule.blackouts {
                    apply_blackouts(occ, blackouts)
                } else {
                    occ
                };
                for a in assets {
                    sink(rule, a, occ, due);
                }
            }
        }
        Trigger::Interval {
            every,
            start: first_day,
        } => {
            let at = rule.window.map(|w| w.start).unwrap_or_else(|| {
                NaiveTime::from_hms_opt(DEFAULT_START.0, DEFAULT_START.1, 0).expect("valid")
            });
            let none = FxHashMap::default();
            let last_of_rule = last_completion.get(&rule.id).unwrap_or(&none);
            for a in assets {
                let last = last_of_rule.get(&a.asset_id).copied();
                let Some(mut next) = rule.next_interval_due(last, today) else {
                    continue;
                };
                if last.is_none() && first_day.is_none() {
                    // First round without a start date: the assets are spread over one
                    // interval, each on the days of a fixed grid of `every` days set by its
                    // id, from the first such day on or after today. The grid does not move
                    // with today: runs on successive days agree on every asset's day (were
                    // the spread counted from today, the same few assets would fall due at
                    // each daily run and the rest always later).
                    let days = every.num_days().max(1);
                    let phase = a.asset_id - i64::from(next.num_days_from_ce());
                    next += Duration::days(phase.rem_euclid(days));
                }
                // Projected visits: each assumed done on its due day.
                let mut guard = 0;
                while next <= to && guard < 10_000 {
                    guard += 1;
                    if next >= from && rule.in_season(next) {
                        let occ = local(tz, next, at);
                        let due = if rule.blackouts {
                            apply_blackouts(occ, blackouts)
                        } else {
                            occ
                        };
                        sink(rule, a, occ, due);
                    }
                    let after = next + *every;
                    next = match &rule.season {
                        Some(s) => s.next_in_season(after),
                        None => after,
                    };
                }
            }
        }
        Trigger::WaterNeed { .. } | Trigger::PestWindow { .. } | Trigger::Replanting { .. } => {}
    }
}

/// The task of one occurrence for one asset; `key` is the occurrence in RFC 3339.
fn task(
    rule: &Rule,
    a: &Selected,
    occurrence: DateTime<Tz>,
    key: String,
    due: DateTime<Tz>,
) -> TaskRecord {
    let minutes = rule.minutes_per_asset * a.units;
    let mut t = TaskRecord::with_occurrence(
        a.asset_id,
        rule.task.as_str(),
        key,
        due.fixed_offset(),
        (due + rule.grace).fixed_offset(),
        minutes,
    );
    t.rule_id = Some(rule.id.clone());
    t.skill = rule.skill.clone();
    t.priority = rule.priority;
    if due.date_naive() != occurrence.date_naive() {
        t.moved_from = Some(occurrence.date_naive());
    }
    t
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("--to {to} is before --from {from}")]
    BadRange { from: NaiveDate, to: NaiveDate },
    #[error("rule '{rule}' names pest '{pest}', which pests.toml does not define (known: {known})")]
    UnknownPest {
        rule: String,
        pest: String,
        known: String,
    },
    #[error(
        "rule '{rule}' is driven by the weather, but the site names no climate normals\n  add climate_normals = \"FILE.csv\" to its site.toml and run greenward init --site again"
    )]
    NoNormals { rule: String },
    #[error(transparent)]
    Weather(#[from] WeatherError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Generates, stores and assigns the tasks of `[from, to]` in one transaction.
pub fn run(
    store: &mut Store,
    rules: &RuleSet,
    crews: &[Crew],
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<RunSummary, GenerateError> {
    match run_matching(store, rules, crews, cal, from, to, Twins::ByRange) {
        // A stored task planned before its occurrence (moved by hand) escaped the range read
        // and the insert of its twin hit the identity index. Nothing was written: run again,
        // looking each planned task up by its identity.
        Err(GenerateError::Store(e)) if e.is_task_identity_clash() => {
            run_matching(store, rules, crews, cal, from, to, Twins::OneByOne)
        }
        other => other,
    }
}

/// How a run finds the stored twins of the tasks it plans.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Twins {
    /// One read of the stored generated tasks whose occurrence is in the planned dates
    /// ([`crate::store::Reader::generated_between`]).
    ByRange,
    /// One lookup by identity per planned task.
    OneByOne,
}

#[allow(clippy::too_many_arguments)]
fn run_matching(
    store: &mut Store,
    rules: &RuleSet,
    crews: &[Crew],
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    twins: Twins,
) -> Result<RunSummary, GenerateError> {
    if to < from {
        return Err(GenerateError::BadRange { from, to });
    }
    let laps = crate::timing::Laps::start();
    let lap = |what: &str| laps.lap(what);
    // The world is built as the rows are read. Trees (most of a city) live only in the world;
    // the other records stay whole for the triggers that read their kind data (box sizes for
    // replanting, plantings for pest hosts).
    let count = store.read().max_asset_id()?.max(0) as usize;
    let mut world = AssetWorld::new();
    world.reserve(count);
    let mut retired: FxHashSet<i64> = FxHashSet::default();
    // In blocks of fixed capacity: a growing vector of 150,000 half-kilobyte records would be
    // copied into fresh memory at every doubling.
    const BLOCK: usize = 4096;
    let mut records: Vec<Vec<AssetRecord>> = Vec::new();
    // The water balances do not depend on the assets: read on the side while the world is
    // built, used if nothing was committed meanwhile.
    let balances = if rules.rules.iter().any(|r| weather_driven(&r.trigger)) {
        Some(store.read_ahead("read-balances", |r| r.water_states())?)
    } else {
        None
    };
    // Nor do the stored tasks the run reads: the completions interval rules roll from, and
    // (checked inside the write transaction like the balances) the stored twins of the range's
    // occurrences and the open tasks crews already have in the assignment window.
    let last_day = to + Duration::days(7);
    let interval_rules: Vec<String> = rules
        .interval_rule_ids()
        .into_iter()
        .map(str::to_string)
        .collect();
    let tz = cal.tz;
    let completions_ahead = store.read_ahead("read-completions", move |r| {
        let ids: Vec<&str> = interval_rules.iter().map(String::as_str).collect();
        r.last_completions(&ids, |t| t.with_timezone(&tz).date_naive())
    })?;
    let twins_ahead = matches!(twins, Twins::ByRange);
    let tasks_ahead = store.read_ahead("read-tasks", move |r| {
        let stored = match twins_ahead {
            true => Some(r.generated_between(from, to)?),
            false => None,
        };
        Ok((stored, r.open_tasks_planned(from, last_day)?))
    })?;
    // A snapshot made from the rows (none was current) is stored with the tasks.
    // Most trees are made into their components on the reading thread, and spawned here a
    // batch at a time; building the world had kept this thread busy while the reader waited.
    let read = store.each_asset_for_scheduling_prepared(ReadyAsset::from_record, |batch| {
        world.spawn_ready(batch, |world, rec| {
            if rec.retired.is_some() {
                retired.insert(rec.id);
            }
            if rec.kind() == AssetKind::Tree {
                world.spawn_owned(rec);
            } else {
                world.spawn(&rec);
                match records.last_mut() {
                    Some(block) if block.len() < BLOCK => block.push(rec),
                    _ => {
                        let mut block = Vec::with_capacity(BLOCK);
                        block.push(rec);
                        records.push(block);
                    }
                }
            }
        })
    })?;
    lap("assets loaded, world built");
    let last: LastCompletions = match completions_ahead.value_as_read()? {
        Some(last) => last,
        None => store
            .read()
            .last_completions(&rules.interval_rule_ids(), |t| {
                t.with_timezone(&cal.tz).date_naive()
            })?,
    };
    let mut planned = plan(rules, &mut world, cal, from, to, &last);
    lap("planned");
    let today = cal.today;
    let mut summary = RunSummary::default();
    // The world and the records, until the tasks are placed: freed on another thread while
    // they are written.
    let mut held = Some((world, records));
    // Written at the generation the world was read at: every asset a task or balance names
    // still exists, so the rows are written without a foreign-key lookup each.
    let outcome = store.write_at_generation(read.generation, |tx| -> Result<(), GenerateError> {
        let (world, records) = held.as_mut().expect("held until placed");
        let by_id: FxHashMap<i64, &AssetRecord> =
            records.iter().flatten().map(|a| (a.id, a)).collect();
        planned.push_part(weather_triggers(
            tx, rules, world, &by_id, balances, cal, from, to,
        )?);
        drop(by_id);
        for c in crews {
            tx.upsert_crew(c)?;
        }
        // Rules with `single_open`: an asset with an open task of the rule gets no new one
        // (looked up once per rule and asset planned), and their open tasks are never stale.
        let mut produced: FxHashSet<i64> = FxHashSet::default();
        let mut busy: FxHashSet<(&str, i64)> = FxHashSet::default();
        let single: HashSet<&str> = rules
            .rules
            .iter()
            .filter(|r| r.single_open)
            .map(|r| r.id.as_str())
            .collect();
        // What is stored of each planned task. Nothing is written yet: each task is written
        // once, with its crew and day, after the assignment below.
        let (stored_ahead, open_ahead) = match tx.take_read_ahead(tasks_ahead)? {
            Some((stored, open)) => (stored, Some(open)),
            None => (None, None),
        };
        let mut by_range = match (twins, occurrence_dates(&planned)) {
            // Read ahead for the whole range: it holds those of any dates within it.
            (Twins::ByRange, Some((first, last)))
                if first >= from && last <= to && stored_ahead.is_some() =>
            {
                stored_ahead
            }
            (Twins::ByRange, Some((first, last))) => {
                Some(tx.read().generated_between(first, last)?)
            }
            _ => None,
        };
        let mut keep: Vec<(usize, Option<StoredGenerated>)> = Vec::with_capacity(planned.len());
        for (i, t) in planned.iter().enumerate() {
            if let Some(rule) = t.rule_id.as_deref().and_then(|r| single.get(r))
                && (!busy.insert((rule, t.asset_id))
                    || tx.read().has_open_task_of_rule(rule, t.asset_id)?)
            {
                continue;
            }
            let twin = match &mut by_range {
                Some(stored) => stored.take(t),
                None => tx.read().find_generated(t)?,
            };
            match twin {
                None => {
                    summary.created += 1;
                    keep.push((i, None));
                }
                Some(s) if s.state != "open" => {
                    produced.insert(s.id);
                    summary.closed_kept += 1;
                }
                Some(s) => {
                    produced.insert(s.id);
                    if s.differs_from(t) {
                        summary.updated += 1;
                    } else {
                        summary.unchanged += 1;
                    }
                    keep.push((i, Some(s)));
                }
            }
        }
        lap("matched");
        // Stale open tasks from today on.
        let horizon_from = from.max(today);
        let mut cancelled: FxHashSet<i64> = FxHashSet::default();
        for (id, asset_id, rule_in_range) in tx.read().open_task_keys(horizon_from, to)? {
            if retired.contains(&asset_id) {
                tx.close_task(id, TaskState::Cancelled, Some("asset_retired"), None)?;
                summary.cancelled_retired += 1;
                cancelled.insert(id);
            } else if let Some(rule) = rule_in_range
                && !produced.contains(&id)
                && !single.contains(rule.as_str())
            {
                tx.close_task(
                    id,
                    TaskState::Cancelled,
                    Some("rule_changed"),
                    Some("no longer produced by the rules"),
                )?;
                summary.cancelled_rule_changed += 1;
                cancelled.insert(id);
            }
        }
        lap("stale swept");
        // Crew assignment, day by day; overflow carries into the next day. The open tasks of
        // the range (and the week after, where overflow may land) are the planned ones and the
        // stored ones the rules did not produce (reports, tasks of earlier runs).
        let stored_crews = tx.read().crews()?;
        let mut units: Vec<Unit> = Vec::with_capacity(keep.len());
        let mut next_id = tx.read().max_task_id()?;
        let mut planned_open: FxHashSet<i64> = FxHashSet::default();
        // The planned tasks share a few due times: each is formatted once.
        let mut due_text: Option<(DateTime<FixedOffset>, Rc<str>)> = None;
        let mut due_text_of = |at: &DateTime<FixedOffset>| -> Rc<str> {
            match &due_text {
                // Equal instants in another offset print differently: compare the offset too.
                Some((t, text)) if t == at && t.offset() == at.offset() => text.clone(),
                _ => {
                    let text: Rc<str> = at.to_rfc3339().into();
                    due_text = Some((*at, text.clone()));
                    text
                }
            }
        };
        for (k, (i, stored)) in keep.iter().enumerate() {
            let t = &planned[*i];
            let due_at = due_text_of(&t.due_at);
            let unit = match stored {
                None => {
                    next_id += 1;
                    Unit {
                        order_id: next_id,
                        task: UnitTask::Planned(k),
                        due_date: t.due_date,
                        due_at,
                        crew: None,
                        moved_from: t.moved_from,
                    }
                }
                Some(s) => {
                    planned_open.insert(s.id);
                    // Only a new due time resets a planned day moved by overflow.
                    let reset = s.due_at != *due_at;
                    Unit {
                        order_id: s.id,
                        task: UnitTask::Planned(k),
                        due_date: if reset { t.due_date } else { s.due_date },
                        due_at,
                        crew: s.crew.clone(),
                        moved_from: if reset { t.moved_from } else { s.moved_from },
                    }
                }
            };
            units.push(unit);
        }
        let open = match open_ahead {
            Some(open) => open,
            None => tx.read().open_tasks_planned(from, last_day)?,
        };
        let others: Vec<TaskRecord> = open
            .into_iter()
            .filter(|t| !planned_open.contains(&t.id) && !cancelled.contains(&t.id))
            .collect();
        for (k, t) in others.iter().enumerate() {
            units.push(Unit {
                order_id: t.id,
                task: UnitTask::Stored(k),
                due_date: t.due_date,
                due_at: due_text_of(&t.due_at),
                crew: t.crew.clone(),
                moved_from: t.moved_from,
            });
        }
        // The order the day lists have always used: day, crew, due time, id.
        units.sort_by(|a, b| {
            (a.due_date, &a.crew, &a.due_at, a.order_id)
                .cmp(&(b.due_date, &b.crew, &b.due_at, b.order_id))
        });
        let of = |u: &Unit| -> &TaskRecord {
            match u.task {
                UnitTask::Planned(k) => &planned[keep[k].0],
                UnitTask::Stored(k) => &others[k],
            }
        };
        lap("open tasks gathered");
        let mut by_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        for (u, unit) in units.iter().enumerate() {
            if unit.due_date >= from && unit.due_date <= last_day {
                by_day.entry(unit.due_date).or_default().push(u);
            }
        }
        let mut groups = CrewGroups::new(&stored_crews);
        let mut group: Vec<usize> = vec![usize::MAX; units.len()];
        for &u in by_day.values().flatten() {
            let t = of(&units[u]);
            let zone = world.zone(t.asset_id).unwrap_or_default();
            group[u] = groups.group(zone, t.skill.as_deref());
        }
        // Final placement of each unit: (crew index, day, moved from).
        type Placed = (Option<usize>, NaiveDate, Option<NaiveDate>);
        let mut placed: Vec<Option<Placed>> = vec![None; units.len()];
        let mut moved: BTreeMap<usize, (usize, NaiveDate, NaiveDate)> = BTreeMap::new();
        let mut carried: Vec<usize> = Vec::new();
        let mut hours_today: Vec<Option<f64>> = vec![None; stored_crews.len()];
        let mut day = from;
        while day <= last_day {
            let mut todays = by_day.remove(&day).unwrap_or_default();
            if day > to && carried.is_empty() {
                break;
            }
            todays.append(&mut carried);
            let day_tasks: Vec<GroupTask> = todays
                .iter()
                .map(|&u| {
                    let t = of(&units[u]);
                    GroupTask {
                        id: u as i64,
                        group: group[u],
                        minutes: t.minutes,
                        priority: t.priority,
                    }
                })
                .collect();
            for p in assign_day_grouped(&day_tasks, &stored_crews, &groups.candidates) {
                let u = p.task_id as usize;
                let t = of(&units[u]);
                match (p.crew, p.overflow) {
                    (None, _) => {
                        summary.unassigned += 1;
                        placed[u] = Some((None, day, None));
                    }
                    (Some(c), false) => {
                        *hours_today[c].get_or_insert(0.0) += t.minutes / 60.0;
                        let from_day = placed[u].as_ref().and_then(|p| p.2);
                        placed[u] = Some((Some(c), day, from_day));
                    }
                    (Some(c), true) => {
                        let next = day + Duration::days(1);
                        let first = placed[u]
                            .as_ref()
                            .and_then(|p| p.2)
                            .or(units[u].moved_from)
                            .unwrap_or(day);
                        placed[u] = Some((Some(c), next, Some(first)));
                        carried.push(u);
                        moved
                            .entry(u)
                            .and_modify(|m| m.2 = next)
                            .or_insert_with(|| (c, day, next));
                    }
                }
            }
            for (c, hours) in hours_today.iter_mut().enumerate() {
                if let Some(h) = hours.take() {
                    summary.hours.insert((day, stored_crews[c].name.clone()), h);
                }
            }
            day += Duration::days(1);
        }
        lap("placed");
        free_on_a_thread(held.take());
        // Write: new tasks inserted with their crew and day, in the order the rules produced
        // them; changed ones updated; placements that changed recorded.
        let mut unit_of_planned: Vec<Option<usize>> = vec![None; keep.len()];
        for (u, unit) in units.iter().enumerate() {
            if let UnitTask::Planned(k) = unit.task {
                unit_of_planned[k] = Some(u);
            }
        }
        let mut ids: Vec<i64> = vec![0; units.len()];
        let now = crate::store::now_rfc3339();
        let mut inserter = tx.task_inserter(&now)?;
        for (k, (i, stored)) in keep.iter().enumerate() {
            let Some(u) = unit_of_planned[k] else {
                continue;
            };
            let t = &planned[*i];
            match stored {
                None => {
                    let at = match &placed[u] {
                        Some((crew, day, moved_from)) => Placement {
                            crew_id: crew.map(|c| stored_crews[c].id),
                            due_date: *day,
                            moved_from: moved_from.or(t.moved_from),
                        },
                        None => Placement {
                            crew_id: None,
                            due_date: t.due_date,
                            moved_from: t.moved_from,
                        },
                    };
                    ids[u] = inserter.push(t, at)?;
                }
                Some(s) => {
                    ids[u] = s.id;
                    if s.differs_from(t) {
                        tx.update_generated(s.id, t)?;
                    }
                }
            }
        }
        inserter.finish()?;
        for (u, unit) in units.iter().enumerate() {
            if let UnitTask::Stored(k) = unit.task {
                ids[u] = others[k].id;
            }
            let Some((crew, day, moved_from)) = &placed[u] else {
                continue;
            };
            let newly_inserted = matches!(unit.task, UnitTask::Planned(k) if keep[k].1.is_none());
            let crew = crew.map(|c| stored_crews[c].name.as_str());
            if !newly_inserted
                && (unit.crew.as_deref() != crew
                    || unit.due_date != *day
                    || moved_from.is_some_and(|m| unit.moved_from != Some(m)))
            {
                tx.assign_task(ids[u], crew, *day, *moved_from)?;
            }
        }
        let refs = tx.read();
        for (u, (crew, from_day, to_day)) in moved {
            let t = of(&units[u]);
            summary.moved.push(Moved {
                task_id: ids[u],
                asset_ref: refs.asset_ref(t.asset_id)?.unwrap_or_default(),
                task_type: t.task_type.clone(),
                crew: stored_crews[crew].name.clone(),
                from: from_day,
                to: to_day,
            });
        }
        summary.moved.sort_by_key(|m| m.task_id);
        lap("written");
        if let Some(snapshot) = &read.snapshot
            && tx.save_scheduling_snapshot(snapshot)?
        {
            lap("scheduling snapshot stored");
        }
        Ok(())
    });
    lap("committed");
    free_on_a_thread((held, planned));
    outcome?;
    Ok(summary)
}

/// Drops `what` on a thread of its own: a million records and their world take a good part of
/// a second to free, which the run need not wait for (the process may end before it is done).
fn free_on_a_thread<T: Send + 'static>(what: T) {
    let _ = std::thread::Builder::new()
        .name("free-run".into())
        .spawn(move || drop(what));
}

/// The first and last local dates of the planned tasks' occurrences (their RFC 3339 text
/// starts with the local date), `None` when no task was planned.
fn occurrence_dates(planned: &PlannedTasks) -> Option<(NaiveDate, NaiveDate)> {
    let mut dates = planned
        .iter()
        .filter_map(|t| t.occurrence.get(..10))
        .filter_map(|d| d.parse::<NaiveDate>().ok());
    let first = dates.next()?;
    Some(dates.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d))))
}

/// A task the day-by-day assignment places: one the rules planned (an index into the kept
/// planned tasks) or an open one already stored that they did not produce.
#[derive(Debug, Clone, Copy)]
enum UnitTask {
    Planned(usize),
    Stored(usize),
}

/// An open task of the assignment window, as it stands before the assignment.
#[derive(Debug, Clone)]
struct Unit {
    /// Its id, or the id its insert will get: orders ties like the stored day lists.
    order_id: i64,
    task: UnitTask,
    due_date: NaiveDate,
    due_at: Rc<str>,
    crew: Option<String>,
    moved_from: Option<NaiveDate>,
}

/// Whether a trigger reads the weather (and the water balances) inside the run's transaction.
fn weather_driven(t: &Trigger) -> bool {
    matches!(
        t,
        Trigger::WaterNeed { .. } | Trigger::PestWindow { .. } | Trigger::Replanting { .. }
    )
}

/// Expands the water-need, pest-window and replanting rules inside the run's transaction: they
/// read the weather series, observations and done treatments, and move the water balance.
#[allow(clippy::too_many_arguments)]
fn weather_triggers(
    tx: &mut crate::store::Tx<'_>,
    rules: &RuleSet,
    world: &mut AssetWorld,
    records: &FxHashMap<i64, &AssetRecord>,
    balances: Option<ReadAhead<WaterStates>>,
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TaskRecord>, GenerateError> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let Some(first) = rules.rules.iter().find(|r| weather_driven(&r.trigger)) else {
        return Ok(out);
    };
    let Some(normals) = cal.normals.as_ref() else {
        return Err(GenerateError::NoNormals {
            rule: first.id.clone(),
        });
    };
    let laps = crate::timing::Laps::start();
    let read_ahead = match balances {
        Some(ahead) => tx.take_read_ahead(ahead)?,
        None => None,
    };
    let mut states = match read_ahead {
        Some(states) => states,
        None => tx.read().water_states()?,
    };
    // Balances older than a season restart full rather than replaying a year of weather.
    states.retain(|_, s| s.as_of >= from - Duration::days(120));
    laps.lap("water balances read");
    let year_start = NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from);
    let oldest = states.values().map(|s| s.as_of).min();
    let series_from = oldest
        .map(|d| (d + Duration::days(1)).min(year_start))
        .unwrap_or(year_start);
    let series_to = NaiveDate::from_ymd_opt(to.year(), 12, 31).unwrap_or(to);
    let series = daily_series_in(&tx.read(), normals, series_from, series_to)?;
    let start = local(cal.tz, from, NaiveTime::MIN);
    let end = local(cal.tz, to + Duration::days(1), NaiveTime::MIN);
    for rule in &rules.rules {
        match &rule.trigger {
            Trigger::WaterNeed { bucket, .. } => {
                let checks: Vec<DateTime<Tz>> = rule.cron_occurrences(&start, &end);
                // Checks from the season's first day (or 1 January) up to the range, to spin up
                // assets without a balance.
                let season_start = rule
                    .season
                    .and_then(|s| NaiveDate::from_ymd_opt(from.year(), s.start.month, s.start.day))
                    .filter(|d| *d <= from)
                    .unwrap_or(year_start);
                let spinup: Vec<DateTime<Tz>> =
                    rule.cron_occurrences(&local(cal.tz, season_start, NaiveTime::MIN), &start);
                // Ids and units only: no zone name copied per asset.
                let assets: Vec<NeedAsset> =
                    select_with(world, &rule.select, rule.per, |m| NeedAsset {
                        asset_id: m.asset_id,
                        units: m.units,
                        container: m.kind == AssetKind::FlowerBoxGroup,
                    });
                // The reasons are not needed: they stay unformatted.
                let previous: Waterings = tx
                    .read()
                    .water_check_records(&rule.id, from, to)?
                    .into_iter()
                    .filter(|(_, c)| c.task_created)
                    .map(|(d, c)| ((c.asset_id, d), c.depletion_mm))
                    .collect();
                let days: NeedDays = series
                    .iter()
                    .map(|d| {
                        (
                            d.date(),
                            NeedDay {
                                et0_mm: et0_of(d, cal.latitude, cal.altitude_m),
                                peff_mm: d.peff_mm(),
                                rain_mm: d.weather.rain_mm,
                                tmin_c: d.weather.tmin_c,
                            },
                        )
                    })
                    .collect();
                laps.lap("water need inputs");
                let outcome = check_rule(
                    rule, bucket, &assets, &checks, &spinup, &states, &previous, &days,
                );
                laps.lap("water need checked");
                tx.insert_check_days(&rule.id, outcome.checks)?;
                laps.lap("water checks stored");
                tx.insert_water_stress_days(&outcome.stress)?;
                tx.set_water_states(&outcome.states)?;
                laps.lap("water balances stored");
                out.extend(outcome.tasks);
            }
            Trigger::PestWindow { pest } => {
                let Some(p) = cal.pests.get(pest) else {
                    return Err(GenerateError::UnknownPest {
                        rule: rule.id.clone(),
                        pest: pest.clone(),
                        known: cal.pests.ids().join(", "),
                    });
                };
                let hosts: Vec<Selected> = select(world, &rule.select, rule.per)
                    .into_iter()
                    .filter(|s| match records.get(&s.asset_id) {
                        Some(r) => p.hosts_asset(r),
                        // Trees are in the world only.
                        None => world.species(s.asset_id).is_some_and(|sp| {
                            p.hosts_taxon(sp.genus_or_derived().as_deref(), sp.latin.as_deref())
                        }),
                    })
                    .collect();
                let over = tx.read().observations_over_threshold(p, year_start)?;
                let mut done = Vec::new();
                for suffix in ["#treatment", "#respray"] {
                    let of_rule = format!("{}{suffix}", rule.id);
                    for (id, asset_id, at) in tx.read().done_tasks_of_rule(&of_rule)? {
                        done.push((asset_id, at.with_timezone(&cal.tz).date_naive(), id));
                    }
                }
                out.extend(pest_tasks(&PestInputs {
                    rule,
                    pest: p,
                    hosts: &hosts,
                    series: &series,
                    over_threshold: &over,
                    done_treatments: &done,
                    tz: cal.tz,
                    from,
                    to,
                }));
            }
            Trigger::Replanting {
                set,
                seedlings_per_100_cm2,
            } => {
                let boxes = select(world, &rule.select, rule.per);
                out.extend(replanting_tasks(
                    rule,
                    *set,
                    *seedlings_per_100_cm2,
                    &boxes,
                    records,
                    &series,
                    &cal.festivals,
                    cal.tz,
                    from,
                    to,
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Planned tasks kept in parts read as one list: by index across the parts, in order, and
    /// joined into one vector at the end; empty parts take no place.
    #[test]
    fn planned_tasks_in_parts_read_as_one_list() {
        let at = DateTime::parse_from_rfc3339("2027-05-03T07:00:00+08:00").unwrap();
        let part = |first: i64, n: i64| -> Vec<TaskRecord> {
            (first..first + n)
                .map(|asset| TaskRecord::new(asset, "watering", at, at, 5.0))
                .collect()
        };
        let mut planned = PlannedTasks::default();
        planned.push_part(part(10, 3));
        planned.push_part(Vec::new());
        planned.push_part(part(20, 1));
        planned.push_part(part(30, 2));
        assert_eq!(planned.len(), 6);
        let by_index: Vec<i64> = (0..planned.len()).map(|i| planned[i].asset_id).collect();
        assert_eq!(by_index, [10, 11, 12, 20, 30, 31]);
        let in_order: Vec<i64> = planned.iter().map(|t| t.asset_id).collect();
        assert_eq!(in_order, by_index);
        let joined: Vec<i64> = planned.into_vec().iter().map(|t| t.asset_id).collect();
        assert_eq!(joined, by_index);
        assert_eq!(PlannedTasks::default().into_vec(), Vec::new());
    }
}
