//! Pure coverage arithmetic: each task's outcome at a moment, counts per group, patrol-report
//! closure by severity, water-stress days per asset.
//!
//! # Rules
//!
//! - A task *falls due* when its deadline (`deadline_at`: due time plus grace) passes. A period
//!   holds the tasks whose deadline falls on a local date inside it; a week is the ISO week
//!   (Monday start) of that date. A task moved by a blackout is due at its moved time: its
//!   `due_at`/`deadline_at` are already the moved ones.
//! - Not due: cancelled tasks; tasks skipped with a valid reason ([`REASONS`] validity true:
//!   `covered_by_rain`, `frost_guard`, …, counted as *excused*); open tasks whose deadline has
//!   not passed at "now" (*not yet due*).
//! - Due and **on time**: done at or before the deadline; **late**: done after it; **missed**:
//!   still open past the deadline, or skipped without a valid reason.
//! - Patrol reports close with the office's sign-off, so their closing time is `verified_at`
//!   (a report whose work is done but not signed off is still open).
//! - Coverage = on time / due; none when nothing was due.
//!
//! [`REASONS`]: crate::tasks::REASONS

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

use crate::science::BucketParams;
use crate::tasks::lifecycle::PATROL_REPORT;
use crate::tasks::{TaskRecord, TaskState, reason_validity};

/// A task with the zone and kind of its asset, as the coverage queries load it.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonedTask {
    pub task: TaskRecord,
    /// Zone name of the asset.
    pub zone: String,
    /// Asset kind (`flower_box_group`, `tree`, …).
    pub asset_kind: String,
}

/// What a task counts as at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    OnTime,
    Late,
    Missed,
    /// Open, deadline not passed yet.
    NotYetDue,
    /// Skipped with a valid reason.
    Excused,
    Cancelled,
}

impl Outcome {
    /// Whether the task counts in "due".
    pub fn is_due(self) -> bool {
        matches!(self, Outcome::OnTime | Outcome::Late | Outcome::Missed)
    }
}

/// When a task was closed for coverage: `verified_at` for patrol reports, else `done_at`.
pub fn closed_at(t: &TaskRecord) -> Option<DateTime<FixedOffset>> {
    if t.task_type == PATROL_REPORT {
        t.verified_at
    } else {
        t.done_at
    }
}

/// The outcome of a task at `now`.
pub fn classify(t: &TaskRecord, now: DateTime<FixedOffset>) -> Outcome {
    match t.state {
        TaskState::Cancelled => Outcome::Cancelled,
        TaskState::Skipped => {
            if t.reason.as_deref().and_then(reason_validity) == Some(true) {
                Outcome::Excused
            } else {
                Outcome::Missed
            }
        }
        TaskState::Done => match closed_at(t) {
            Some(at) if at > t.deadline_at => Outcome::Late,
            // Done without a recorded time: taken as done in time (the lifecycle always
            // records one; only hand-edited rows lack it).
            _ => Outcome::OnTime,
        },
        TaskState::Open => {
            if now > t.deadline_at {
                Outcome::Missed
            } else {
                Outcome::NotYetDue
            }
        }
    }
}

/// Counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub missed: u64,
    pub not_yet_due: u64,
    pub excused: u64,
    pub cancelled: u64,
}

impl Counts {
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::OnTime => self.on_time += 1,
            Outcome::Late => self.late += 1,
            Outcome::Missed => self.missed += 1,
            Outcome::NotYetDue => self.not_yet_due += 1,
            Outcome::Excused => self.excused += 1,
            Outcome::Cancelled => self.cancelled += 1,
        }
        if o.is_due() {
            self.due += 1;
        }
    }

    /// On time / due, 0..=1; `None` when nothing was due.
    pub fn coverage(&self) -> Option<f64> {
        (self.due > 0).then(|| self.on_time as f64 / self.due as f64)
    }
}

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum GroupBy {
    Zone,
    Type,
    Week,
    Crew,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Zone => "zone",
            GroupBy::Type => "type",
            GroupBy::Week => "week",
            GroupBy::Crew => "crew",
        }
    }
}

/// Crew label of tasks no crew took.
pub const UNASSIGNED: &str = "unassigned";

/// ISO week label (Monday start) of a date: `2027-W19`.
pub fn iso_week_label(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of a date's ISO week.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The ISO weeks touching `[from, to]`, as (label, Monday), in order.
pub fn weeks_of(from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate)> {
    let mut out = Vec::new();
    let mut monday = week_start(from);
    while monday <= to {
        out.push((iso_week_label(monday), monday));
        monday += chrono::Duration::days(7);
    }
    out
}

/// The value of one dimension for a task (week: the ISO week of its deadline).
pub fn key_of(t: &ZonedTask, by: GroupBy) -> String {
    match by {
        GroupBy::Zone => t.zone.clone(),
        GroupBy::Type => t.task.task_type.clone(),
        GroupBy::Week => iso_week_label(t.task.deadline_at.date_naive()),
        GroupBy::Crew => t
            .task
            .crew
            .clone()
            .unwrap_or_else(|| UNASSIGNED.to_string()),
    }
}

/// Counts of one group: its key (one value per dimension asked for) and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: Vec<String>,
    pub counts: Counts,
}

/// Groups tasks by the dimensions in `by` (in that order), sorted by key, with each task
/// classified at `now`.
pub fn group(tasks: &[ZonedTask], by: &[GroupBy], now: DateTime<FixedOffset>) -> Vec<Group> {
    let mut map: BTreeMap<Vec<String>, Counts> = BTreeMap::new();
    for t in tasks {
        let key: Vec<String> = by.iter().map(|&b| key_of(t, b)).collect();
        map.entry(key).or_default().add(classify(&t.task, now));
    }
    map.into_iter()
        .map(|(key, counts)| Group { key, counts })
        .collect()
}

/// Counts over every task.
pub fn total(tasks: &[ZonedTask], now: DateTime<FixedOffset>) -> Counts {
    let mut c = Counts::default();
    for t in tasks {
        c.add(classify(&t.task, now));
    }
    c
}

/// Patrol reports of one severity: how many fell due and how many were signed off in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatrolCounts {
    pub counts: Counts,
}

impl PatrolCounts {
    /// Share of due reports closed (signed off) within their deadline.
    pub fn closed_in_time_share(&self) -> Option<f64> {
        self.counts.coverage()
    }
}

/// Severities in order of urgency, as stored.
pub const SEVERITIES: [&str; 3] = ["major", "general", "minor"];

/// Patrol reports by severity (`major`, `general`, `minor`, then any other stored value).
pub fn patrol_by_severity(
    tasks: &[ZonedTask],
    now: DateTime<FixedOffset>,
) -> Vec<(String, PatrolCounts)> {
    let mut map: BTreeMap<(usize, String), PatrolCounts> = BTreeMap::new();
    for t in tasks.iter().filter(|t| t.task.task_type == PATROL_REPORT) {
        let sev = t.task.severity.clone().unwrap_or_else(|| "unknown".into());
        let rank = SEVERITIES
            .iter()
            .position(|s| *s == sev)
            .unwrap_or(SEVERITIES.len());
        map.entry((rank, sev))
            .or_default()
            .counts
            .add(classify(&t.task, now));
    }
    map.into_iter().map(|((_, s), c)| (s, c)).collect()
}

/// Water-stress days of one asset: days its depletion stayed over MAD × TAW.
#[derive(Debug, Clone, PartialEq)]
pub struct StressDays {
    pub asset_id: i64,
    /// Days with a depletion row.
    pub days: u32,
    /// Days with depletion above the threshold.
    pub stress_days: u32,
    pub max_depletion_mm: f64,
    /// MAD × TAW (readily available water), mm.
    pub threshold_mm: f64,
}

/// The bucket an asset's depletion is measured against, from its kind and zone (the DOMAIN.md
/// defaults: box 62.5 mm × 0.40, street-tree pit 72 mm × 0.5, park tree 108 mm × 0.5, lawn
/// 36 mm × 0.5). `None` for kinds without a root-zone bucket.
pub fn bucket_for(kind: &str, zone: &str) -> Option<BucketParams> {
    use crate::science::BucketKind;
    let k = match kind {
        "flower_box_group" => BucketKind::FlowerBox,
        "tree" | "tree_row" if zone.contains("park") => BucketKind::ParkTree,
        "tree" | "tree_row" => BucketKind::StreetTreePit,
        "green_area" => BucketKind::Lawn,
        _ => return None,
    };
    Some(k.default_params())
}

/// Stress days per asset from daily depletion rows `(asset_id, depletion_mm)`; `threshold`
/// gives an asset's MAD × TAW in mm (assets without one are left out). Sorted by asset id.
pub fn stress_days(
    rows: impl IntoIterator<Item = (i64, f64)>,
    threshold: impl Fn(i64) -> Option<f64>,
) -> Vec<StressDays> {
    let mut map: BTreeMap<i64, StressDays> = BTreeMap::new();
    for (asset_id, depletion) in rows {
        let Some(limit) = threshold(asset_id) else {
            continue;
        };
        let e = map.entry(asset_id).or_insert(StressDays {
            asset_id,
            days: 0,
            stress_days: 0,
            max_depletion_mm: 0.0,
            threshold_mm: limit,
        });
        e.days += 1;
        if depletion > limit {
            e.stress_days += 1;
        }
        e.max_depletion_mm = e.max_depletion_mm.max(depletion);
    }
    map.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn task(state: TaskState, done: Option<&str>, reason: Option<&str>) -> TaskRecord {
        let mut t = TaskRecord::new(
            1,
            "watering",
            at("2027-05-10T07:00:00+08:00"),
            at("2027-05-11T07:00:00+08:00"),
            2.0,
        );
        t.state = state;
        t.done_at = done.map(at);
        t.reason = reason.map(str::to_string);
        t
    }

    /// One check per rule: (task, now) → outcome.
    fn check(t: TaskRecord, now: &str, expect: Outcome) {
        assert_eq!(classify(&t, at(now)), expect, "{t:?}");
    }

    #[test]
    fn outcomes_follow_the_rules() {
        let now = "2027-05-12T00:00:00+08:00";
        let before = "2027-05-10T20:00:00+08:00";
        use TaskState::*;
        check(
            task(Done, Some("2027-05-11T07:00:00+08:00"), None),
            now,
            Outcome::OnTime,
        );
        check(
            task(Done, Some("2027-05-11T07:00:01+08:00"), None),
            now,
            Outcome::Late,
        );
        check(task(Open, None, None), now, Outcome::Missed);
        check(task(Open, None, None), before, Outcome::NotYetDue);
        check(
            task(Skipped, None, Some("covered_by_rain")),
            now,
            Outcome::Excused,
        );
        check(
            task(Skipped, None, Some("frost_guard")),
            before,
            Outcome::Excused,
        );
        check(task(Skipped, None, Some("no_time")), now, Outcome::Missed);
        check(task(Skipped, None, Some("made-up")), now, Outcome::Missed);
        check(
            task(Cancelled, None, Some("rule_changed")),
            now,
            Outcome::Cancelled,
        );
        // A report is closed by its sign-off, not by the work.
        let mut r = task(Open, Some("2027-05-10T09:00:00+08:00"), None);
        r.task_type = PATROL_REPORT.into();
        check(r.clone(), now, Outcome::Missed);
        r.state = Done;
        r.verified_at = Some(at("2027-05-11T09:00:00+08:00"));
        check(r, now, Outcome::Late);
    }

    #[test]
    fn weeks_are_iso_weeks_starting_monday() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(iso_week_label(d("2027-05-10")), "2027-W19");
        assert_eq!(iso_week_label(d("2027-05-16")), "2027-W19");
        assert_eq!(iso_week_label(d("2027-05-17")), "2027-W20");
        assert_eq!(iso_week_label(d("2027-01-01")), "2026-W53");
        let w = weeks_of(d("2027-05-12"), d("2027-05-24"));
        assert_eq!(
            w.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
            ["2027-W19", "2027-W20", "2027-W21"]
        );
        assert_eq!(w[0].1, d("2027-05-10"));
    }

    #[test]
    fn stress_days_count_days_over_the_readily_available_water() {
        let raw = bucket_for("flower_box_group", "jokhang-square")
            .unwrap()
            .raw_mm();
        assert!((raw - 25.0).abs() < 1e-9, "{raw}");
        let rows = [
            (1, 10.0),
            (1, 25.0),
            (1, 25.1),
            (1, 40.0),
            (2, 50.0),
            (3, 99.0),
        ];
        let s = stress_days(rows, |id| (id != 3).then_some(raw));
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].days, s[0].stress_days), (4, 2));
        assert_eq!(s[0].max_depletion_mm, 40.0);
        assert_eq!((s[1].asset_id, s[1].stress_days), (2, 1));
    }
}
