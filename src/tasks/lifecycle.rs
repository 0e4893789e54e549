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
    #[error(transparent)]
    Store(#[from] StoreError),
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
    complete(store, &ids, c, now)
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
    store.write(|tx| tx.close_task(id, TaskState::Skipped, Some(reason), note))?;
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
