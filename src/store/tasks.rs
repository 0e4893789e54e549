//! The `tasks` and `crews` tables.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{OptionalExtension, Row, params};

use super::{Reader, Result, Tx, now_rfc3339};
use crate::tasks::record::{Crew, TaskFilter, TaskRecord, TaskState};

pub(super) const COLUMNS: &str = "t.id, t.rule_id, t.asset_id, a.ref, t.occurrence, t.task_type, t.due_at, t.due_date,
    t.deadline_at, t.minutes, t.skill, t.priority, c.name, t.state, t.reason, t.note, t.moved_from,
    t.detail, t.done_at, t.done_by, t.water_l, t.product, t.dose, t.severity, t.verified_by, t.verified_at";

pub(super) const FROM: &str =
    "FROM tasks t JOIN assets a ON a.id = t.asset_id LEFT JOIN crews c ON c.id = t.crew_id";

fn time(r: &Row<'_>, i: usize) -> rusqlite::Result<DateTime<FixedOffset>> {
    let s: String = r.get(i)?;
    DateTime::parse_from_rfc3339(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn opt_time(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<FixedOffset>>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

fn date(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    // `str::parse` reads ISO dates without interpreting a format string.
    Ok(r.get_ref(i)?
        .as_str_or_null()?
        .and_then(|s| s.parse::<NaiveDate>().ok()))
}

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<TaskRecord> {
    let state: String = r.get(13)?;
    Ok(TaskRecord {
        id: r.get(0)?,
        rule_id: r.get(1)?,
        asset_id: r.get(2)?,
        asset_ref: r.get(3)?,
        occurrence: r.get(4)?,
        task_type: r.get(5)?,
        due_at: time(r, 6)?,
        due_date: date(r, 7)?.unwrap_or_default(),
        deadline_at: time(r, 8)?,
        minutes: r.get(9)?,
        skill: r.get(10)?,
        priority: r.get(11)?,
        crew: r.get(12)?,
        state: TaskState::parse(&state).unwrap_or(TaskState::Open),
        reason: r.get(14)?,
        note: r.get(15)?,
        moved_from: date(r, 16)?,
        detail: r.get(17)?,
        done_at: opt_time(r, 18)?,
        done_by: r.get(19)?,
        water_l: r.get(20)?,
        product: r.get(21)?,
        dose: r.get(22)?,
        severity: r.get(23)?,
        verified_by: r.get(24)?,
        verified_at: opt_time(r, 25)?,
    })
}

/// A stored generated task as `schedule run` compares it with the task the rules produce now.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredGenerated {
    pub id: i64,
    /// `open`, `done`, `skipped` or `cancelled`.
    pub state: String,
    /// RFC 3339, as stored.
    pub due_at: String,
    pub due_date: NaiveDate,
    pub deadline_at: String,
    pub minutes: f64,
    pub priority: i64,
    pub skill: Option<String>,
    pub detail: Option<String>,
    pub crew: Option<String>,
    pub moved_from: Option<NaiveDate>,
}

/// The columns `id, state, due_at, due_date, deadline_at, minutes, priority, skill, detail, crew
/// name, moved_from` of a row, from column `at` on.
fn stored_generated(r: &Row<'_>, at: usize) -> rusqlite::Result<StoredGenerated> {
    Ok(StoredGenerated {
        id: r.get(at)?,
        state: r.get(at + 1)?,
        due_at: r.get(at + 2)?,
        due_date: date(r, at + 3)?.unwrap_or_default(),
        deadline_at: r.get(at + 4)?,
        minutes: r.get(at + 5)?,
        priority: r.get(at + 6)?,
        skill: r.get(at + 7)?,
        detail: r.get(at + 8)?,
        crew: r.get(at + 9)?,
        moved_from: date(r, at + 10)?,
    })
}

/// Stored generated tasks by identity ([`Reader::generated_between`]).
#[derive(Debug, Default)]
pub struct GeneratedTasks {
    /// Per asset: (rule, occurrence, task). An asset has a few tasks a day at most.
    by_asset: rustc_hash::FxHashMap<i64, Vec<(String, String, StoredGenerated)>>,
}

impl GeneratedTasks {
    /// Takes out the stored twin of a planned task (same rule, asset and occurrence).
    pub fn take(&mut self, t: &TaskRecord) -> Option<StoredGenerated> {
        let rule = t.rule_id.as_deref()?;
        let tasks = self.by_asset.get_mut(&t.asset_id)?;
        let i = tasks
            .iter()
            .position(|(r, o, _)| r == rule && *o == t.occurrence)?;
        Some(tasks.swap_remove(i).2)
    }
}

impl StoredGenerated {
    /// Whether the task the rules produce now differs from this stored one in anything but its
    /// planned day and crew (which the assignment owns).
    pub fn differs_from(&self, t: &TaskRecord) -> bool {
        !(self.due_at == ts(&t.due_at)
            && self.deadline_at == ts(&t.deadline_at)
            && self.minutes == t.minutes
            && self.priority == i64::from(t.priority)
            && self.skill == t.skill
            && self.detail == t.detail)
    }
}

/// Where a task is planned: its crew (store id), day and the day it was moved from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub crew_id: Option<i64>,
    pub due_date: NaiveDate,
    pub moved_from: Option<NaiveDate>,
}

/// The columns a placed task is inserted with; `created_at` and `updated_at` are both the
/// run's stamp, parameter 1.
const INSERT_PLACED_COLUMNS: &str = "INTO tasks (rule_id, asset_id, occurrence, task_type,
    due_at, due_date, deadline_at, minutes, skill, priority, crew_id, state, reason, note,
    moved_from, detail, severity, created_at, updated_at) VALUES ";

/// Parameters of one row after the shared stamp.
const PARAMS_PER_TASK: usize = 17;

/// Rows per INSERT statement. One statement of many rows opens its cursors once, where one
/// statement per row opens, resets and closes them for every task: a third of the cost of
/// storing a day of a million-asset city.
const TASKS_PER_INSERT: usize = 64;

/// How a batch of placed tasks is inserted.
#[derive(Clone, Copy)]
enum Conflict {
    /// `INSERT OR IGNORE`: a row breaking a constraint is left out and the statement goes on.
    /// SQLite then keeps no statement journal: a statement of many rows that may abort half
    /// way (a plain INSERT) copies every page it is about to change first, which was a fifth
    /// of the time of storing a day of a million-asset city. A row left out shows in the
    /// statement's count of rows ([`TaskInserter::flush`]).
    Ignore,
    /// A plain INSERT, for finding which row of a batch broke which constraint.
    Abort,
}

/// The INSERT of `rows` placed tasks.
fn insert_placed_sql(rows: usize, conflict: Conflict) -> String {
    let mut sql = String::from(match conflict {
        Conflict::Ignore => "INSERT OR IGNORE ",
        Conflict::Abort => "INSERT ",
    });
    sql.push_str(INSERT_PLACED_COLUMNS);
    for r in 0..rows {
        let base = 2 + r * PARAMS_PER_TASK;
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for p in 0..PARAMS_PER_TASK {
            sql.push_str(&format!("?{}, ", base + p));
        }
        sql.push_str("?1, ?1)");
    }
    sql
}

/// Inserts tasks with their placement ([`Tx::task_inserter`]), many rows a statement. Ids are
/// given as tasks are pushed: the next after the highest stored, in push order (SQLite gives a
/// new row the highest rowid plus one; each flush checks it did). The tasks of one run share a
/// few due times and days, so their text is formatted once and reused while it repeats.
pub struct TaskInserter<'t, 'r> {
    conn: &'t rusqlite::Connection,
    /// The INSERT of a full batch, prepared at the first full batch (a single ad-hoc task
    /// never needs it).
    full: Option<rusqlite::Statement<'t>>,
    /// Pushed and not yet written.
    pending: Vec<(&'r TaskRecord, Placement)>,
    /// The id the next pushed task gets.
    next_id: i64,
    /// The run's stamp (`created_at`, `updated_at`).
    now: String,
    texts: RepeatedTexts,
}

impl<'r> TaskInserter<'_, 'r> {
    /// Queues a task on the day and with the crew its placement gives (`t`'s own crew, due
    /// date and `moved_from` are not read); returns the id it is written with.
    pub fn push(&mut self, t: &'r TaskRecord, at: Placement) -> Result<i64> {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.push((t, at));
        if self.pending.len() == TASKS_PER_INSERT {
            self.flush()?;
        }
        Ok(id)
    }

    /// Writes the queued tasks.
    pub fn finish(mut self) -> Result<()> {
        self.flush()
    }

    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        // The last, partial batch gets a statement of its own.
        let mut partial;
        let st = if self.pending.len() == TASKS_PER_INSERT {
            match &mut self.full {
                Some(st) => st,
                full => full.insert(
                    self.conn
                        .prepare(&insert_placed_sql(TASKS_PER_INSERT, Conflict::Ignore))?,
                ),
            }
        } else {
            partial = self
                .conn
                .prepare(&insert_placed_sql(self.pending.len(), Conflict::Ignore))?;
            &mut partial
        };
        st.raw_bind_parameter(1, self.now.as_str())?;
        for (r, (t, at)) in self.pending.iter().enumerate() {
            self.texts.bind(st, 2 + r * PARAMS_PER_TASK, t, at)?;
        }
        let stored = st.raw_execute()?;
        if stored != self.pending.len() {
            return Err(self.why_not_stored());
        }
        self.pending.clear();
        let last = self.conn.last_insert_rowid();
        if last != self.next_id - 1 {
            return Err(super::StoreError::Corrupt {
                what: "task ids".into(),
                detail: format!(
                    "the last inserted task got id {last}, not {} (ids not given in order)",
                    self.next_id - 1
                ),
            });
        }
        Ok(())
    }

    /// Why a batch stored fewer rows than it held (a row broke a constraint and was left out):
    /// the batch's stored rows are taken out again and its tasks inserted one at a time with a
    /// plain INSERT, whose failure is SQLite's own error for the row (a clash on the task
    /// identity, [`super::StoreError::is_task_identity_clash`], or a missing value). The
    /// caller's transaction is rolled back on any error, so nothing of this stays.
    fn why_not_stored(&mut self) -> super::StoreError {
        let first_id = self.next_id - self.pending.len() as i64;
        let found = (|| -> Result<Option<super::StoreError>> {
            self.conn
                .execute("DELETE FROM tasks WHERE id >= ?1", [first_id])?;
            let mut one = self.conn.prepare(&insert_placed_sql(1, Conflict::Abort))?;
            one.raw_bind_parameter(1, self.now.as_str())?;
            for (t, at) in &self.pending {
                self.texts.bind(&mut one, 2, t, at)?;
                if let Err(e) = one.raw_execute() {
                    return Ok(Some(e.into()));
                }
            }
            Ok(None)
        })();
        match found {
            Ok(Some(e)) | Err(e) => e,
            Ok(None) => super::StoreError::Corrupt {
                what: "tasks".into(),
                detail: format!(
                    "a batch of {} tasks stored fewer rows, but each of them stores alone",
                    self.pending.len()
                ),
            },
        }
    }
}

/// The text of the times and days of the tasks being inserted: the tasks of one run share a
/// few due times and days, so each is formatted once and reused while it repeats.
#[derive(Default)]
struct RepeatedTexts {
    /// The last due and deadline times, with their RFC 3339 text.
    times: [Option<(DateTime<FixedOffset>, String)>; 2],
    /// The last due date, with its text.
    day: Option<(NaiveDate, String)>,
}

impl RepeatedTexts {
    /// Binds the columns of one task as parameters `p`.. of `st`.
    fn bind(
        &mut self,
        st: &mut rusqlite::Statement<'_>,
        p: usize,
        t: &TaskRecord,
        at: &Placement,
    ) -> Result<()> {
        fn text(slot: &mut Option<(DateTime<FixedOffset>, String)>, t: &DateTime<FixedOffset>) {
            // Equal instants in another offset print differently: compare the offset too.
            if !slot
                .as_ref()
                .is_some_and(|(s, _)| s == t && s.offset() == t.offset())
            {
                *slot = Some((*t, ts(t)));
            }
        }
        fn text_of(slot: &Option<(DateTime<FixedOffset>, String)>) -> &str {
            slot.as_ref().map(|(_, s)| s.as_str()).unwrap_or_default()
        }
        let [due, deadline] = &mut self.times;
        text(due, &t.due_at);
        text(deadline, &t.deadline_at);
        if self.day.as_ref().is_none_or(|(d, _)| *d != at.due_date) {
            self.day = Some((at.due_date, at.due_date.to_string()));
        }
        st.raw_bind_parameter(p, &t.rule_id)?;
        st.raw_bind_parameter(p + 1, t.asset_id)?;
        st.raw_bind_parameter(p + 2, t.occurrence.as_str())?;
        st.raw_bind_parameter(p + 3, t.task_type.as_str())?;
        st.raw_bind_parameter(p + 4, text_of(due))?;
        st.raw_bind_parameter(p + 5, self.day.as_ref().map(|(_, s)| s.as_str()))?;
        st.raw_bind_parameter(p + 6, text_of(deadline))?;
        st.raw_bind_parameter(p + 7, t.minutes)?;
        st.raw_bind_parameter(p + 8, &t.skill)?;
        st.raw_bind_parameter(p + 9, t.priority)?;
        st.raw_bind_parameter(p + 10, at.crew_id)?;
        st.raw_bind_parameter(p + 11, t.state.as_str())?;
        st.raw_bind_parameter(p + 12, &t.reason)?;
        st.raw_bind_parameter(p + 13, &t.note)?;
        st.raw_bind_parameter(p + 14, at.moved_from.map(|d| d.to_string()))?;
        st.raw_bind_parameter(p + 15, &t.detail)?;
        st.raw_bind_parameter(p + 16, &t.severity)?;
        Ok(())
    }
}

fn ts(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339()
}

impl Reader<'_> {
    /// Tasks matching the filter, by due date, crew, then id.
    pub fn tasks(&self, f: &TaskFilter) -> Result<Vec<TaskRecord>> {
        let mut sql = format!("SELECT {COLUMNS} {FROM} JOIN zones z ON z.id = a.zone_id WHERE 1=1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut add = |cond: &str, v: rusqlite::types::Value, sql: &mut String| {
            args.push(v);
            sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
        };
        if let Some(d) = f.from {
            add(" AND t.due_date >= ?", d.to_string().into(), &mut sql);
        }
        if let Some(d) = f.to {
            add(" AND t.due_date <= ?", d.to_string().into(), &mut sql);
        }
        if let Some(c) = &f.crew {
            add(" AND c.name = ?", c.clone().into(), &mut sql);
        }
        if let Some(s) = f.state {
            add(" AND t.state = ?", s.as_str().to_string().into(), &mut sql);
        }
        if let Some(a) = f.asset_id {
            add(" AND t.asset_id = ?", a.into(), &mut sql);
        }
        if let Some(z) = &f.zone {
            add(" AND z.name = ?", z.clone().into(), &mut sql);
        }
        if let Some(ids) = &f.ids {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            sql.push_str(&format!(" AND t.id IN ({})", list.join(",")));
        }
        sql.push_str(" ORDER BY t.due_date, c.name, t.due_at, t.id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args.iter()), from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn task(&self, id: i64) -> Result<Option<TaskRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} {FROM} WHERE t.id = ?1"),
                [id],
                from_row,
            )
            .optional()?)
    }

    pub fn crews(&self) -> Result<Vec<Crew>> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, zones, skills, hours_per_day, start_lon, start_lat FROM crews ORDER BY name")?;
        let rows = st
            .query_map([], |r| {
                let zones: String = r.get(2)?;
                let skills: String = r.get(3)?;
                Ok(Crew {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    zones: serde_json::from_str(&zones).unwrap_or_default(),
                    skills: serde_json::from_str(&skills).unwrap_or_default(),
                    hours_per_day: r.get(4)?,
                    start_lon: r.get(5)?,
                    start_lat: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The stored generated tasks, in any state, whose occurrence falls on a local date in
    /// `[first, last]`: what `schedule run` matches the tasks it plans against, by identity
    /// (rule, asset, occurrence). One range read through `tasks_due` instead of one lookup per
    /// planned task. It rests on an invariant greenward keeps: a generated task is never
    /// planned before the date of its occurrence (blackouts and crew overflow only move work
    /// later), so each of them is due on or after `first`. A stored task moved earlier by hand
    /// is not found: the insert of its twin then fails on the identity index
    /// ([`super::StoreError::is_task_identity_clash`]) and the run matches one by one.
    pub fn generated_between(&self, first: NaiveDate, last: NaiveDate) -> Result<GeneratedTasks> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.rule_id, t.asset_id, t.occurrence, t.id, t.state, t.due_at, t.due_date,
                    t.deadline_at, t.minutes, t.priority, t.skill, t.detail,
                    (SELECT name FROM crews WHERE id = t.crew_id), t.moved_from
             FROM tasks t
             WHERE t.due_date >= ?1 AND t.rule_id IS NOT NULL
               AND substr(t.occurrence, 1, 10) BETWEEN ?1 AND ?2",
        )?;
        let mut by_asset: rustc_hash::FxHashMap<i64, Vec<(String, String, StoredGenerated)>> =
            Default::default();
        let mut rows = st.query(params![first.to_string(), last.to_string()])?;
        while let Some(r) = rows.next()? {
            let stored = stored_generated(r, 3)?;
            by_asset
                .entry(r.get(1)?)
                .or_default()
                .push((r.get(0)?, r.get(2)?, stored));
        }
        Ok(GeneratedTasks { by_asset })
    }

    /// Whether `asset` has an open task of the rule: what `single_open` needs, looked up
    /// through the identity index's (asset, rule) prefix.
    pub fn has_open_task_of_rule(&self, rule_id: &str, asset_id: i64) -> Result<bool> {
        let mut st = self.conn.prepare_cached(
            "SELECT 1 FROM tasks WHERE asset_id = ?1 AND rule_id = ?2 AND state = 'open' LIMIT 1",
        )?;
        Ok(st.exists(params![asset_id, rule_id])?)
    }

    /// The done tasks of a rule, as (task id, asset id, done at), by id, through `tasks_done`
    /// (an index of done tasks only: the open tasks a run inserts never enter it).
    pub fn done_tasks_of_rule(
        &self,
        rule_id: &str,
    ) -> Result<Vec<(i64, i64, DateTime<FixedOffset>)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, asset_id, done_at FROM tasks
             WHERE rule_id = ?1 AND state = 'done' AND done_at IS NOT NULL ORDER BY id",
        )?;
        let mut out = Vec::new();
        let mut rows = st.query([rule_id])?;
        while let Some(r) = rows.next()? {
            let at = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
            if let Ok(at) = DateTime::parse_from_rfc3339(at) {
                out.push((r.get(0)?, r.get(1)?, at));
            }
        }
        Ok(out)
    }

    /// The open tasks planned on a day in `[from, to]`, by day and id, for crew assignment:
    /// read without the join to the assets (a register page read for every task), so their
    /// `asset_ref` is left empty.
    pub fn open_tasks_planned(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<TaskRecord>> {
        let columns = COLUMNS
            .replace("a.ref", "''")
            .replace("c.name", "(SELECT name FROM crews WHERE id = t.crew_id)");
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {columns} FROM tasks t
             WHERE t.due_date BETWEEN ?1 AND ?2 AND t.state = 'open'
             ORDER BY t.due_date, t.id"
        ))?;
        let rows = st
            .query_map(params![from.to_string(), to.to_string()], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The stored twin of a generated task (same rule, asset and occurrence), in any state, by
    /// its identity: what a run falls back on when [`Reader::generated_between`] cannot be
    /// trusted (a task moved before its occurrence by hand).
    pub fn find_generated(&self, t: &TaskRecord) -> Result<Option<StoredGenerated>> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.id, t.state, t.due_at, t.due_date, t.deadline_at, t.minutes, t.priority,
                    t.skill, t.detail, (SELECT name FROM crews WHERE id = t.crew_id), t.moved_from
             FROM tasks t
             WHERE t.rule_id = ?1 AND t.asset_id = ?2 AND t.occurrence = ?3",
        )?;
        // A subquery, not a LEFT JOIN: with the join SQLite re-prepared the statement at every
        // call (when the identity index was partial, before migration 0009, the join defeated
        // reusing the plan), which made this lookup cost 10 µs instead of 0.5 µs per task.
        Ok(st
            .query_row(params![t.rule_id, t.asset_id, t.occurrence], |r| {
                stored_generated(r, 0)
            })
            .optional()?)
    }

    /// The highest task id so far (0 for none): the next inserted task gets a higher one.
    pub fn max_task_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM tasks", [], |r| r.get(0))?)
    }

    /// The open tasks a scheduling run over `[from, to]` answers for, as (id, asset id, rule id
    /// when a rule generated it for an occurrence in `[from, to]`): those planned in the range, and
    /// generated ones whose occurrence is in the range but were moved past it (by a blackout or
    /// crew overflow). A task of an earlier day moved into the range is listed with `None`:
    /// the run does not produce its occurrence, so it cannot tell that the rules dropped it.
    /// Moves only go forward, so every one of them is planned on or after `from`.
    pub fn open_task_keys(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, i64, Option<String>)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, asset_id,
                    CASE WHEN substr(occurrence, 1, 10) BETWEEN ?1 AND ?2 THEN rule_id END
             FROM tasks
             WHERE state = 'open' AND due_date >= ?1
               AND (due_date <= ?2
                    OR (rule_id IS NOT NULL AND substr(occurrence, 1, 10) <= ?2))",
        )?;
        let rows = st
            .query_map(params![from.to_string(), to.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Last completion time of each asset, by rule, of the rules `rule_ids` (interval rules),
    /// each made into `f(time)`: from `task_last_done`, which a trigger keeps as tasks are
    /// marked done (migration 0008). By rule, then asset: a city in its steady state has one
    /// for most (interval rule, asset) pairs, and the run looks one up for every asset a rule
    /// selects.
    pub fn last_completions<T>(
        &self,
        rule_ids: &[&str],
        f: impl Fn(DateTime<FixedOffset>) -> T,
    ) -> Result<std::collections::HashMap<String, rustc_hash::FxHashMap<i64, T>>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT asset_id, done_at FROM task_last_done WHERE rule_id = ?1")?;
        let mut out = std::collections::HashMap::new();
        for rule in rule_ids {
            let mut of_rule = rustc_hash::FxHashMap::default();
            let mut rows = st.query([rule])?;
            while let Some(r) = rows.next()? {
                let at = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                if let Ok(t) = DateTime::parse_from_rfc3339(at) {
                    of_rule.insert(r.get::<_, i64>(0)?, f(t));
                }
            }
            if !of_rule.is_empty() {
                out.insert(rule.to_string(), of_rule);
            }
        }
        Ok(out)
    }

    /// Number of task rows (all states).
    pub fn task_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))?)
    }
}

impl Tx<'_> {
    /// Replaces the crews (by name; crews no longer listed are kept if tasks point at them).
    pub fn upsert_crew(&mut self, c: &Crew) -> Result<i64> {
        self.exec_cached(
            "INSERT INTO crews (name, zones, skills, hours_per_day, start_lon, start_lat)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(name) DO UPDATE SET zones = excluded.zones, skills = excluded.skills,
               hours_per_day = excluded.hours_per_day, start_lon = excluded.start_lon, start_lat = excluded.start_lat",
            params![
                c.name,
                serde_json::to_string(&c.zones).unwrap_or_default(),
                serde_json::to_string(&c.skills).unwrap_or_default(),
                c.hours_per_day,
                c.start_lon,
                c.start_lat
            ],
        )?;
        Ok(self
            .tx
            .query_row("SELECT id FROM crews WHERE name = ?1", [&c.name], |r| {
                r.get(0)
            })?)
    }

    /// Executes a statement through the statement cache (these run once per task).
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, p: P) -> Result<usize> {
        Ok(self.tx.prepare_cached(sql)?.execute(p)?)
    }

    fn crew_id(&self, name: Option<&str>) -> Result<Option<i64>> {
        let Some(name) = name else { return Ok(None) };
        let mut st = self
            .tx
            .prepare_cached("SELECT id FROM crews WHERE name = ?1")?;
        Ok(st.query_row([name], |r| r.get(0)).optional()?)
    }

    /// Inserts an ad-hoc task (no rule) and returns its id.
    pub fn insert_task(&mut self, t: &TaskRecord) -> Result<i64> {
        let crew = self.crew_id(t.crew.as_deref())?;
        let mut inserter = self.task_inserter(&now_rfc3339())?;
        let id = inserter.push(
            t,
            Placement {
                crew_id: crew,
                due_date: t.due_date,
                moved_from: t.moved_from,
            },
        )?;
        inserter.finish()?;
        Ok(id)
    }

    /// A prepared insert for many placed tasks: `schedule run` writes each new task once, after
    /// the day's assignment, through one of these. Tasks get ids from the highest stored plus one, stamped `now`.
    pub fn task_inserter<'r>(&self, now: &str) -> Result<TaskInserter<'_, 'r>> {
        Ok(TaskInserter {
            conn: &self.tx,
            full: None,
            pending: Vec::with_capacity(TASKS_PER_INSERT),
            next_id: self.read().max_task_id()? + 1,
            now: now.to_string(),
            texts: RepeatedTexts::default(),
        })
    }

    /// Writes what the rules now produce into an open generated task. Its planned day (moved by
    /// crew overflow) and `moved_from` are reset only when the due time changed.
    pub fn update_generated(&self, id: i64, t: &TaskRecord) -> Result<()> {
        self.exec_cached(
            "UPDATE tasks SET task_type = ?2,
                due_date = CASE WHEN due_at = ?3 THEN due_date ELSE ?4 END,
                moved_from = CASE WHEN due_at = ?3 THEN moved_from ELSE ?9 END,
                due_at = ?3, deadline_at = ?5, minutes = ?6,
                skill = ?7, priority = ?8, detail = ?10, updated_at = ?11 WHERE id = ?1",
            params![
                id,
                t.task_type,
                ts(&t.due_at),
                t.due_date.to_string(),
                ts(&t.deadline_at),
                t.minutes,
                t.skill,
                t.priority,
                t.moved_from.map(|d| d.to_string()),
                t.detail,
                now_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// Sets the state of an open task with a reason and note (skip, cancel).
    pub fn close_task(
        &mut self,
        id: i64,
        state: TaskState,
        reason: Option<&str>,
        note: Option<&str>,
    ) -> Result<()> {
        self.exec_cached(
            "UPDATE tasks SET state = ?2, reason = ?3, note = coalesce(?4, note), updated_at = ?5 WHERE id = ?1",
            params![id, state.as_str(), reason, note, now_rfc3339()],
        )?;
        Ok(())
    }

    /// Cancels every open task of an asset (it was retired); returns how many.
    pub fn cancel_open_tasks_of_asset(&mut self, asset_id: i64, reason: &str) -> Result<usize> {
        self.exec_cached(
            "UPDATE tasks SET state = 'cancelled', reason = ?2, updated_at = ?3 WHERE asset_id = ?1 AND state = 'open'",
            params![asset_id, reason, now_rfc3339()],
        )
    }

    /// Records a completion.
    #[allow(clippy::too_many_arguments)]
    pub fn complete_task(
        &mut self,
        id: i64,
        done_at: &DateTime<FixedOffset>,
        by: Option<&str>,
        water_l: Option<f64>,
        product: Option<&str>,
        dose: Option<&str>,
        note: Option<&str>,
    ) -> Result<()> {
        self.exec_cached(
            "UPDATE tasks SET state = 'done', done_at = ?2, done_by = ?3, water_l = ?4, product = ?5, dose = ?6,
                note = coalesce(?7, note), updated_at = ?8 WHERE id = ?1",
            params![id, ts(done_at), by, water_l, product, dose, note, now_rfc3339()],
        )?;
        Ok(())
    }

    /// Signs off a closed patrol report.
    pub fn verify_task(&mut self, id: i64, by: &str, at: &DateTime<FixedOffset>) -> Result<()> {
        self.exec_cached(
            "UPDATE tasks SET verified_by = ?2, verified_at = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, by, ts(at), now_rfc3339()],
        )?;
        Ok(())
    }

    /// Assigns a task to a crew (or none) and optionally moves its planned date.
    pub fn assign_task(
        &self,
        id: i64,
        crew: Option<&str>,
        due_date: NaiveDate,
        moved_from: Option<NaiveDate>,
    ) -> Result<()> {
        let crew = self.crew_id(crew)?;
        self.exec_cached(
            "UPDATE tasks SET crew_id = ?2, due_date = ?3, moved_from = coalesce(?4, moved_from), updated_at = ?5 WHERE id = ?1",
            params![id, crew, due_date.to_string(), moved_from.map(|d| d.to_string()), now_rfc3339()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// Trees with ids 1 to `n` in one zone, for tasks to refer to.
    fn trees(s: &Store, n: i64) {
        s.conn
            .execute_batch(&format!(
                "INSERT INTO zones (id, name, created_at) VALUES (1, 'north', 'x');
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
                 INSERT INTO assets (id, ref, kind, zone_id, site_state, lon, lat, geometry,
                                     created_at, updated_at)
                 SELECT i, 'A-' || i, 'tree', 1, 'occupied', 91.0, 29.6,
                        '{{\"type\":\"Point\"}}', 'x', 'x' FROM n;"
            ))
            .unwrap();
    }

    /// A row a batch leaves out (its insert ignores rows that break a constraint) is an error
    /// with SQLite's own reason for that row: a clash with a stored task's identity in the
    /// middle of a full batch (what `schedule run` retries one task at a time), a missing
    /// value (NaN minutes bind as NULL). Nothing of the batch stays.
    #[test]
    fn a_row_left_out_of_a_batch_is_an_error_naming_the_constraint() {
        let mut s = Store::open_in_memory().unwrap();
        trees(&s, 200);
        let at = DateTime::parse_from_rfc3339("2027-05-03T07:00:00+08:00").unwrap();
        let task = |asset: i64, minutes: f64| {
            let mut t =
                TaskRecord::with_occurrence(asset, "watering", at.to_rfc3339(), at, at, minutes);
            t.rule_id = Some("water".to_string());
            t
        };
        let stored = task(30, 2.0);
        s.write(|tx| -> Result<()> { tx.insert_task(&stored).map(|_| ()) })
            .unwrap();
        let place = Placement {
            crew_id: None,
            due_date: at.date_naive(),
            moved_from: None,
        };
        let batch = |clash_or_nan: Option<i64>, nan_at: Option<i64>| -> Vec<TaskRecord> {
            (1..=TASKS_PER_INSERT as i64 + 3)
                .map(|i| {
                    // Asset 30's task is the stored one; the others are new.
                    let asset = if Some(i) == clash_or_nan { 30 } else { 100 + i };
                    task(asset, if Some(i) == nan_at { f64::NAN } else { 2.0 })
                })
                .collect()
        };
        let insert = |s: &mut Store, tasks: &[TaskRecord]| {
            s.write(|tx| -> Result<()> {
                let mut ins = tx.task_inserter("2027-05-01T00:00:00Z")?;
                for t in tasks {
                    ins.push(t, place)?;
                }
                ins.finish()
            })
        };
        let clash = insert(&mut s, &batch(Some(20), None)).unwrap_err();
        assert!(clash.is_task_identity_clash(), "{clash}");
        let missing = insert(&mut s, &batch(None, Some(5))).unwrap_err();
        assert!(!missing.is_task_identity_clash());
        assert!(missing.to_string().contains("tasks.minutes"), "{missing}");
        // The last, partial batch too.
        let tail = insert(&mut s, &batch(None, Some(TASKS_PER_INSERT as i64 + 2))).unwrap_err();
        assert!(tail.to_string().contains("tasks.minutes"), "{tail}");
        assert_eq!(s.read().task_count().unwrap(), 1);
        // A clean batch is stored whole after the failed ones, with the ids push gave.
        insert(&mut s, &batch(None, None)).unwrap();
        assert_eq!(s.read().task_count().unwrap(), TASKS_PER_INSERT as i64 + 4);
        assert_eq!(s.read().max_task_id().unwrap(), TASKS_PER_INSERT as i64 + 4);
    }

    /// 09:00 on a day of May 2027 at the site's offset.
    fn may_at(day: u32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2027-05-{day:02}T09:00:00+08:00")).unwrap()
    }

    /// A generated task of `rule` on `asset`, due at 09:00 on `day` of May 2027.
    fn rule_task(rule: &str, asset: i64, day: u32, task_type: &str) -> TaskRecord {
        let mut t = TaskRecord::with_occurrence(
            asset,
            task_type,
            may_at(day).to_rfc3339(),
            may_at(day),
            may_at(day + 1),
            5.0,
        );
        t.rule_id = Some(rule.to_string());
        t
    }

    /// The reads by rule that the identity index no longer serves (migration 0009): a rule's
    /// done tasks through `tasks_done`, an asset's open task of a rule through the identity
    /// index's (asset, rule) prefix; neither reads the whole table.
    #[test]
    fn a_rules_done_tasks_and_an_assets_open_task_are_read_through_indexes() {
        let mut s = Store::open_in_memory().unwrap();
        trees(&s, 4);
        let at = may_at;
        // (rule, asset, day, what happens to it)
        let plan = [
            ("spray", 1, 3, "done"),
            ("spray", 2, 3, "open"),
            ("spray", 3, 4, "cancelled"),
            ("spray", 1, 5, "done"),
            ("scout", 1, 6, "done"),
            ("scout", 4, 6, "open"),
        ];
        let ids = s
            .write(|tx| -> Result<Vec<i64>> {
                let mut ids = Vec::new();
                for (rule, asset, day, what) in plan {
                    let id = tx.insert_task(&rule_task(rule, asset, day, "pest_treatment"))?;
                    match what {
                        "done" => tx.complete_task(id, &at(day), None, None, None, None, None)?,
                        "cancelled" => {
                            tx.close_task(id, TaskState::Cancelled, Some("other"), None)?
                        }
                        _ => {}
                    }
                    ids.push(id);
                }
                Ok(ids)
            })
            .unwrap();
        let r = s.read();
        assert_eq!(
            r.done_tasks_of_rule("spray").unwrap(),
            vec![(ids[0], 1, at(3)), (ids[3], 1, at(5))]
        );
        assert_eq!(
            r.done_tasks_of_rule("scout").unwrap(),
            vec![(ids[4], 1, at(6))]
        );
        assert!(r.done_tasks_of_rule("none").unwrap().is_empty());
        let open = |rule: &str, asset: i64| r.has_open_task_of_rule(rule, asset).unwrap();
        assert!(open("spray", 2) && open("scout", 4));
        assert!(!open("spray", 1) && !open("spray", 3) && !open("scout", 1));
        let plan_of = |sql: &str| -> String {
            s.conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(["x"], |r| r.get::<_, String>(3))
                .unwrap()
                .map(|row| row.unwrap())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let done = plan_of(
            "SELECT id, asset_id, done_at FROM tasks
             WHERE rule_id = ?1 AND state = 'done' AND done_at IS NOT NULL ORDER BY id",
        );
        assert!(done.contains("INDEX tasks_done (rule_id=?)"), "{done}");
        let open_plan = plan_of(
            "SELECT 1 FROM tasks WHERE asset_id = 3 AND rule_id = ?1 AND state = 'open' LIMIT 1",
        );
        assert!(
            open_plan.contains("INDEX tasks_identity (asset_id=? AND rule_id=?)"),
            "{open_plan}"
        );
    }

    /// The last completion per rule and asset, kept by the trigger of migration 0008, equals
    /// the greatest `done_at` of the done tasks (and the migration fills it for tasks done
    /// before it).
    #[test]
    fn the_last_completion_follows_the_done_tasks_and_the_migration_fills_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut s = Store::open(&path).unwrap();
        trees(&s, 4);
        let at = may_at;
        // (rule, asset, occurrence day, done on day or cancelled)
        let plan: [(&str, i64, u32, Option<u32>); 7] = [
            ("water", 1, 1, Some(2)),
            ("water", 1, 8, Some(9)),
            // Done late: an earlier completion recorded after a later one.
            ("water", 1, 4, Some(5)),
            ("water", 2, 1, None),
            ("inspect", 1, 1, Some(20)),
            ("inspect", 3, 1, Some(3)),
            ("water", 3, 1, Some(4)),
        ];
        let brute = |s: &Store| -> Vec<(String, i64, String)> {
            s.conn
                .prepare(
                    "SELECT rule_id, asset_id, max(done_at) FROM tasks
                     WHERE state = 'done' AND rule_id IS NOT NULL GROUP BY rule_id, asset_id
                     ORDER BY 1, 2",
                )
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let kept = |s: &Store| -> Vec<(String, i64, String)> {
            let mut v: Vec<_> = s
                .read()
                .last_completions(&["water", "inspect", "nothing"], |t| t.to_rfc3339())
                .unwrap()
                .into_iter()
                .flat_map(|(r, of_rule)| of_rule.into_iter().map(move |(a, t)| (r.clone(), a, t)))
                .collect();
            v.sort();
            v
        };
        s.write(|tx| -> Result<()> {
            for (rule, asset, day, done) in plan {
                let id = tx.insert_task(&rule_task(rule, asset, day, "watering"))?;
                match done {
                    Some(d) => {
                        tx.complete_task(id, &at(d), Some("crew"), None, None, None, None)?
                    }
                    None => tx.close_task(id, TaskState::Cancelled, Some("other"), None)?,
                }
            }
            Ok(())
        })
        .unwrap();
        let expected = brute(&s);
        assert_eq!(expected.len(), 4, "{expected:?}");
        assert_eq!(kept(&s), expected);
        assert!(expected.contains(&("water".to_string(), 1, at(9).to_rfc3339())));
        // A register from before the migration: the table is filled from the done tasks.
        s.conn
            .execute_batch(
                "DROP TRIGGER tasks_last_done; DROP TABLE task_last_done;
                 DELETE FROM schema_migrations WHERE version = '20261128_0008_task_last_done';",
            )
            .unwrap();
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(kept(&s), expected);
    }

    /// Tasks written many rows a statement get the ids `push` gave them, across full batches
    /// and the last partial one, with every field in its column.
    #[test]
    fn batched_inserts_store_each_task_under_the_id_push_gave() {
        let mut s = Store::open_in_memory().unwrap();
        trees(&s, 200);
        let at = |h: u32| {
            DateTime::parse_from_rfc3339(&format!("2027-05-03T{h:02}:00:00+08:00")).unwrap()
        };
        let n = 2 * TASKS_PER_INSERT + 5;
        let tasks: Vec<TaskRecord> = (0..n)
            .map(|i| {
                let h = (i % 3) as u32 + 7;
                let mut t = TaskRecord::with_occurrence(
                    i as i64 + 1,
                    "watering",
                    at(h).to_rfc3339(),
                    at(h),
                    at(h + 1),
                    2.5 + i as f64,
                );
                t.rule_id = Some(format!("rule-{}", i % 2));
                t.skill = (i % 4 == 0).then(|| "watering".to_string());
                t
            })
            .collect();
        let ids = s
            .write(|tx| -> Result<Vec<i64>> {
                tx.insert_task(&tasks[0])?;
                let mut ins = tx.task_inserter("2027-05-01T00:00:00Z")?;
                let mut ids = Vec::new();
                for (i, t) in tasks.iter().enumerate().skip(1) {
                    let day = NaiveDate::from_ymd_opt(2027, 5, 3 + (i % 2) as u32).unwrap();
                    let place = Placement {
                        crew_id: None,
                        due_date: day,
                        moved_from: (i % 2 == 1).then_some(t.due_date),
                    };
                    ids.push(ins.push(t, place)?);
                }
                ins.finish()?;
                Ok(ids)
            })
            .unwrap();
        assert_eq!(ids, (2..=n as i64).collect::<Vec<_>>());
        type Row = (
            i64,
            i64,
            String,
            String,
            f64,
            Option<String>,
            String,
            Option<String>,
        );
        let stored: Vec<Row> = s
            .conn
            .prepare(
                "SELECT id, asset_id, rule_id, due_at, minutes, skill, due_date, moved_from
                 FROM tasks ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(stored.len(), n);
        for (i, row) in stored.iter().enumerate() {
            let t = &tasks[i];
            assert_eq!(row.0, i as i64 + 1);
            assert_eq!(row.1, t.asset_id, "task {i}");
            assert_eq!(Some(&row.2), t.rule_id.as_ref());
            assert_eq!(row.3, t.due_at.to_rfc3339());
            assert_eq!(row.4, t.minutes);
            assert_eq!(row.5, t.skill);
            if i > 0 {
                let day = if i % 2 == 1 {
                    "2027-05-04"
                } else {
                    "2027-05-03"
                };
                assert_eq!(row.6, day, "task {i}");
                assert_eq!(row.7.is_some(), i % 2 == 1, "task {i}");
            }
        }
    }
}
