//! A period's coverage report assembled from the store: groups, total, patrol reports by
//! severity, water-stress days; and its stable JSON form.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Value, json};

use super::metrics::{
    self, Counts, Group, GroupBy, PatrolCounts, StressDays, ZonedTask, bucket_for,
};
use crate::store::{AssetFilter, DateField, Store, StoreError};

/// Water-stress days, or why there are none.
#[derive(Debug, Clone, PartialEq)]
pub enum WaterStress {
    /// The database has no `water_stress` table yet (added by the need-driven watering work).
    Unavailable { note: String },
    /// Per asset: stress days with the asset's ref, kind and zone.
    Assets(Vec<(StressDays, String, String, String)>),
}

/// The coverage of a period.
#[derive(Debug, Clone)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The moment "not yet due" is judged at.
    pub now: DateTime<FixedOffset>,
    pub by: Vec<GroupBy>,
    pub groups: Vec<Group>,
    pub total: Counts,
    pub patrol: Vec<(String, PatrolCounts)>,
    pub water_stress: WaterStress,
}

/// Note shown when the `water_stress` table is absent.
pub const NO_WATER_STRESS: &str = "no water_stress table in this database yet: water-stress days come from the need-driven watering (water balance) once it records daily depletion";

/// Builds the report of `[from, to]` judged at `now`, grouped by `by`.
pub fn build(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<FixedOffset>,
    by: &[GroupBy],
) -> Result<Report, StoreError> {
    let read = store.read();
    let tasks: Vec<ZonedTask> = read.zoned_tasks(from, to, DateField::Deadline)?;
    let water_stress = match read.water_stress(from, to)? {
        None => WaterStress::Unavailable {
            note: NO_WATER_STRESS.to_string(),
        },
        Some(rows) => {
            let assets: HashMap<i64, (String, String, String)> = read
                .assets(&AssetFilter {
                    include_retired: true,
                    ..Default::default()
                })?
                .into_iter()
                .map(|a| {
                    (
                        a.id,
                        (
                            a.asset_ref.clone(),
                            a.kind().as_str().to_string(),
                            a.zone.clone().unwrap_or_default(),
                        ),
                    )
                })
                .collect();
            let days =
                metrics::stress_days(rows.iter().map(|r| (r.asset_id, r.depletion_mm)), |id| {
                    let (_, kind, zone) = assets.get(&id)?;
                    bucket_for(kind, zone).map(|b| b.raw_mm())
                });
            WaterStress::Assets(
                days.into_iter()
                    .map(|d| {
                        let (r, k, z) = assets.get(&d.asset_id).cloned().unwrap_or_default();
                        (d, r, k, z)
                    })
                    .collect(),
            )
        }
    };
    Ok(Report {
        from,
        to,
        now,
        by: by.to_vec(),
        groups: metrics::group(&tasks, by, now),
        total: metrics::total(&tasks, now),
        patrol: metrics::patrol_by_severity(&tasks, now),
        water_stress,
    })
}

fn ratio(v: Option<f64>) -> Value {
    v.map(|x| json!((x * 10_000.0).round() / 10_000.0))
        .unwrap_or(Value::Null)
}

/// The counts as JSON fields (coverage rounded to 4 decimals, `null` when nothing was due).
pub fn counts_json(c: &Counts) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("due".into(), json!(c.due));
    m.insert("on_time".into(), json!(c.on_time));
    m.insert("late".into(), json!(c.late));
    m.insert("missed".into(), json!(c.missed));
    m.insert("coverage".into(), ratio(c.coverage()));
    m.insert("not_yet_due".into(), json!(c.not_yet_due));
    m.insert("excused".into(), json!(c.excused));
    m.insert("cancelled".into(), json!(c.cancelled));
    m
}

impl Report {
    /// The stable JSON form (documented in docs/coverage_charts.md).
    pub fn to_json(&self) -> Value {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .map(|g| {
                let mut m = serde_json::Map::new();
                for (b, k) in self.by.iter().zip(&g.key) {
                    m.insert(b.as_str().to_string(), json!(k));
                }
                m.extend(counts_json(&g.counts));
                Value::Object(m)
            })
            .collect();
        let patrol: Vec<Value> = self
            .patrol
            .iter()
            .map(|(sev, p)| {
                json!({
                    "severity": sev,
                    "due": p.counts.due,
                    "closed_in_time": p.counts.on_time,
                    "closed_late": p.counts.late,
                    "missed": p.counts.missed,
                    "closed_in_time_share": ratio(p.closed_in_time_share()),
                    "not_yet_due": p.counts.not_yet_due,
                })
            })
            .collect();
        let stress = match &self.water_stress {
            WaterStress::Unavailable { note } => {
                json!({"available": false, "note": note, "assets": []})
            }
            WaterStress::Assets(v) => json!({
                "available": true,
                "assets": v.iter().map(|(d, r, k, z)| json!({
                    "ref": r, "kind": k, "zone": z, "days": d.days, "stress_days": d.stress_days,
                    "max_depletion_mm": (d.max_depletion_mm * 10.0).round() / 10.0,
                    "threshold_mm": (d.threshold_mm * 10.0).round() / 10.0,
                })).collect::<Vec<_>>(),
            }),
        };
        json!({
            "from": self.from.to_string(),
            "to": self.to.to_string(),
            "now": self.now.to_rfc3339(),
            "by": self.by.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
            "groups": groups,
            "total": Value::Object(counts_json(&self.total)),
            "patrol_reports": patrol,
            "water_stress": stress,
        })
    }
}
