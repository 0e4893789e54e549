//! Tasks from pest biology and replanting weather: the pest-window and replanting triggers.
//!
//! Pest windows (integrated pest management, prevention first):
//! - a **scouting** task for each host of the pest on the scouting day (a lead before the
//!   degree-day or calendar window opens, pests.toml), at the rule's window start (default 01:00);
//! - a **treatment** task only after an observation at or over the pest's action threshold, in
//!   the spraying hours of the night after the observation (rule id `<rule>#treatment`);
//! - a **re-spray** task the next night when the day of a done treatment had rain of at least the
//!   pest's `respray_rain_mm` (rule id `<rule>#respray`; observed or forecast rain only).
//!
//! Replanting sets (DOMAIN.md §4) create a task for each flower-box group on the set's date, with
//! the seedlings needed (boxes × box surface at the rule's density).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeDelta};
use chrono_tz::Tz;
use serde_json::json;

use super::record::TaskRecord;
use crate::ipm::{Observation, Pest, scouting_and_window};
use crate::model::{AssetRecord, KindData};
use crate::schedule::select::Selected;
use crate::schedule::{ReplantingSet, Rule, resolve_local};
use crate::science::replanting::{ReplantingRules, replanting_dates, seedlings_needed};
use crate::weather::WeatherDay;

/// Minutes to spray one tree (Barkhor estimate, DOMAIN.md issue defaults).
pub const SPRAY_MINUTES_PER_TREE: f64 = 5.0;

fn at(tz: Tz, d: NaiveDate, t: NaiveTime) -> DateTime<Tz> {
    resolve_local(tz, d.and_time(t))
}

/// A task of `rule` (under `rule_id`) due at `when.0` with grace `when.1`.
fn task(
    rule_id: String,
    rule: &Rule,
    task_type: &str,
    asset_id: i64,
    when: (DateTime<Tz>, TimeDelta),
    minutes: f64,
    detail: serde_json::Value,
) -> TaskRecord {
    let (occ, grace) = when;
    let mut t = TaskRecord::new(
        asset_id,
        task_type,
        occ.fixed_offset(),
        (occ + grace).fixed_offset(),
        minutes,
    );
    t.rule_id = Some(rule_id);
    t.skill = rule.skill.clone();
    t.priority = rule.priority;
    t.detail = Some(detail.to_string());
    t
}

/// The first spraying time of the night after `day` (spraying hours starting at or after
/// midnight belong to the next calendar day).
fn spray_time(pest: &Pest, tz: Tz, night_of: NaiveDate) -> DateTime<Tz> {
    let start = pest.spray_hours.from;
    let day = if start < NaiveTime::from_hms_opt(12, 0, 0).expect("valid") {
        night_of + Duration::days(1)
    } else {
        night_of
    };
    at(tz, day, start)
}

/// Inputs of the pest trigger for one rule.
pub struct PestInputs<'a> {
    pub rule: &'a Rule,
    pub pest: &'a Pest,
    /// Selected assets that host the pest.
    pub hosts: &'a [Selected],
    /// Daily series covering every year of the range (and the days of done treatments).
    pub series: &'a [WeatherDay],
    /// Latest observations at or over the threshold, per asset.
    pub over_threshold: &'a [Observation],
    /// Done treatment and re-spray tasks of the rule: (asset id, local day applied, task id).
    pub done_treatments: &'a [(i64, NaiveDate, i64)],
    pub tz: Tz,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Scouting, treatment and re-spray tasks of a pest rule in `[from, to]`.
pub fn pest_tasks(p: &PestInputs<'_>) -> Vec<TaskRecord> {
    let mut out = Vec::new();
    let rule = p.rule;
    let scout_time = rule
        .window
        .map(|w| w.start)
        .unwrap_or_else(|| NaiveTime::from_hms_opt(1, 0, 0).expect("valid"));
    let product = p.pest.products.first();
    let host_ids: std::collections::HashSet<i64> = p.hosts.iter().map(|h| h.asset_id).collect();
    for year in p.from.year()..=p.to.year() {
        let year_days: Vec<WeatherDay> = p
            .series
            .iter()
            .filter(|d| d.date().year() == year)
            .cloned()
            .collect();
        let Some(w) = scouting_and_window(p.pest, &year_days, year) else {
            continue;
        };
        if w.scout_on < p.from || w.scout_on > p.to {
            continue;
        }
        let occ = at(p.tz, w.scout_on, scout_time);
        for h in p.hosts {
            out.push(task(
                rule.id.clone(),
                rule,
                rule.task.as_str(),
                h.asset_id,
                (occ, rule.grace),
                rule.minutes_per_asset * h.units,
                json!({"pest": p.pest.id, "window_opens": w.opens.to_string(), "window_closes": w.closes.to_string(), "threshold": p.pest.action_threshold}),
            ));
        }
    }
    for o in p.over_threshold {
        if !host_ids.contains(&o.asset_id) {
            continue;
        }
        let occ = spray_time(p.pest, p.tz, o.observed_at);
        let d = occ.date_naive();
        if d < p.from || d > p.to {
            continue;
        }
        out.push(task(
            format!("{}#treatment", rule.id),
            rule,
            "pest_treatment",
            o.asset_id,
            (occ, TimeDelta::days(1)),
            SPRAY_MINUTES_PER_TREE,
            json!({
                "pest": p.pest.id,
                "observed": o.observed_at.to_string(),
                "severity": o.severity,
                "product": product.map(|x| x.name.clone()),
                "active_ingredient": product.map(|x| x.active_ingredient.clone()),
                "dose": product.map(|x| x.dose.clone()),
                "spray_mix_l": product.and_then(|x| x.spray_mix_l_per_tree),
            }),
        ));
    }
    for &(asset_id, applied_on, task_id) in p.done_treatments {
        let Some(rain) = crate::ipm::respray_rain(p.pest, p.series, applied_on) else {
            continue;
        };
        let occ = spray_time(p.pest, p.tz, applied_on);
        let d = occ.date_naive();
        if d < p.from || d > p.to {
            continue;
        }
        out.push(task(
            format!("{}#respray", rule.id),
            rule,
            "pest_treatment",
            asset_id,
            (occ, TimeDelta::days(1)),
            SPRAY_MINUTES_PER_TREE,
            json!({
                "pest": p.pest.id,
                "respray_of": task_id,
                "why": format!("rain {rain:.1} mm on {applied_on}, the night of the treatment"),
                "product": product.map(|x| x.name.clone()),
                "active_ingredient": product.map(|x| x.active_ingredient.clone()),
                "dose": product.map(|x| x.dose.clone()),
            }),
        ));
    }
    out
}

/// Replanting tasks of a rule in `[from, to]`: one per selected flower-box group on the set's
/// date, with the seedlings it needs.
#[allow(clippy::too_many_arguments)]
pub fn replanting_tasks<S: std::hash::BuildHasher>(
    rule: &Rule,
    set: ReplantingSet,
    per_100_cm2: f64,
    boxes: &[Selected],
    records: &HashMap<i64, &AssetRecord, S>,
    series: &[WeatherDay],
    festivals: &[NaiveDate],
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<TaskRecord> {
    let mut out = Vec::new();
    let rules = ReplantingRules::default();
    let time = rule
        .window
        .map(|w| w.start)
        .unwrap_or_else(|| NaiveTime::from_hms_opt(8, 0, 0).expect("valid"));
    for year in from.year()..=to.year() {
        let days: Vec<_> = series
            .iter()
            .filter(|d| d.date().year() == year)
            .map(WeatherDay::plan_day)
            .collect();
        let year_festivals: Vec<NaiveDate> = festivals
            .iter()
            .copied()
            .filter(|f| f.year() == year)
            .collect();
        let Some(dates) = replanting_dates(&rules, &days, year, &year_festivals) else {
            continue;
        };
        let when: Vec<(NaiveDate, String)> = match set {
            ReplantingSet::Spring => dates
                .spring
                .map(|d| (d, "spring set".to_string()))
                .into_iter()
                .collect(),
            ReplantingSet::Summer => dates
                .summer
                .map(|d| (d, "summer set".to_string()))
                .into_iter()
                .collect(),
            ReplantingSet::Autumn => vec![(
                dates.autumn,
                if dates.autumn_for_frost {
                    "autumn set (frost forecast)".to_string()
                } else {
                    "autumn set".to_string()
                },
            )],
            ReplantingSet::Festival => dates
                .festival_refreshes
                .iter()
                .map(|(f, r)| (*r, format!("festival refresh before {f}")))
                .collect(),
        };
        for (day, why) in when {
            if day < from || day > to {
                continue;
            }
            let occ = at(tz, day, time);
            for b in boxes {
                let Some(KindData::FlowerBoxGroup(g)) = records.get(&b.asset_id).map(|r| &r.data)
                else {
                    continue;
                };
                let seedlings =
                    seedlings_needed(g.box_length_m, g.box_width_m, per_100_cm2) * g.box_count;
                out.push(task(
                    rule.id.clone(),
                    rule,
                    rule.task.as_str(),
                    b.asset_id,
                    (occ, rule.grace),
                    rule.minutes_per_asset * b.units,
                    json!({"set": set.as_str(), "why": why, "seedlings": seedlings, "boxes": g.box_count}),
                ));
            }
        }
    }
    out
}
