//! Task lifecycle: done, skipped, cancelled; patrol reports with deadlines and sign-off.
//!
//! Every operation is one store transaction: a command naming five tasks where one is not open
//! changes none of them.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde_json::json;

use super::record::{REASONS, TaskFilter, TaskRecord, TaskState, reason_validity};
use crate::site::PatrolDeadlines;
use crate::store::{Store, StoreError};

/// Task type of patrol reports.
pub const PATROL_REPORT: &str = "patrol_report";

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("no task with id {0}\n  list tasks with: greenward tasks list --date DATE")]
    NotFound(i64),
    #[error("task {id} is {state}, not open; only open tasks can be {action}")]
    NotOpen {
        id: i64,
        state: &'static str,
        action: &'static str,
    },
    #[error("'{0}' is not a skip reason; use one of: {list}", list = REASONS.iter().map(|r| r.0).collect::<Vec<_>>().join(", "))]
    UnknownReason(String),
    #[error("no asset with ref '{0}'\n  list them with: greenward assets list")]
    UnknownAsset(String),
    #[error("task {0} is not a patrol report; only reports need a sign-off")]
    NotAReport(i64),
    #[error(
        "report {0} has not been marked done yet; mark it done first: greenward tasks done {0}"
    )]
    NotDoneYet(i64),
    #[error("no open tasks match {0}")]
    NothingToDo(String),
    #[error("--water-l must be a non-negative number of litres, not {0}")]
    BadLitres(f64),
    #[error("weather of the application: {0}")]
    Weather(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What completing or skipping needs to know of the site: its zone, climate normals (for the
/// weather of a pesticide application) and pests (for the active ingredient of a product).
pub struct SiteContext<'a> {
    pub tz: Tz,
    pub normals: Option<&'a crate::science::MonthlyNormals>,
    pub pests: &'a crate::ipm::PestList,
}

fn detail_of(t: &TaskRecord) -> serde_json::Value {
    t.detail
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// Books water given (or not given) against the asset's balance: the check that created the
/// task assumed its litres would be applied.
fn book_water(
    tx: &mut crate::store::Tx<'_>,
    t: &TaskRecord,
    given_l: f64,
) -> Result<(), StoreError> {
    let d = detail_of(t);
    let (Some(planned), Some(area), Some(eff), Some(taw)) = (
        d["water_l"].as_f64(),
        d["wetted_area_m2"].as_f64(),
        d["efficiency"].as_f64(),
        d["taw_mm"].as_f64(),
    ) else {
        return Ok(());
    };
    let Some(mut st) = tx.read().water_state(t.asset_id)? else {
        return Ok(());
    };
    if area <= 0.0 {
        return Ok(());
    }
    st.depletion_mm = (st.depletion_mm + (planned - given_l) * eff / area).clamp(0.0, taw);
    tx.set_water_state(t.asset_id, st)
}

/// Writes the pesticide record of a done treatment.
fn log_treatment(
    tx: &mut crate::store::Tx<'_>,
    t: &TaskRecord,
    c: &Completion,
    at: DateTime<FixedOffset>,
    site: &SiteContext<'_>,
) -> Result<(), TaskError> {
    let d = detail_of(t);
    let Some(product) = c
        .product
        .clone()
        .or_else(|| d["product"].as_str().map(str::to_string))
    else {
        return Ok(());
    };
    let pest_id = d["pest"].as_str().map(str::to_string);
    let known = pest_id
        .as_deref()
        .and_then(|p| site.pests.get(p))
        .and_then(|p| {
            p.products
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(&product))
        });
    let day = at.with_timezone(&site.tz).date_naive();
    let weather = match site.normals {
        Some(n) => crate::ipm::application_weather(&tx.read(), n, day)
            .map_err(|e| TaskError::Weather(e.to_string()))?,
        None => None,
    };
    tx.insert_pesticide_application(&crate::ipm::PesticideApplication {
        id: 0,
        task_id: Some(t.id),
        asset_id: t.asset_id,
        asset_ref: t.asset_ref.clone(),
        pest_id,
        applied_at: at,
        product,
        active_ingredient: known
            .map(|k| k.active_ingredient.clone())
            .or_else(|| d["active_ingredient"].as_str().map(str::to_string)),
        dose: c
            .dose
            .clone()
            .or_else(|| known.map(|k| k.dose.clone()))
            .or_else(|| d["dose"].as_str().map(str::to_string)),
        trees: Some(1),
        area_m2: None,
        weather,
        applicator: c.by.clone(),
        reentry_h: known.and_then(|k| k.reentry_h),
    })?;
    Ok(())
}

/// What the crew reports when a task is done.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub at: Option<DateTime<FixedOffset>>,
    pub by: Option<String>,
    pub water_l: Option<f64>,
    pub product: Option<String>,
    pub dose: Option<String>,
    pub note: Option<String>,
}

fn load_open(
    store: &Store,
    ids: &[i64],
    action: &'static str,
) -> Result<Vec<TaskRecord>, TaskError> {
    let read = store.read();
    ids.iter()
        .map(|&id| {
            let t = read.task(id)?.ok_or(TaskError::NotFound(id))?;
            if t.state != TaskState::Open {
                return Err(TaskError::NotOpen {
                    id,
                    state: t.state.as_str(),
                    action,
                });
            }
            Ok(t)
        })
        .collect()
}

/// Marks tasks done (all or none). A patrol report stays open, awaiting its sign-off.
pub fn complete(
    store: &mut Store,
    ids: &[i64],
    c: &Completion,
    now: DateTime<FixedOffset>,
    site: &SiteContext<'_>,
) -> Result<Vec<TaskRecord>, TaskError> {
    if let Some(l) = c.water_l.filter(|l| !(l.is_finite() && *l >= 0.0)) {
        return Err(TaskError::BadLitres(l));
    }
    let tasks = load_open(store, ids, "marked done")?;
    let at = c.at.unwrap_or(now);
    store.write(|tx| -> Result<(), TaskError> {
        for t in &tasks {
            tx.complete_task(
                t.id,
                &at,
                c.by.as_deref(),
                c.water_l,
                c.product.as_deref(),
                c.dose.as_deref(),
                c.note.as_deref(),
            )?;
            if t.task_type == PATROL_REPORT {
                // Work done, but the report is closed only by a sign-off.
                tx.close_task(t.id, TaskState::Open, None, None)?;
            }
            if let Some(given) = c.water_l {
                book_water(tx, t, given)?;
            }
            if t.task_type == "pest_treatment" {
                log_treatment(tx, t, c, at, site)?;
            }
        }
        Ok(())
    })?;
    Ok(tasks)
}

/// Marks every open task of an asset or a zone on one day as done (`tasks done --asset/--zone`).
pub fn complete_group(
    store: &mut Store,
    filter: TaskFilter,
    label: &str,
    c: &Completion,
    now: DateTime<FixedOffset>,
    site: &SiteContext<'_>,
) -> Result<Vec<TaskRecord>, TaskError> {
    let ids: Vec<i64> = store
        .read()
        .tasks(&TaskFilter {
            state: Some(TaskState::Open),
            ..filter
        })?
        .into_iter()
        .filter(|t| t.task_type != PATROL_REPORT)
        .map(|t| t.id)
        .collect();
    if ids.is_empty() {
        return Err(TaskError::NothingToDo(label.to_string()));
    }
    complete(store, &ids, c, now, site)
}

/// Skips an open task with a reason from the fixed list.
pub fn skip(
    store: &mut Store,
    id: i64,
    reason: &str,
    note: Option<&str>,
) -> Result<TaskRecord, TaskError> {
    if reason_validity(reason).is_none() {
        return Err(TaskError::UnknownReason(reason.to_string()));
    }
    let t = load_open(store, &[id], "skipped")?.remove(0);
    store.write(|tx| -> Result<(), StoreError> {
        tx.close_task(id, TaskState::Skipped, Some(reason), note)?;
        if reason != "covered_by_rain" {
            // The water the balance counted on was not given.
            book_water(tx, &t, 0.0)?;
        }
        Ok(())
    })?;
    Ok(t)
}

/// Signs off a patrol report whose work is done (销号), closing it.
pub fn verify(
    store: &mut Store,
    id: i64,
    by: &str,
    now: DateTime<FixedOffset>,
) -> Result<TaskRecord, TaskError> {
    let t = store.read().task(id)?.ok_or(TaskError::NotFound(id))?;
    if t.task_type != PATROL_REPORT {
        return Err(TaskError::NotAReport(id));
    }
    if t.state != TaskState::Open {
        return Err(TaskError::NotOpen {
            id,
            state: t.state.as_str(),
            action: "signed off",
        });
    }
    if t.done_at.is_none() {
        return Err(TaskError::NotDoneYet(id));
    }
    store.write(|tx| -> Result<(), StoreError> {
        tx.verify_task(id, by, &now)?;
        tx.close_task(id, TaskState::Done, None, None)
    })?;
    Ok(t)
}

/// Severity of a patrol report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Severity {
    /// Fixed on the spot.
    Minor,
    /// Closed the same day.
    General,
    /// Closed within the site's deadline (days).
    Major,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::General => "general",
            Severity::Major => "major",
        }
    }
}

/// The deadline of a report made at `at`: minor on the spot, general the same day (at most
/// `general_hours`), major after `major_days`.
pub fn report_deadline(sev: Severity, at: DateTime<Tz>, d: &PatrolDeadlines) -> DateTime<Tz> {
    match sev {
        Severity::Minor => at,
        Severity::General => {
            let end_of_day = at
                .timezone()
                .from_local_datetime(
                    &at.date_naive()
                        .and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time")),
                )
                .earliest()
                .unwrap_or(at);
            end_of_day.min(at + Duration::hours(i64::from(d.general_hours)))
        }
        Severity::Major => at + Duration::days(i64::from(d.major_days)),
    }
}

/// A patrol report: an ad-hoc task on an asset. With `fixed_by`, a minor problem is closed at
/// once by the reporter (fixed on the spot and signed off).
#[allow(clippy::too_many_arguments)]
pub fn report(
    store: &mut Store,
    asset_ref: &str,
    sev: Severity,
    note: &str,
    at: DateTime<Tz>,
    deadlines: &PatrolDeadlines,
    reporter: Option<&str>,
    fixed_on_the_spot: bool,
) -> Result<TaskRecord, TaskError> {
    let asset = store
        .read()
        .asset_by_ref(asset_ref)?
        .ok_or_else(|| TaskError::UnknownAsset(asset_ref.to_string()))?;
    let deadline = report_deadline(sev, at, deadlines);
    let mut t = TaskRecord::new(
        asset.id,
        PATROL_REPORT,
        at.fixed_offset(),
        deadline.fixed_offset(),
        15.0,
    );
    t.asset_ref = asset.asset_ref.clone();
    t.severity = Some(sev.as_str().to_string());
    t.note = Some(note.to_string());
    t.priority = match sev {
        Severity::Major => 1,
        Severity::General => 2,
        Severity::Minor => 3,
    };
    t.detail = Some(json!({"reported_by": reporter}).to_string());
    let now = at.fixed_offset();
    let id = store.write(|tx| -> Result<i64, StoreError> {
        let id = tx.insert_task(&t)?;
        if fixed_on_the_spot && sev == Severity::Minor {
            tx.complete_task(id, &now, reporter, None, None, None, None)?;
            tx.verify_task(id, reporter.unwrap_or("reporter"), &now)?;
        }
        Ok(id)
    })?;
    store.read().task(id)?.ok_or(TaskError::NotFound(id))
}
