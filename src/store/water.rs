//! The `water_balance`, `water_checks` and `water_stress` tables.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Reader, Result, Tx};

/// Where an asset's bucket stands: depletion at the end of `as_of`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaterState {
    pub depletion_mm: f64,
    pub as_of: NaiveDate,
}

/// One water-need check of one asset.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterCheck {
    pub rule_id: String,
    pub asset_id: i64,
    pub check_date: NaiveDate,
    pub depletion_mm: f64,
    pub raw_mm: f64,
    pub litres: Option<f64>,
    pub task_created: bool,
    pub reason: String,
}

fn date(s: String) -> NaiveDate {
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").unwrap_or_default()
}

impl Reader<'_> {
    /// Every stored balance.
    pub fn water_states(&self) -> Result<HashMap<i64, WaterState>> {
        let mut st = self
            .conn
            .prepare("SELECT asset_id, depletion_mm, as_of FROM water_balance")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, d, as_of) = row?;
            out.insert(
                id,
                WaterState {
                    depletion_mm: d,
                    as_of: date(as_of),
                },
            );
        }
        Ok(out)
    }

    pub fn water_state(&self, asset_id: i64) -> Result<Option<WaterState>> {
        Ok(self
            .conn
            .query_row(
                "SELECT depletion_mm, as_of FROM water_balance WHERE asset_id = ?1",
                [asset_id],
                |r| {
                    Ok(WaterState {
                        depletion_mm: r.get(0)?,
                        as_of: date(r.get(1)?),
                    })
                },
            )
            .optional()?)
    }

    /// The checks of one rule in a date range (inclusive), for re-producing their tasks.
    pub fn water_checks(
        &self,
        rule_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<WaterCheck>> {
        let mut st = self.conn.prepare(
            "SELECT rule_id, asset_id, check_date, depletion_mm, raw_mm, litres, task_created, reason
             FROM water_checks WHERE rule_id = ?1 AND check_date >= ?2 AND check_date <= ?3",
        )?;
        let rows = st
            .query_map(
                params![rule_id, from.to_string(), to.to_string()],
                check_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The checks of one asset on one day (any rule).
    pub fn water_checks_of(&self, asset_id: i64, day: NaiveDate) -> Result<Vec<WaterCheck>> {
        let mut st = self.conn.prepare(
            "SELECT rule_id, asset_id, check_date, depletion_mm, raw_mm, litres, task_created, reason
             FROM water_checks WHERE asset_id = ?1 AND check_date = ?2 ORDER BY rule_id",
        )?;
        let rows = st
            .query_map(params![asset_id, day.to_string()], check_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Water-stress days of an asset in a range.
    pub fn water_stress_days(
        &self,
        asset_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, f64)>> {
        let mut st = self.conn.prepare(
            "SELECT date, depletion_mm FROM water_stress WHERE asset_id = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date",
        )?;
        let rows = st
            .query_map(params![asset_id, from.to_string(), to.to_string()], |r| {
                Ok((date(r.get(0)?), r.get(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

fn check_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WaterCheck> {
    Ok(WaterCheck {
        rule_id: r.get(0)?,
        asset_id: r.get(1)?,
        check_date: date(r.get(2)?),
        depletion_mm: r.get(3)?,
        raw_mm: r.get(4)?,
        litres: r.get(5)?,
        task_created: r.get::<_, i64>(6)? != 0,
        reason: r.get(7)?,
    })
}

impl Tx<'_> {
    pub fn set_water_state(&mut self, asset_id: i64, s: WaterState) -> Result<()> {
        let mut st = self.tx.prepare_cached(
            "INSERT INTO water_balance (asset_id, depletion_mm, as_of) VALUES (?1, ?2, ?3)
             ON CONFLICT(asset_id) DO UPDATE SET depletion_mm = excluded.depletion_mm, as_of = excluded.as_of",
        )?;
        st.execute(params![asset_id, s.depletion_mm, s.as_of.to_string()])?;
        Ok(())
    }

    pub fn insert_water_check(&mut self, c: &WaterCheck) -> Result<()> {
        let mut st = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO water_checks (rule_id, asset_id, check_date, depletion_mm, raw_mm, litres, task_created, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        st.execute(params![
            c.rule_id,
            c.asset_id,
            c.check_date.to_string(),
            c.depletion_mm,
            c.raw_mm,
            c.litres,
            c.task_created as i64,
            c.reason
        ])?;
        Ok(())
    }

    pub fn insert_water_stress(
        &mut self,
        asset_id: i64,
        day: NaiveDate,
        depletion_mm: f64,
    ) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached("INSERT OR REPLACE INTO water_stress (asset_id, date, depletion_mm) VALUES (?1, ?2, ?3)")?;
        st.execute(params![asset_id, day.to_string(), depletion_mm])?;
        Ok(())
    }
}
