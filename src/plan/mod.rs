//! Seasonal planning runs (`greenward plan`): every rule and trigger projected over a season
//! under a weather scenario, summed by ISO week into crew hours against capacity, water and
//! cart trips, pest scouting and expected treatments, replanting sets and seedlings.
//!
//! Owns: scenarios ([`scenario`]), the in-memory projection ([`project`]), the weekly tables
//! with overload and levelling ([`weekly`]), the CSV/JSON/HTML outputs ([`report`]) and the
//! plan charts ([`charts`]); step timings with `GREENWARD_TIMING` ([`crate::timing::Laps`]).
//! Never: writes to the store. A plan reads the register, the rules and the last completions;
//! it creates no task, moves no water balance and records no check.
//!
//! Flow: raw arguments are parsed ([`RawArgs`]) and checked ([`RawArgs::check`]) into a
//! [`PlanSpec`]; [`season_plan`] turns a spec and a scenario into a [`SeasonPlan`].

pub mod charts;
pub mod project;
pub mod report;
pub mod scenario;
pub mod weekly;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

pub use project::{Projection, SiteInputs, Task, TreatmentRates};
pub use scenario::{Scaling, ScenarioKind};
pub use weekly::{CrewWeek, Weekly};

use crate::science::MonthlyNormals;

pub use crate::timing::Laps;

/// Seedlings the Barkhor office planted in 2025 (DOMAIN.md §1), the default comparison.
pub const LAST_YEAR_SEEDLINGS: f64 = 120_000.0;

/// Arguments as given on the command line, before any check.
#[derive(Debug, Clone, Default)]
pub struct RawArgs {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub today: Option<NaiveDate>,
    /// `normal`, `dry`, `wet` or a CSV file.
    pub scenario: Option<String>,
    /// Comma-separated scenarios to put side by side.
    pub compare: Option<String>,
    pub rain_scale: Option<f64>,
    pub temp_shift: Option<f64>,
    /// `0.3` (every pest) or `pest=0.5` (one pest), repeatable.
    pub treatment_rate: Vec<String>,
    pub last_year_seedlings: Option<f64>,
}

/// A checked plan request.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSpec {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub scenarios: Vec<ScenarioKind>,
    /// Replaces the scaling of every scenario but `normal`.
    pub scaling: Option<Scaling>,
    pub rates: TreatmentRates,
    pub last_year_seedlings: f64,
}

/// A plan request that cannot run.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("--to {to} is before --from {from}")]
    BadRange { from: NaiveDate, to: NaiveDate },
    #[error("the period {from}..{to} is longer than a year; plan one season at a time")]
    TooLong { from: NaiveDate, to: NaiveDate },
    #[error(
        "--treatment-rate {value:?}: {reason}\n  give a share of scouted hosts from 0 to 1, for every pest (0.3) or one (willow_sawfly=0.5)"
    )]
    BadRate { value: String, reason: String },
    #[error("--compare {value:?}: {reason}\n  e.g. --compare dry,normal,wet")]
    BadCompare { value: String, reason: String },
    #[error(
        "--rain-scale and --temp-shift change the dry, wet or file scenario; the normal year is not scaled\n  e.g. --scenario dry --rain-scale -0.5 --temp-shift 1.5"
    )]
    ScalingNormal,
    #[error(
        "--rain-scale {0}: rain cannot fall by more than 100 % (give a value above -1, e.g. -0.4)"
    )]
    BadRainScale(f64),
    #[error(
        "scenario file {0} does not exist; give normal, dry, wet or a CSV file (date,tmin_c,tmax_c,rain_mm)"
    )]
    NoFile(String),
    #[error("--last-year-seedlings {0}: give a positive count")]
    BadSeedlings(f64),
}

impl RawArgs {
    /// Checks the arguments. Without a period: 1 March to 30 November of the year after today.
    pub fn check(&self) -> Result<PlanSpec, PlanError> {
        let year = self.today.map_or(2027, |t| t.year() + 1);
        let from = self
            .from
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 3, 1).expect("valid"));
        let to = self.to.unwrap_or_else(|| {
            NaiveDate::from_ymd_opt(from.year(), 11, 30)
                .filter(|d| *d >= from)
                .unwrap_or(from)
        });
        if to < from {
            return Err(PlanError::BadRange { from, to });
        }
        if (to - from).num_days() > 366 {
            return Err(PlanError::TooLong { from, to });
        }
        let scenarios: Vec<ScenarioKind> = match &self.compare {
            Some(list) => {
                let v: Vec<ScenarioKind> = list
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(ScenarioKind::parse)
                    .collect();
                if v.len() < 2 {
                    return Err(PlanError::BadCompare {
                        value: list.clone(),
                        reason: "name two scenarios or more".into(),
                    });
                }
                let mut names: Vec<String> = v.iter().map(ScenarioKind::name).collect();
                names.sort();
                names.dedup();
                if names.len() != v.len() {
                    return Err(PlanError::BadCompare {
                        value: list.clone(),
                        reason: "a scenario is named twice".into(),
                    });
                }
                v
            }
            None => vec![ScenarioKind::parse(
                self.scenario.as_deref().unwrap_or("normal"),
            )],
        };
        for s in &scenarios {
            if let ScenarioKind::File(p) = s
                && !p.is_file()
            {
                return Err(PlanError::NoFile(p.display().to_string()));
            }
        }
        let scaling = match (self.rain_scale, self.temp_shift) {
            (None, None) => None,
            (r, t) => {
                if scenarios.len() == 1 && scenarios[0] == ScenarioKind::Normal {
                    return Err(PlanError::ScalingNormal);
                }
                let rain_scale = r.unwrap_or(0.0);
                if !rain_scale.is_finite() || rain_scale <= -1.0 {
                    return Err(PlanError::BadRainScale(rain_scale));
                }
                Some(Scaling {
                    rain_scale,
                    temp_shift_c: t.unwrap_or(0.0),
                })
            }
        };
        let mut rates = TreatmentRates::default();
        for v in &self.treatment_rate {
            let bad = |reason: &str| PlanError::BadRate {
                value: v.clone(),
                reason: reason.into(),
            };
            let (pest, num) = match v.split_once('=') {
                Some((p, n)) => (Some(p.trim().to_string()), n),
                None => (None, v.as_str()),
            };
            let rate: f64 = num.trim().parse().map_err(|_| bad("not a number"))?;
            if !(0.0..=1.0).contains(&rate) {
                return Err(bad("outside 0..1"));
            }
            match pest {
                Some(p) if p.is_empty() => return Err(bad("no pest before '='")),
                Some(p) => {
                    rates.per_pest.insert(p, rate);
                }
                None => rates.default = rate,
            }
        }
        let last_year_seedlings = self.last_year_seedlings.unwrap_or(LAST_YEAR_SEEDLINGS);
        if !(last_year_seedlings.is_finite() && last_year_seedlings > 0.0) {
            return Err(PlanError::BadSeedlings(last_year_seedlings));
        }
        Ok(PlanSpec {
            from,
            to,
            scenarios,
            scaling,
            rates,
            last_year_seedlings,
        })
    }
}

/// Season totals of one scenario.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub tasks: usize,
    pub hours: f64,
    pub hours_by_task_type: BTreeMap<String, f64>,
    pub hours_by_crew: BTreeMap<String, f64>,
    pub overloaded_crew_weeks: usize,
    pub overloaded_crew_weeks_after_levelling: usize,
    pub levelled_tasks: usize,
    pub levelled_hours: f64,
    pub waterings: usize,
    pub water_l: f64,
    pub cart_trips: u64,
    pub scouting_visits: usize,
    pub expected_treatments: f64,
    pub spray_mix_l: f64,
    pub spray_mix_l_by_product: BTreeMap<String, f64>,
    pub replanting_box_groups: usize,
    pub replanting_boxes: f64,
    pub seedlings: f64,
    pub seedlings_last_year: f64,
    /// Season's seedlings against last year's, % (100 = the same).
    pub seedlings_vs_last_year_pct: f64,
}

/// The week with the highest load against capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorstWeek {
    pub week: String,
    pub week_start: NaiveDate,
    pub crew: String,
    pub hours: f64,
    pub capacity_hours: f64,
    /// hours ÷ capacity, %.
    pub load_pct: f64,
}

/// One scenario's season plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeasonPlan {
    pub site: String,
    pub scenario: String,
    /// What the scenario's weather is.
    pub weather: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rain_scale: f64,
    pub temp_shift_c: f64,
    /// Rain and effective rain of the period under the scenario, mm.
    pub rain_mm: f64,
    pub peff_mm: f64,
    pub capacity_basis: String,
    pub water_cart_l: f64,
    pub treatment_rate_default: f64,
    pub treatment_rate_by_pest: BTreeMap<String, f64>,
    pub totals: Totals,
    pub worst_week: Option<WorstWeek>,
    #[serde(flatten)]
    pub weekly: Weekly,
}

/// Capacity basis, as written into every plan.
pub const CAPACITY_BASIS: &str = "hours_per_day x days of the ISO week inside the period (7 for a full week; crews work every day)";

/// Plans one scenario.
pub fn season_plan(
    site_name: &str,
    site: &SiteInputs,
    normals: &MonthlyNormals,
    spec: &PlanSpec,
    kind: &ScenarioKind,
) -> anyhow::Result<SeasonPlan> {
    let scaling = if *kind == ScenarioKind::Normal {
        None
    } else {
        spec.scaling
    };
    let sc = scenario::build(kind, normals, scaling, spec.from.year(), spec.to.year())?;
    let laps = Laps::start();
    let projection = project::project(site, &sc.days, spec.from, spec.to, &spec.rates)?;
    let weekly = weekly::aggregate(&projection, &site.crews, site.water_cart_l);
    laps.lap("weekly tables");
    let (rain_mm, peff_mm) = scenario::rain_between(&sc.days, spec.from, spec.to);
    let weather = match &sc.file {
        Some(f) => format!(
            "past year from {} (daily 5 mm effective-rain rule){}",
            f.display(),
            if sc.filled_days > 0 {
                format!("; {} missing day(s) from the normal year", sc.filled_days)
            } else {
                String::new()
            }
        ),
        None if sc.scaling == Scaling::NONE => {
            "normal year from the site's monthly normals (SCS monthly effective rain)".into()
        }
        None => format!(
            "normal year with rain {:+.0} % and temperature {:+.1} °C (SCS monthly effective rain)",
            sc.scaling.rain_scale * 100.0,
            sc.scaling.temp_shift_c
        ),
    };
    let totals = totals(&projection, &weekly, spec.last_year_seedlings);
    drop(projection);
    let worst_week = weekly
        .crews
        .iter()
        .filter(|c| c.capacity_hours > 0.0)
        .max_by(|a, b| {
            (a.hours / a.capacity_hours)
                .total_cmp(&(b.hours / b.capacity_hours))
                .then(b.week_start.cmp(&a.week_start))
        })
        .map(|c| WorstWeek {
            week: c.week.clone(),
            week_start: c.week_start,
            crew: c.crew.clone(),
            hours: c.hours,
            capacity_hours: c.capacity_hours,
            load_pct: 100.0 * c.hours / c.capacity_hours,
        });
    Ok(SeasonPlan {
        site: site_name.to_string(),
        scenario: sc.name,
        weather,
        from: spec.from,
        to: spec.to,
        rain_scale: sc.scaling.rain_scale,
        temp_shift_c: sc.scaling.temp_shift_c,
        rain_mm,
        peff_mm,
        capacity_basis: CAPACITY_BASIS.into(),
        water_cart_l: site.water_cart_l,
        treatment_rate_default: spec.rates.default,
        treatment_rate_by_pest: spec.rates.per_pest.clone(),
        totals,
        worst_week,
        weekly,
    })
}

fn totals(p: &Projection, w: &Weekly, last_year: f64) -> Totals {
    let x = &p.tally;
    let mut t = Totals {
        tasks: p.tasks.len(),
        seedlings_last_year: last_year,
        waterings: x.waterings,
        water_l: x.water_l,
        scouting_visits: x.scouting_visits,
        expected_treatments: x.expected_treatments,
        spray_mix_l: x.spray_mix_l,
        spray_mix_l_by_product: x.spray_mix_l_by_product.clone(),
        replanting_box_groups: x.replanting_box_groups,
        replanting_boxes: x.replanting_boxes,
        seedlings: x.seedlings,
        ..Totals::default()
    };
    // Summed in task order, per index, then named.
    let mut by_type = vec![0.0f64; p.task_types.len()];
    let mut by_crew = vec![0.0f64; p.crews.len()];
    let mut seen_type = vec![false; p.task_types.len()];
    let mut seen_crew = vec![false; p.crews.len()];
    for task in &p.tasks {
        let h = task.hours();
        let ty = p.kind_of(task).task_type as usize;
        t.hours += h;
        by_type[ty] += h;
        seen_type[ty] = true;
        by_crew[task.crew as usize] += h;
        seen_crew[task.crew as usize] = true;
    }
    t.hours_by_task_type = (0..by_type.len())
        .filter(|&i| seen_type[i])
        .map(|i| (p.task_types.get(i as u32).to_string(), by_type[i]))
        .collect();
    t.hours_by_crew = (0..by_crew.len())
        .filter(|&i| seen_crew[i])
        .map(|i| (p.crews.get(i as u32).to_string(), by_crew[i]))
        .collect();
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
