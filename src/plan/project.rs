//! Projected occurrences: every rule and trigger expanded over the plan's period, in memory.
//! Nothing is stored; the water balance runs on the scenario's weather from a full bucket.
//!
//! - cron and interval rules: [`crate::tasks::generate::for_each_occurrence`] with the period start as
//!   `today` and the last completions of the register (each projected visit assumed done on its
//!   due day); rules with `single_open` give one task per asset (the first), as `schedule run`
//!   does;
//! - water need: the checks of [`crate::tasks::need::check_rule`] ([`crate::tasks::need::NeedChecks`], only
//!   the waterings) with no stored balance (each asset starts full at its season's first check,
//!   or is spun up from the season start when the period starts later);
//! - pest windows: the scouting visits of [`crate::tasks::ipm_tasks::pest_tasks`]; treatments are
//!   *expected*: `rate` × each scouted host, on the spraying night after the scouting day, at
//!   [`SPRAY_MINUTES_PER_TREE`] minutes and the first product's `spray_mix_l_per_tree`;
//! - replanting sets: [`crate::tasks::ipm_tasks::replanting_tasks`] with the seedlings each needs.
//!
//! A season of a million-asset city is tens of millions of tasks, so a [`Projection`] keeps each
//! as a 24-byte [`Task`] (minutes, asset, day, deadline, kind, crew) and the strings they share
//! (rule ids, task types, skills, zones, crews) once each, in [`Names`] tables. What does not
//! depend on the crew (water, pests, replanting) is summed into a [`Tally`] as the tasks are
//! produced; crew hours and levelling are summed afterwards by [`super::weekly::aggregate`], in
//! the order the tasks were produced (so the sums are the same, to the last bit, as summing a
//! list of every task).
//!
//! # Units
//! Minutes per task; litres; seedlings as counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::Laps;
use super::weekly::{Extras, Tally};
use crate::model::{AssetKind, AssetRecord, AssetWorld};
use crate::schedule::select::{Selected, select};
use crate::schedule::{Rule, RuleSet, Trigger, resolve_local};
use crate::tasks::TaskRecord;
use crate::tasks::generate::{self, Calendar};
use crate::tasks::ipm_tasks::{PestInputs, SPRAY_MINUTES_PER_TREE, pest_tasks, replanting_tasks};
use crate::tasks::need::{
    NeedAsset, NeedChecks, NeedDay, NeedDays, NeedEvent, et0_of, watering_litres,
};
use crate::weather::WeatherDay;

/// Interned strings: each distinct string once; tasks keep its index.
#[derive(Debug, Clone, Default)]
pub struct Names {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    /// The index of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.list.len()).expect("fewer than 4 billion names");
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    pub fn index_of(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    pub fn get(&self, i: u32) -> &str {
        &self.list[i as usize]
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// What the tasks of one rule share (indices into the projection's [`Names`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kind {
    pub rule_id: u32,
    pub task_type: u32,
    pub skill: Option<u32>,
    pub priority: u8,
}

/// One projected task, 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Task {
    pub minutes: f64,
    /// Index into [`Projection::asset_ids`].
    pub asset: u32,
    /// Last local day it may be done on (due + grace), in days from the period start.
    pub deadline: i32,
    /// Planned local day (after a blackout move), in days from the period start.
    pub day: u16,
    /// Index into [`Projection::kinds`].
    pub kind: u16,
    /// Crew the day's assignment gave it: index into [`Projection::crews`] (`unassigned` when no
    /// crew covers zone and skill).
    pub crew: u32,
}

impl Task {
    pub fn hours(&self) -> f64 {
        self.minutes / 60.0
    }

    /// A task whose window (due to deadline) is a week or wider: it may move to another week.
    pub fn flexible(&self) -> bool {
        self.deadline - i32::from(self.day) >= 7
    }
}

/// The name of the crew of tasks no crew covers.
pub const UNASSIGNED: &str = "unassigned";

/// Every projected task of a period, compact, in the order the rules produced them.
#[derive(Debug, Clone)]
pub struct Projection {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tasks: Vec<Task>,
    pub kinds: Vec<Kind>,
    pub rule_ids: Names,
    pub task_types: Names,
    pub skills: Names,
    pub zones: Names,
    /// Crew names; tasks no crew covers have the crew [`UNASSIGNED`].
    pub crews: Names,
    /// Asset id and zone (index into `zones`) of each asset a task may name.
    pub asset_ids: Vec<i64>,
    pub asset_zones: Vec<u32>,
    /// Water, pests and replanting, summed as the tasks were produced.
    pub tally: Tally,
    kind_index: HashMap<Kind, u16>,
    assets: AssetIndex,
}

/// Asset id → index: a dense table when ids are dense (SQLite row ids), else a map.
#[derive(Debug, Clone, Default)]
struct AssetIndex {
    base: i64,
    dense: Vec<u32>,
    sparse: HashMap<i64, u32>,
}

impl AssetIndex {
    fn get(&self, id: i64) -> Option<u32> {
        let slot = id
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
            .and_then(|o| self.dense.get(o))
            .copied()
            .filter(|&i| i != u32::MAX);
        slot.or_else(|| self.sparse.get(&id).copied())
    }
}

impl Projection {
    /// An empty projection of `[from, to]` over `records` (retired ones included: their zone is
    /// known).
    pub fn new(records: &[AssetRecord], from: NaiveDate, to: NaiveDate) -> Projection {
        Projection::with_assets(
            records.iter().map(|a| (a.id, a.zone.as_deref())),
            records.len(),
            from,
            to,
        )
    }

    /// An empty projection of `[from, to]` over assets given as (id, zone); `count` sizes the
    /// tables.
    pub fn with_assets<'a>(
        assets_in: impl IntoIterator<Item = (i64, Option<&'a str>)> + Clone,
        count: usize,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Projection {
        let mut zones = Names::default();
        let mut asset_ids = Vec::with_capacity(count);
        let mut asset_zones = Vec::with_capacity(count);
        let mut assets = AssetIndex::default();
        let (lo, hi) = assets_in
            .clone()
            .into_iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), (id, _)| {
                (lo.min(id), hi.max(id))
            });
        let span = hi.checked_sub(lo).and_then(|s| usize::try_from(s).ok());
        if let Some(span) = span.filter(|s| *s < 4 * count + 1024) {
            assets.base = lo;
            assets.dense = vec![u32::MAX; span + 1];
        }
        let mut by_name: Option<(u32, Option<&str>)> = None;
        for (id, name) in assets_in {
            // Consecutive assets mostly share a zone: look it up once.
            let z = match by_name {
                Some((z, n)) if n == name => z,
                _ => {
                    let z = zones.intern(name.unwrap_or(UNASSIGNED_ZONE));
                    by_name = Some((z, name));
                    z
                }
            };
            // Ids are unique in the register; were one given twice, its last zone counts.
            if let Some(i) = assets.get(id) {
                asset_zones[i as usize] = z;
            } else {
                let i = u32::try_from(asset_ids.len()).expect("fewer than 4 billion assets");
                asset_ids.push(id);
                asset_zones.push(z);
                match id
                    .checked_sub(assets.base)
                    .and_then(|o| usize::try_from(o).ok())
                    .filter(|o| *o < assets.dense.len())
                {
                    Some(o) => assets.dense[o] = i,
                    None => {
                        assets.sparse.insert(id, i);
                    }
                }
            }
        }
        Projection {
            from,
            to,
            tasks: Vec::new(),
            kinds: Vec::new(),
            rule_ids: Names::default(),
            task_types: Names::default(),
            skills: Names::default(),
            zones,
            crews: Names::default(),
            asset_ids,
            asset_zones,
            tally: Tally::default(),
            kind_index: HashMap::new(),
            assets,
        }
    }

    /// The index of an asset, adding an unknown one in zone `unzoned`.
    pub fn asset(&mut self, id: i64) -> u32 {
        if let Some(i) = self.assets.get(id) {
            return i;
        }
        let i = u32::try_from(self.asset_ids.len()).expect("fewer than 4 billion assets");
        self.asset_ids.push(id);
        let z = self.zones.intern(UNASSIGNED_ZONE);
        self.asset_zones.push(z);
        self.assets.sparse.insert(id, i);
        i
    }

    /// The index of a kind, adding it when new.
    pub fn kind(
        &mut self,
        rule_id: &str,
        task_type: &str,
        skill: Option<&str>,
        priority: u8,
    ) -> Result<u16, ProjectError> {
        let k = Kind {
            rule_id: self.rule_ids.intern(rule_id),
            task_type: self.task_types.intern(task_type),
            skill: skill.map(|s| self.skills.intern(s)),
            priority,
        };
        if let Some(&i) = self.kind_index.get(&k) {
            return Ok(i);
        }
        let i = u16::try_from(self.kinds.len()).map_err(|_| ProjectError::TooManyKinds)?;
        self.kinds.push(k);
        self.kind_index.insert(k, i);
        Ok(i)
    }

    /// The day of a date, when it is inside the period.
    pub fn day_of(&self, date: NaiveDate) -> Option<u16> {
        if date < self.from || date > self.to {
            return None;
        }
        u16::try_from((date - self.from).num_days()).ok()
    }

    pub fn date(&self, day: u16) -> NaiveDate {
        self.from + Duration::days(i64::from(day))
    }

    pub fn deadline(&self, t: &Task) -> NaiveDate {
        self.from + Duration::days(i64::from(t.deadline))
    }

    fn offset(&self, date: NaiveDate) -> i32 {
        let d = (date - self.from).num_days();
        i32::try_from(d).unwrap_or(if d < 0 { i32::MIN } else { i32::MAX })
    }

    /// Adds a task due on `date` with its deadline, unless `date` is outside the period; its
    /// water, pest and replanting figures go to the tally.
    pub fn push(
        &mut self,
        date: NaiveDate,
        deadline: NaiveDate,
        kind: u16,
        asset: u32,
        minutes: f64,
        extras: Option<&Extras>,
    ) {
        let Some(day) = self.day_of(date) else {
            return;
        };
        self.tasks.push(Task {
            minutes,
            asset,
            deadline: self.offset(deadline),
            day,
            kind,
            crew: 0,
        });
        if let Some(e) = extras {
            let zone = self.asset_zones[asset as usize];
            let rule = self.kinds[usize::from(kind)].rule_id;
            self.tally.add(date, zone, self.rule_ids.get(rule), e);
        }
    }

    /// Adds a task record (the water, pest and replanting triggers).
    fn push_record(&mut self, t: &TaskRecord, extras: Option<&Extras>) -> Result<(), ProjectError> {
        let kind = self.kind(
            t.rule_id.as_deref().unwrap_or_default(),
            &t.task_type,
            t.skill.as_deref(),
            t.priority,
        )?;
        let asset = self.asset(t.asset_id);
        self.push(
            t.due_at.date_naive(),
            t.deadline_at.date_naive(),
            kind,
            asset,
            t.minutes,
            extras,
        );
        Ok(())
    }

    pub fn kind_of(&self, t: &Task) -> &Kind {
        &self.kinds[usize::from(t.kind)]
    }

    pub fn asset_id(&self, t: &Task) -> i64 {
        self.asset_ids[t.asset as usize]
    }

    pub fn zone(&self, t: &Task) -> u32 {
        self.asset_zones[t.asset as usize]
    }
}

/// The zone of assets without one.
const UNASSIGNED_ZONE: &str = "unzoned";

/// Everything a projection reads: the register, rules, crews and calendar of the site.
pub struct SiteInputs {
    pub records: Vec<AssetRecord>,
    pub rules: RuleSet,
    pub crews: Vec<crate::tasks::Crew>,
    /// `today` is ignored: the period start stands in for it.
    pub cal: Calendar,
    /// Last done day per (rule, asset), for interval rules.
    pub last_completion: crate::tasks::generate::LastCompletions,
    /// Water cart size, litres.
    pub water_cart_l: f64,
}

/// Treatment rates: a default and per-pest overrides (0..=1 of scouted hosts).
#[derive(Debug, Clone, PartialEq)]
pub struct TreatmentRates {
    pub default: f64,
    pub per_pest: BTreeMap<String, f64>,
}

impl TreatmentRates {
    pub fn of(&self, pest: &str) -> f64 {
        self.per_pest.get(pest).copied().unwrap_or(self.default)
    }
}

impl Default for TreatmentRates {
    fn default() -> Self {
        TreatmentRates {
            default: 0.3,
            per_pest: BTreeMap::new(),
        }
    }
}

/// Why a projection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("rule '{rule}' names pest '{pest}', which pests.toml does not define (known: {known})")]
    UnknownPest {
        rule: String,
        pest: String,
        known: String,
    },
    #[error("the period {from}..{to} is too long to project (at most 65,535 days)")]
    TooLong { from: NaiveDate, to: NaiveDate },
    #[error(
        "the rules make more than 65,535 kinds of task (rule, task type, skill, priority); split the schedule"
    )]
    TooManyKinds,
}

fn local(tz: Tz, date: NaiveDate, t: NaiveTime) -> DateTime<Tz> {
    resolve_local(tz, date.and_time(t))
}

fn detail_f64(t: &TaskRecord, key: &str) -> f64 {
    t.detail
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|v| v.get(key).and_then(serde_json::Value::as_f64))
        .unwrap_or(0.0)
}

/// Every projected task of `[from, to]` under the scenario's `series` (which must cover whole
/// calendar years from 1 January of `from`'s year to 31 December of `to`'s year), each with
/// the crew the day's assignment gives it.
pub fn project(
    site: &SiteInputs,
    series: &[WeatherDay],
    from: NaiveDate,
    to: NaiveDate,
    rates: &TreatmentRates,
) -> Result<Projection, ProjectError> {
    if (to - from).num_days() >= i64::from(u16::MAX) {
        return Err(ProjectError::TooLong { from, to });
    }
    let laps = Laps::start();
    let cal = Calendar {
        today: from,
        ..site.cal.clone()
    };
    let tz = cal.tz;
    let mut proj = Projection::new(&site.records, from, to);
    // Live records by id, for the weather, pest and replanting triggers only.
    let triggers = site.rules.rules.iter().any(|r| {
        matches!(
            r.trigger,
            Trigger::WaterNeed { .. } | Trigger::PestWindow { .. } | Trigger::Replanting { .. }
        )
    });
    let by_id: HashMap<i64, &AssetRecord> = site
        .records
        .iter()
        .filter(|a| triggers && a.retired.is_none())
        .map(|a| (a.id, a))
        .collect();
    let mut world = AssetWorld::from_records(site.records.iter().filter(|a| a.retired.is_none()));
    laps.lap("world built");

    // Cron and interval rules, streamed: no task record per occurrence.
    let mut failed: Option<ProjectError> = None;
    {
        let mut busy: HashSet<(u32, i64)> = HashSet::new();
        // The rule of the last occurrence and its kind; the last due time and its days.
        let mut last_rule: Option<(*const Rule, u16)> = None;
        let mut last_due: Option<(*const Rule, DateTime<Tz>, NaiveDate, NaiveDate)> = None;
        let proj = &mut proj;
        generate::for_each_occurrence(
            &site.rules,
            &mut world,
            &cal,
            from,
            to,
            &site.last_completion,
            |rule: &Rule, a: &Selected, _occ, due| {
                let kind = match last_rule {
                    Some((r, k)) if std::ptr::eq(r, rule) => k,
                    _ => match proj.kind(
                        &rule.id,
                        rule.task.as_str(),
                        rule.skill.as_deref(),
                        rule.priority,
                    ) {
                        Ok(k) => {
                            last_rule = Some((rule, k));
                            k
                        }
                        Err(e) => {
                            failed.get_or_insert(e);
                            return;
                        }
                    },
                };
                if rule.single_open {
                    let r = proj.kinds[usize::from(kind)].rule_id;
                    if !busy.insert((r, a.asset_id)) {
                        return;
                    }
                }
                let (date, deadline) = match last_due {
                    Some((r, d, date, deadline)) if std::ptr::eq(r, rule) && d == due => {
                        (date, deadline)
                    }
                    _ => {
                        let date = due.date_naive();
                        let deadline = (due + rule.grace).date_naive();
                        last_due = Some((rule, due, date, deadline));
                        (date, deadline)
                    }
                };
                let asset = proj.asset(a.asset_id);
                proj.push(
                    date,
                    deadline,
                    kind,
                    asset,
                    rule.minutes_per_asset * a.units,
                    None,
                );
            },
        );
    }
    if let Some(e) = failed {
        return Err(e);
    }
    laps.lap(&format!(
        "cron and interval rules: {} tasks",
        proj.tasks.len()
    ));

    let year_start = NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from);
    let start = local(tz, from, NaiveTime::MIN);
    let end = local(tz, to + Duration::days(1), NaiveTime::MIN);
    let mut need_days: Option<NeedDays> = None;
    for rule in &site.rules.rules {
        match &rule.trigger {
            Trigger::WaterNeed { bucket, .. } => {
                let days = need_days.get_or_insert_with(|| {
                    series
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
                        .collect()
                });
                let checks = rule.cron_occurrences(&start, &end);
                let season_start = rule
                    .season
                    .and_then(|s| NaiveDate::from_ymd_opt(from.year(), s.start.month, s.start.day))
                    .filter(|d| *d <= from)
                    .unwrap_or(year_start);
                let spinup =
                    rule.cron_occurrences(&local(tz, season_start, NaiveTime::MIN), &start);
                let assets: Vec<NeedAsset> = select(&mut world, &rule.select, rule.per)
                    .into_iter()
                    .map(|s| NeedAsset {
                        container: by_id
                            .get(&s.asset_id)
                            .is_some_and(|r| r.kind() == AssetKind::FlowerBoxGroup),
                        asset_id: s.asset_id,
                        units: s.units,
                    })
                    .collect();
                // Only the waterings: no check records, stress days or states (and no task
                // record with a JSON detail to read the litres back from).
                let kind = proj.kind(
                    &rule.id,
                    rule.task.as_str(),
                    rule.skill.as_deref(),
                    rule.priority,
                )?;
                let no_states = Default::default();
                let no_checks = Default::default();
                let need = NeedChecks {
                    rule,
                    bucket,
                    assets: &assets,
                    checks: &checks,
                    spinup: &spinup,
                    states: &no_states,
                    previous: &no_checks,
                    days,
                };
                need.run(false, &mut |e| {
                    if let NeedEvent::Watering {
                        asset_id,
                        at,
                        depletion_mm,
                        units,
                    } = e
                    {
                        let asset = proj.asset(asset_id);
                        let extras = Extras {
                            water_l: watering_litres(bucket, depletion_mm, units),
                            ..Extras::default()
                        };
                        proj.push(
                            at.date_naive(),
                            (at + rule.grace).date_naive(),
                            kind,
                            asset,
                            rule.minutes_per_asset * units,
                            Some(&extras),
                        );
                    }
                });
            }
            Trigger::PestWindow { pest } => {
                let Some(p) = cal.pests.get(pest) else {
                    return Err(ProjectError::UnknownPest {
                        rule: rule.id.clone(),
                        pest: pest.clone(),
                        known: cal.pests.ids().join(", "),
                    });
                };
                let hosts: Vec<Selected> = select(&mut world, &rule.select, rule.per)
                    .into_iter()
                    .filter(|s| by_id.get(&s.asset_id).is_some_and(|r| p.hosts_asset(r)))
                    .collect();
                let scouting = pest_tasks(&PestInputs {
                    rule,
                    pest: p,
                    hosts: &hosts,
                    series,
                    over_threshold: &[],
                    done_treatments: &[],
                    tz,
                    from,
                    to,
                });
                let rate = rates.of(&p.id);
                let product = p.products.first();
                let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("valid");
                let scout = Extras {
                    pest: Some(p.id.clone()),
                    product: product.map(|x| x.name.clone()),
                    scouting: 1.0,
                    ..Extras::default()
                };
                let treat = Extras {
                    scouting: 0.0,
                    treatments: rate,
                    spray_mix_l: rate * product.and_then(|x| x.spray_mix_l_per_tree).unwrap_or(0.0),
                    ..scout.clone()
                };
                let treatment = format!("{}#treatment", rule.id);
                for t in &scouting {
                    proj.push_record(t, Some(&scout))?;
                    if rate <= 0.0 {
                        continue;
                    }
                    // The night after the scouting: spraying hours after midnight belong to the
                    // next calendar day.
                    let scout_day = t.due_at.date_naive();
                    let spray_day = if p.spray_hours.from < noon {
                        scout_day + Duration::days(1)
                    } else {
                        scout_day
                    };
                    if spray_day > to {
                        continue;
                    }
                    let kind =
                        proj.kind(&treatment, "pest_treatment", t.skill.as_deref(), t.priority)?;
                    let asset = proj.asset(t.asset_id);
                    proj.push(
                        spray_day,
                        spray_day + Duration::days(1),
                        kind,
                        asset,
                        SPRAY_MINUTES_PER_TREE * rate,
                        Some(&treat),
                    );
                }
            }
            Trigger::Replanting {
                set,
                seedlings_per_100_cm2,
            } => {
                let boxes = select(&mut world, &rule.select, rule.per);
                for t in replanting_tasks(
                    rule,
                    *set,
                    *seedlings_per_100_cm2,
                    &boxes,
                    &by_id,
                    series,
                    &cal.festivals,
                    tz,
                    from,
                    to,
                ) {
                    let e = Extras {
                        set: Some(set.as_str().to_string()),
                        boxes: detail_f64(&t, "boxes"),
                        seedlings: detail_f64(&t, "seedlings"),
                        ..Extras::default()
                    };
                    proj.push_record(&t, Some(&e))?;
                }
            }
            _ => {}
        }
    }
    drop(world);
    laps.lap(&format!(
        "weather, pest and replanting triggers: {} tasks",
        proj.tasks.len()
    ));
    assign_crews(&mut proj, &site.crews);
    laps.lap("crews assigned");
    Ok(proj)
}

/// Gives each day's tasks to the crews as the scheduler does (zone and skill, least loaded
/// first). A crew's work over its hours stays on its day and counts against it: the plan shows
/// the demand, and the weekly levelling suggests the moves.
fn assign_crews(proj: &mut Projection, crews: &[crate::tasks::Crew]) {
    use crate::tasks::assign::{GroupTask, assign_day_grouped};
    // Crew names (two crews of one name are one crew in the tables, as before).
    let crew_name: Vec<u32> = crews.iter().map(|c| proj.crews.intern(&c.name)).collect();
    let unassigned = proj.crews.intern(UNASSIGNED);
    // Group of a task: its zone and skill; the crews that cover a group are found once.
    let skills = proj.skills.len() + 1;
    let group_of = |t: &Task, p: &Projection| -> usize {
        let skill = p.kind_of(t).skill.map_or(0, |s| s as usize + 1);
        p.zone(t) as usize * skills + skill
    };
    let days = proj
        .tasks
        .iter()
        .map(|t| usize::from(t.day) + 1)
        .max()
        .unwrap_or(0);
    // Tasks by day (a counting sort keeps the production order within a day).
    let mut start = vec![0usize; days + 1];
    for t in &proj.tasks {
        start[usize::from(t.day) + 1] += 1;
    }
    for d in 0..days {
        start[d + 1] += start[d];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; proj.tasks.len()];
    let mut used = vec![false; proj.zones.len() * skills];
    for (i, t) in proj.tasks.iter().enumerate() {
        let d = usize::from(t.day);
        order[fill[d]] = i as u32;
        fill[d] += 1;
        used[group_of(t, proj)] = true;
    }
    let candidates: Vec<Vec<usize>> = used
        .iter()
        .enumerate()
        .map(|(g, &u)| {
            if !u {
                return Vec::new();
            }
            let zone = proj.zones.get((g / skills) as u32);
            let skill = (g % skills)
                .checked_sub(1)
                .map(|s| proj.skills.get(s as u32));
            (0..crews.len())
                .filter(|&i| crews[i].covers(zone, skill))
                .collect()
        })
        .collect();
    let mut day: Vec<GroupTask> = Vec::new();
    for d in 0..days {
        day.clear();
        day.extend(order[start[d]..start[d + 1]].iter().map(|&i| {
            let t = &proj.tasks[i as usize];
            GroupTask {
                id: i64::from(i),
                group: group_of(t, proj),
                minutes: t.minutes,
                priority: proj.kind_of(t).priority,
            }
        }));
        for p in assign_day_grouped(&day, crews, &candidates) {
            proj.tasks[p.task_id as usize].crew = p.crew.map_or(unassigned, |c| crew_name[c]);
        }
    }
}
