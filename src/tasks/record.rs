//! Task records, states and the fixed list of skip/cancel reasons.

use chrono::{DateTime, FixedOffset, NaiveDate};

/// Lifecycle: open → done | skipped | cancelled. Overdue is derived, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskState {
    Open,
    Done,
    Skipped,
    Cancelled,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Done => "done",
            TaskState::Skipped => "skipped",
            TaskState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<TaskState> {
        Some(match s {
            "open" => TaskState::Open,
            "done" => TaskState::Done,
            "skipped" => TaskState::Skipped,
            "cancelled" => TaskState::Cancelled,
            _ => return None,
        })
    }
}

/// Why a task was skipped or cancelled. `valid` reasons take the task out of coverage's "due"
/// (the need was met or could not exist); the others count as missed.
pub const REASONS: &[(&str, bool, &str)] = &[
    ("covered_by_rain", true, "rain met the need"),
    (
        "frost_guard",
        true,
        "frost forecast: tender plants are not watered",
    ),
    ("asset_retired", true, "the asset left the register"),
    (
        "access_blocked",
        true,
        "the site could not be reached (event, works, police)",
    ),
    ("rule_changed", true, "the rule that made the task changed"),
    (
        "duplicate",
        true,
        "the same work is covered by another task",
    ),
    ("no_time", false, "the crew ran out of time"),
    (
        "no_material",
        false,
        "water, product or plants were missing",
    ),
    ("equipment", false, "equipment broke down"),
    ("other", false, "another reason (say which in --note)"),
];

/// Whether a reason code is known, and whether it is valid for coverage.
pub fn reason_validity(code: &str) -> Option<bool> {
    REASONS.iter().find(|r| r.0 == code).map(|r| r.1)
}

/// One task as stored, joined with the asset it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub id: i64,
    /// The rule that generated it; `None` for ad-hoc tasks (patrol reports).
    pub rule_id: Option<String>,
    pub asset_id: i64,
    pub asset_ref: String,
    /// The rule occurrence (RFC 3339) that identifies a generated task.
    pub occurrence: String,
    pub task_type: String,
    pub due_at: DateTime<FixedOffset>,
    /// The local date the task is planned for.
    pub due_date: NaiveDate,
    /// Due time plus grace: done by then counts as on time.
    pub deadline_at: DateTime<FixedOffset>,
    pub minutes: f64,
    pub skill: Option<String>,
    /// 1 (highest) to 5.
    pub priority: u8,
    pub crew: Option<String>,
    pub state: TaskState,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub moved_from: Option<NaiveDate>,
    /// JSON object with what the crew needs to know (litres to apply, product, why).
    pub detail: Option<String>,
    pub done_at: Option<DateTime<FixedOffset>>,
    pub done_by: Option<String>,
    pub water_l: Option<f64>,
    pub product: Option<String>,
    pub dose: Option<String>,
    pub severity: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<DateTime<FixedOffset>>,
}

impl TaskRecord {
    /// A new open task (id 0) for an asset.
    pub fn new(
        asset_id: i64,
        task_type: &str,
        due_at: DateTime<FixedOffset>,
        deadline_at: DateTime<FixedOffset>,
        minutes: f64,
    ) -> Self {
        let occurrence = due_at.to_rfc3339();
        Self::with_occurrence(
            asset_id,
            task_type,
            occurrence,
            due_at,
            deadline_at,
            minutes,
        )
    }

    /// As [`TaskRecord::new`], with the occurrence key (RFC 3339) already formatted: the tasks
    /// of one cron occurrence share it.
    pub fn with_occurrence(
        asset_id: i64,
        task_type: &str,
        occurrence: String,
        due_at: DateTime<FixedOffset>,
        deadline_at: DateTime<FixedOffset>,
        minutes: f64,
    ) -> Self {
        TaskRecord {
            id: 0,
            rule_id: None,
            asset_id,
            asset_ref: String::new(),
            occurrence,
            task_type: task_type.to_string(),
            due_at,
            due_date: due_at.date_naive(),
            deadline_at,
            minutes,
            skill: None,
            priority: 3,
            crew: None,
            state: TaskState::Open,
            reason: None,
            note: None,
            moved_from: None,
            detail: None,
            done_at: None,
            done_by: None,
            water_l: None,
            product: None,
            dose: None,
            severity: None,
            verified_by: None,
            verified_at: None,
        }
    }

    /// Open past its deadline at `now`.
    pub fn is_overdue(&self, now: DateTime<FixedOffset>) -> bool {
        self.state == TaskState::Open && now > self.deadline_at
    }
}

/// Which tasks to load.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub crew: Option<String>,
    pub state: Option<TaskState>,
    pub asset_id: Option<i64>,
    pub zone: Option<String>,
    pub ids: Option<Vec<i64>>,
}

/// A crew: who covers which zones with which skills, for how long a day, from where.
#[derive(Debug, Clone, PartialEq)]
pub struct Crew {
    pub id: i64,
    pub name: String,
    /// Zone names; empty means every zone.
    pub zones: Vec<String>,
    pub skills: Vec<String>,
    pub hours_per_day: f64,
    pub start_lon: f64,
    pub start_lat: f64,
}

impl Crew {
    pub fn covers(&self, zone: &str, skill: Option<&str>) -> bool {
        (self.zones.is_empty() || self.zones.iter().any(|z| z == zone))
            && skill.is_none_or(|s| self.skills.iter().any(|k| k == s))
    }
}
