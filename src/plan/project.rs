//! Projected occurrences: every rule and trigger expanded over the plan's period, in memory.
//! Nothing is stored; the water balance runs on the scenario's weather from a full bucket.
//!
//! - cron and interval rules: [`tasks::generate::plan`] with the period start as `today` and the
//!   last completions of the register (each projected visit assumed done on its due day); rules
//!   with `single_open` give one task per asset (the first), as `schedule run` does;
//! - water need: [`tasks::need::check_rule`] with no stored balance (each asset starts full at
//!   its season's first check, or is spun up from the season start when the period starts later);
//! - pest windows: the scouting visits of [`tasks::ipm_tasks::pest_tasks`]; treatments are
//!   *expected*: `rate` × each scouted host, on the spraying night after the scouting day, at
//!   [`SPRAY_MINUTES_PER_TREE`] minutes and the first product's `spray_mix_l_per_tree`;
//! - replanting sets: [`tasks::ipm_tasks::replanting_tasks`] with the seedlings each needs.
//!
//! # Units
//! Minutes per task; litres; seedlings as counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use crate::model::{AssetKind, AssetRecord, AssetWorld};
use crate::schedule::select::{Selected, select};
use crate::schedule::{RuleSet, Trigger, resolve_local};
use crate::tasks::TaskRecord;
use crate::tasks::generate::{self, Calendar};
use crate::tasks::ipm_tasks::{PestInputs, SPRAY_MINUTES_PER_TREE, pest_tasks, replanting_tasks};
use crate::tasks::need::{NeedAsset, NeedDay, check_rule, et0_of};
use crate::weather::WeatherDay;

/// One projected task.
#[derive(Debug, Clone, PartialEq)]
pub struct Projected {
    /// Planned local day (after a blackout move).
    pub date: NaiveDate,
    /// Last local day it may be done on (due + grace).
    pub deadline: NaiveDate,
    pub rule_id: String,
    pub task_type: String,
    pub asset_id: i64,
    pub zone: String,
    pub skill: Option<String>,
    pub priority: u8,
    pub minutes: f64,
    /// Litres of a water-need watering (0 for other tasks and calendar waterings).
    pub water_l: f64,
    /// Pest of a scouting visit or an expected treatment.
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
    /// Crew the day's assignment gave it (`unassigned` when no crew covers zone and skill).
    pub crew: String,
}

impl Projected {
    pub fn hours(&self) -> f64 {
        self.minutes / 60.0
    }

    /// A task whose window (due to deadline) is a week or wider: it may move to another week.
    pub fn flexible(&self) -> bool {
        (self.deadline - self.date).num_days() >= 7
    }
}

/// Everything a projection reads: the register, rules, crews and calendar of the site.
pub struct SiteInputs {
    pub records: Vec<AssetRecord>,
    pub rules: RuleSet,
    pub crews: Vec<crate::tasks::Crew>,
    /// `today` is ignored: the period start stands in for it.
    pub cal: Calendar,
    /// Last done day per (rule, asset), for interval rules.
    pub last_completion: HashMap<(String, i64), NaiveDate>,
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
/// calendar years from 1 January of `from`'s year to 31 December of `to`'s year).
pub fn project(
    site: &SiteInputs,
    series: &[WeatherDay],
    from: NaiveDate,
    to: NaiveDate,
    rates: &TreatmentRates,
) -> Result<Vec<Projected>, ProjectError> {
    let cal = Calendar {
        today: from,
        ..site.cal.clone()
    };
    let tz = cal.tz;
    let zone_of: HashMap<i64, String> = site
        .records
        .iter()
        .map(|a| (a.id, a.zone.clone().unwrap_or_else(|| "unzoned".into())))
        .collect();
    let live: Vec<AssetRecord> = site
        .records
        .iter()
        .filter(|a| a.retired.is_none())
        .cloned()
        .collect();
    let by_id: HashMap<i64, &AssetRecord> = live.iter().map(|a| (a.id, a)).collect();
    let mut world = AssetWorld::from_records(&live);
    let mut out: Vec<Projected> = Vec::new();
    let base = |t: &TaskRecord| Projected {
        date: t.due_at.date_naive(),
        deadline: t.deadline_at.date_naive(),
        rule_id: t.rule_id.clone().unwrap_or_default(),
        task_type: t.task_type.clone(),
        asset_id: t.asset_id,
        zone: zone_of
            .get(&t.asset_id)
            .cloned()
            .unwrap_or_else(|| "unzoned".into()),
        skill: t.skill.clone(),
        priority: t.priority,
        minutes: t.minutes,
        water_l: 0.0,
        pest: None,
        product: None,
        scouting: 0.0,
        treatments: 0.0,
        spray_mix_l: 0.0,
        set: None,
        boxes: 0.0,
        seedlings: 0.0,
        crew: String::new(),
    };

    // Cron and interval rules.
    let single: HashSet<&str> = site
        .rules
        .rules
        .iter()
        .filter(|r| r.single_open)
        .map(|r| r.id.as_str())
        .collect();
    let mut busy: HashSet<(String, i64)> = HashSet::new();
    for t in generate::plan(
        &site.rules,
        &mut world,
        &cal,
        from,
        to,
        &site.last_completion,
    ) {
        if let Some(r) = t.rule_id.as_deref().filter(|r| single.contains(r))
            && !busy.insert((r.to_string(), t.asset_id))
        {
            continue;
        }
        out.push(base(&t));
    }

    let year_start = NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from);
    let start = local(tz, from, NaiveTime::MIN);
    let end = local(tz, to + Duration::days(1), NaiveTime::MIN);
    let mut need_days: Option<HashMap<NaiveDate, NeedDay>> = None;
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
                        selected: s,
                    })
                    .collect();
                let outcome = check_rule(
                    rule,
                    bucket,
                    &assets,
                    &checks,
                    &spinup,
                    &HashMap::new(),
                    &HashMap::new(),
                    days,
                );
                for t in &outcome.tasks {
                    let mut p = base(t);
                    p.water_l = detail_f64(t, "water_l");
                    out.push(p);
                }
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
                for t in &scouting {
                    let mut s = base(t);
                    s.pest = Some(p.id.clone());
                    s.product = product.map(|x| x.name.clone());
                    s.scouting = 1.0;
                    let scout_day = s.date;
                    out.push(s.clone());
                    if rate <= 0.0 {
                        continue;
                    }
                    // The night after the scouting: spraying hours after midnight belong to the
                    // next calendar day.
                    let spray_day = if p.spray_hours.from < noon {
                        scout_day + Duration::days(1)
                    } else {
                        scout_day
                    };
                    if spray_day > to {
                        continue;
                    }
                    out.push(Projected {
                        date: spray_day,
                        deadline: spray_day + Duration::days(1),
                        rule_id: format!("{}#treatment", rule.id),
                        task_type: "pest_treatment".into(),
                        minutes: SPRAY_MINUTES_PER_TREE * rate,
                        scouting: 0.0,
                        treatments: rate,
                        spray_mix_l: rate
                            * product.and_then(|x| x.spray_mix_l_per_tree).unwrap_or(0.0),
                        ..s
                    });
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
                    let mut p = base(&t);
                    p.set = Some(set.as_str().to_string());
                    p.boxes = detail_f64(&t, "boxes");
                    p.seedlings = detail_f64(&t, "seedlings");
                    out.push(p);
                }
            }
            _ => {}
        }
    }
    out.retain(|p| p.date >= from && p.date <= to);
    assign_crews(&mut out, &site.crews);
    Ok(out)
}

/// Gives each day's tasks to the crews as the scheduler does (zone and skill, least loaded
/// first). A crew's work over its hours stays on its day and counts against it: the plan shows
/// the demand, and the weekly levelling suggests the moves.
fn assign_crews(tasks: &mut [Projected], crews: &[crate::tasks::Crew]) {
    use crate::tasks::assign::{DayTask, assign_day};
    let mut by_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        by_day.entry(t.date).or_default().push(i);
    }
    for idx in by_day.values() {
        let day: Vec<DayTask> = idx
            .iter()
            .map(|&i| DayTask {
                id: i as i64,
                zone: tasks[i].zone.clone(),
                skill: tasks[i].skill.clone(),
                minutes: tasks[i].minutes,
                priority: tasks[i].priority,
            })
            .collect();
        for p in assign_day(&day, crews) {
            tasks[p.task_id as usize].crew = p.crew.unwrap_or_else(|| "unassigned".into());
        }
    }
}
