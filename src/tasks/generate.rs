//! `schedule run`: materialises the tasks of a date range from the rules, idempotently, and
//! gives each day's work to the crews.
//!
//! - A generated task's identity is (rule, asset, occurrence): the same rules over the same range
//!   create nothing new. The occurrence is the rule's own time (before any blackout move).
//! - Open tasks from today on that the rules no longer produce (a changed rule, an interval rolled
//!   forward by an actual completion, a rule removed) are cancelled with reason `rule_changed`;
//!   open tasks of retired assets with `asset_retired`. Done and skipped tasks are never altered.
//! - Then each day, from the first of the range: crews get the day's open tasks (see `assign`);
//!   what does not fit moves to the next day, and the summary says which.
//!
//! The whole run is one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::assign::{DayTask, assign_day};
use super::record::{Crew, TaskFilter, TaskRecord, TaskState};
use crate::model::AssetWorld;
use crate::schedule::select::{Selected, select};
use crate::schedule::{Rule, RuleSet, Trigger, apply_blackouts};
use crate::store::{AssetFilter, Store, StoreError, Upsert};

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

/// Default time of day for interval tasks without a window.
const DEFAULT_START: (u32, u32) = (8, 0);

fn local(tz: Tz, date: NaiveDate, t: NaiveTime) -> DateTime<Tz> {
    crate::schedule::resolve_local(tz, date.and_time(t))
}

/// The tasks the rules produce in `[from, to]` (local dates), before storage.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    rules: &RuleSet,
    world: &mut AssetWorld,
    tz: Tz,
    blackouts: &[(NaiveDate, NaiveDate)],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    last_completion: &HashMap<(String, i64), NaiveDate>,
) -> Vec<TaskRecord> {
    let mut out = Vec::new();
    let start = local(tz, from, NaiveTime::MIN);
    let end = local(tz, to + Duration::days(1), NaiveTime::MIN);
    for rule in &rules.rules {
        let assets = select(world, &rule.select, rule.per);
        if assets.is_empty() {
            continue;
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
                    for a in &assets {
                        out.push(task(rule, a, occ, due));
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
                for a in &assets {
                    let last = last_completion.get(&(rule.id.clone(), a.asset_id)).copied();
                    let Some(mut next) = rule.next_interval_due(last, today) else {
                        continue;
                    };
                    if last.is_none() && first_day.is_none() {
                        // First round without a start date: spread the assets over one interval
                        // instead of putting every tree on the same day.
                        let days = every.num_days().max(1);
                        next += Duration::days(a.asset_id.rem_euclid(days));
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
                            out.push(task(rule, a, occ, due));
                        }
                        let after = next + *every;
                        next = match &rule.season {
                            Some(s) => s.next_in_season(after),
                            None => after,
                        };
                    }
                }
            }
        }
    }
    out
}

fn task(rule: &Rule, a: &Selected, occurrence: DateTime<Tz>, due: DateTime<Tz>) -> TaskRecord {
    let minutes = rule.minutes_per_asset * a.units;
    let mut t = TaskRecord::new(
        a.asset_id,
        rule.task.as_str(),
        due.fixed_offset(),
        (due + rule.grace).fixed_offset(),
        minutes,
    );
    t.rule_id = Some(rule.id.clone());
    t.occurrence = occurrence.fixed_offset().to_rfc3339();
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
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Generates, stores and assigns the tasks of `[from, to]` in one transaction.
#[allow(clippy::too_many_arguments)]
pub fn run(
    store: &mut Store,
    rules: &RuleSet,
    crews: &[Crew],
    tz: Tz,
    blackouts: &[(NaiveDate, NaiveDate)],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<RunSummary, GenerateError> {
    if to < from {
        return Err(GenerateError::BadRange { from, to });
    }
    let records = store.read().assets(&AssetFilter {
        include_retired: true,
        ..Default::default()
    })?;
    let zone_of: HashMap<i64, String> = records
        .iter()
        .map(|a| (a.id, a.zone.clone().unwrap_or_default()))
        .collect();
    let retired: HashSet<i64> = records
        .iter()
        .filter(|a| a.retired.is_some())
        .map(|a| a.id)
        .collect();
    let mut world = AssetWorld::from_records(&records);
    let last: HashMap<(String, i64), NaiveDate> = store
        .read()
        .last_completions()?
        .into_iter()
        .map(|(k, t)| (k, t.with_timezone(&tz).date_naive()))
        .collect();
    let planned = plan(rules, &mut world, tz, blackouts, from, to, today, &last);
    let mut summary = RunSummary::default();
    store.write(|tx| -> Result<(), StoreError> {
        for c in crews {
            tx.upsert_crew(c)?;
        }
        let mut produced: HashSet<i64> = HashSet::with_capacity(planned.len());
        // Rules with `single_open`: an asset with an open task of the rule gets no new one.
        let mut busy: HashSet<(String, i64)> = HashSet::new();
        for rule in rules.rules.iter().filter(|r| r.single_open) {
            let open = tx.read().tasks(&TaskFilter {
                state: Some(TaskState::Open),
                rule_id: Some(rule.id.clone()),
                ..Default::default()
            })?;
            for t in open {
                produced.insert(t.id);
                busy.insert((rule.id.clone(), t.asset_id));
            }
        }
        let single: HashSet<&str> = rules
            .rules
            .iter()
            .filter(|r| r.single_open)
            .map(|r| r.id.as_str())
            .collect();
        for t in &planned {
            if let Some(rule) = t.rule_id.as_deref().filter(|r| single.contains(r))
                && !busy.insert((rule.to_string(), t.asset_id))
            {
                continue;
            }
            let (id, what) = tx.upsert_generated(t)?;
            produced.insert(id);
            match what {
                Upsert::Created => summary.created += 1,
                Upsert::Updated => summary.updated += 1,
                Upsert::Unchanged => summary.unchanged += 1,
                Upsert::Closed => summary.closed_kept += 1,
            }
        }
        // Stale open tasks from today on.
        let horizon_from = from.max(today);
        let open = tx.read().tasks(&TaskFilter {
            from: Some(horizon_from),
            to: Some(to),
            state: Some(TaskState::Open),
            ..Default::default()
        })?;
        for t in open {
            if retired.contains(&t.asset_id) {
                tx.close_task(t.id, TaskState::Cancelled, Some("asset_retired"), None)?;
                summary.cancelled_retired += 1;
            } else if t.rule_id.is_some() && !produced.contains(&t.id) {
                tx.close_task(
                    t.id,
                    TaskState::Cancelled,
                    Some("rule_changed"),
                    Some("no longer produced by the rules"),
                )?;
                summary.cancelled_rule_changed += 1;
            }
        }
        // Crew assignment, day by day; overflow carries into the next day.
        let stored_crews = tx.read().crews()?;
        let mut moved: BTreeMap<i64, Moved> = BTreeMap::new();
        let mut day = from;
        let last_day = to + Duration::days(7);
        while day <= last_day {
            let todays = tx.read().tasks(&TaskFilter {
                from: Some(day),
                to: Some(day),
                state: Some(TaskState::Open),
                ..Default::default()
            })?;
            if day > to && !todays.iter().any(|t| t.moved_from.is_some_and(|m| m <= to)) {
                break;
            }
            let day_tasks: Vec<DayTask> = todays
                .iter()
                .map(|t| DayTask {
                    id: t.id,
                    zone: zone_of.get(&t.asset_id).cloned().unwrap_or_default(),
                    skill: t.skill.clone(),
                    minutes: t.minutes,
                    priority: t.priority,
                })
                .collect();
            let by_id: HashMap<i64, &TaskRecord> = todays.iter().map(|t| (t.id, t)).collect();
            for p in assign_day(&day_tasks, &stored_crews) {
                let t = by_id[&p.task_id];
                match (&p.crew, p.overflow) {
                    (None, _) => {
                        summary.unassigned += 1;
                        tx.assign_task(p.task_id, None, day, None)?;
                    }
                    (Some(c), false) => {
                        *summary.hours.entry((day, c.clone())).or_default() += t.minutes / 60.0;
                        tx.assign_task(p.task_id, Some(c), day, None)?;
                    }
                    (Some(c), true) => {
                        let next = day + Duration::days(1);
                        tx.assign_task(
                            p.task_id,
                            Some(c),
                            next,
                            Some(t.moved_from.unwrap_or(day)),
                        )?;
                        match moved.get_mut(&t.id) {
                            Some(m) => m.to = next,
                            None => {
                                moved.insert(
                                    t.id,
                                    Moved {
                                        task_id: t.id,
                                        asset_ref: t.asset_ref.clone(),
                                        task_type: t.task_type.clone(),
                                        crew: c.clone(),
                                        from: day,
                                        to: next,
                                    },
                                );
                            }
                        }
                    }
                }
            }
            day += Duration::days(1);
        }
        summary.moved = moved.into_values().collect();
        Ok(())
    })?;
    Ok(summary)
}
