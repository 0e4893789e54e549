//! Read-only queries for coverage metrics and charts: tasks with their zone and asset kind, and
//! the optional tables other parts add (`water_stress`, `weather`), read only when they exist.
//!
//! The optional tables are looked up in `sqlite_master` first, so these queries work on a
//! database made before those tables were added: they answer `None` and the caller says so.

use chrono::NaiveDate;
use rusqlite::params;

use super::tasks::{COLUMNS, FROM, from_row};
use super::{Reader, Result};
use crate::coverage::ZonedTask;

/// Which date of a task a period applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    /// The local date of `deadline_at` (due time plus grace): coverage's "fell due".
    Deadline,
    /// The planned local date (`due_date`): workload.
    DueDate,
    /// The local date of `done_at`: water given.
    DoneAt,
}

/// One row of the `water_stress` table: an asset's root-zone depletion at the end of a day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StressRow {
    pub asset_id: i64,
    pub date: NaiveDate,
    pub depletion_mm: f64,
}

impl Reader<'_> {
    /// Whether a table of that name exists.
    pub fn table_exists(&self, name: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?)
    }

    /// Tasks (every state) whose `field` falls on a local date in `[from, to]`, each with its
    /// asset's zone name and kind, by id.
    pub fn zoned_tasks(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        field: DateField,
    ) -> Result<Vec<ZonedTask>> {
        // Times are stored RFC 3339 with the site's offset: the first ten characters are the
        // local date.
        let cond = match field {
            DateField::Deadline => "substr(t.deadline_at, 1, 10)",
            DateField::DueDate => "t.due_date",
            DateField::DoneAt => "substr(t.done_at, 1, 10)",
        };
        let sql = format!(
            "SELECT {COLUMNS}, z.name, a.kind {FROM} JOIN zones z ON z.id = a.zone_id
             WHERE {cond} >= ?1 AND {cond} <= ?2 ORDER BY t.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(params![from.to_string(), to.to_string()], |r| {
                Ok(ZonedTask {
                    task: from_row(r)?,
                    zone: r.get(26)?,
                    asset_kind: r.get(27)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Rows of the `water_stress` table (asset_id, date, depletion_mm) in `[from, to]`, or
    /// `None` when the table does not exist (yet) in this database.
    pub fn water_stress(&self, from: NaiveDate, to: NaiveDate) -> Result<Option<Vec<StressRow>>> {
        if !self.table_exists("water_stress")? {
            return Ok(None);
        }
        let mut st = self.conn.prepare(
            "SELECT asset_id, date, depletion_mm FROM water_stress
             WHERE date >= ?1 AND date <= ?2 AND depletion_mm IS NOT NULL ORDER BY asset_id, date",
        )?;
        let rows = st
            .query_map(params![from.to_string(), to.to_string()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(
            rows.into_iter()
                .filter_map(|(asset_id, d, depletion_mm)| {
                    let date = NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok()?;
                    Some(StressRow {
                        asset_id,
                        date,
                        depletion_mm,
                    })
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn stress_days_read_back() {
        let s = Store::open_in_memory().unwrap();
        let r = s.read();
        assert!(r.table_exists("water_stress").unwrap());
        assert_eq!(
            r.water_stress(d("2027-05-01"), d("2027-05-31")).unwrap(),
            Some(vec![])
        );
        s.conn
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO water_stress VALUES (7, '2027-05-02', 30.5), (7, '2027-06-02', 1.0);
",
            )
            .unwrap();
        let r = s.read();
        let stress = r
            .water_stress(d("2027-05-01"), d("2027-05-31"))
            .unwrap()
            .unwrap();
        assert_eq!(
            stress,
            vec![StressRow {
                asset_id: 7,
                date: d("2027-05-02"),
                depletion_mm: 30.5
            }]
        );
    }
}
