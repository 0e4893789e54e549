//! The `water_balance`, `water_check_days` (and the older `water_checks`) and `water_stress`
//! tables.
//!
//! A day's checks of one rule are one row of `water_check_days` ([`encode_checks`]); balances
//! are written in one statement ([`Tx::set_water_states`]). Both are what lets a city of a
//! million buckets move forward a day in about a second instead of tens of seconds.

use std::collections::{BTreeMap, HashMap};

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
    // `str::parse` reads ISO dates without interpreting a format string.
    s.parse().unwrap_or_default()
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
        let mut out = self.legacy_checks(
            "WHERE rule_id = ?1 AND check_date >= ?2 AND check_date <= ?3",
            params![rule_id, from.to_string(), to.to_string()],
        )?;
        let mut st = self.conn.prepare(
            "SELECT check_date, data FROM water_check_days
             WHERE rule_id = ?1 AND check_date >= ?2 AND check_date <= ?3",
        )?;
        let days = st
            .query_map(params![rule_id, from.to_string(), to.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (day, data) in days {
            out.extend(decode_checks(rule_id, date(day), &data)?);
        }
        Ok(out)
    }

    /// The checks of one asset on one day (any rule), by rule.
    pub fn water_checks_of(&self, asset_id: i64, day: NaiveDate) -> Result<Vec<WaterCheck>> {
        let mut by_rule: BTreeMap<String, WaterCheck> = self
            .legacy_checks(
                "WHERE asset_id = ?1 AND check_date = ?2",
                params![asset_id, day.to_string()],
            )?
            .into_iter()
            .map(|c| (c.rule_id.clone(), c))
            .collect();
        let mut st = self
            .conn
            .prepare("SELECT rule_id, data FROM water_check_days WHERE check_date = ?1")?;
        let days = st
            .query_map(params![day.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (rule_id, data) in days {
            if let Some(c) = decode_checks(&rule_id, day, &data)?
                .into_iter()
                .find(|c| c.asset_id == asset_id)
            {
                by_rule.insert(rule_id, c);
            }
        }
        Ok(by_rule.into_values().collect())
    }

    /// Rows of the per-check table that databases from before `water_check_days` hold.
    fn legacy_checks(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<WaterCheck>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT rule_id, asset_id, check_date, depletion_mm, raw_mm, litres, task_created, reason
             FROM water_checks {filter} ORDER BY rule_id, asset_id, check_date"
        ))?;
        let rows = st
            .query_map(args, check_from_row)?
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

    /// Stores checks: each (rule, day) becomes one `water_check_days` row, merged with what
    /// that row held (a check of the same asset is replaced, as re-running a day does).
    pub fn insert_water_checks(&mut self, checks: &[WaterCheck]) -> Result<()> {
        let mut days: BTreeMap<(&str, NaiveDate), Vec<&WaterCheck>> = BTreeMap::new();
        for c in checks {
            days.entry((c.rule_id.as_str(), c.check_date))
                .or_default()
                .push(c);
        }
        for ((rule_id, day), new) in days {
            let old: Option<Vec<u8>> = self
                .tx
                .query_row(
                    "SELECT data FROM water_check_days WHERE rule_id = ?1 AND check_date = ?2",
                    params![rule_id, day.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            let mut merged: BTreeMap<i64, WaterCheck> = match old {
                Some(data) => decode_checks(rule_id, day, &data)?
                    .into_iter()
                    .map(|c| (c.asset_id, c))
                    .collect(),
                None => BTreeMap::new(),
            };
            let data = if merged.is_empty() {
                let mut sorted = new;
                sorted.sort_by_key(|c| c.asset_id);
                sorted.dedup_by_key(|c| c.asset_id);
                encode_checks(sorted.iter().copied())
            } else {
                for c in new {
                    merged.insert(c.asset_id, c.clone());
                }
                encode_checks(merged.values())
            };
            let n = data.count;
            self.tx.execute(
                "INSERT OR REPLACE INTO water_check_days (rule_id, check_date, checks, data)
                 VALUES (?1, ?2, ?3, ?4)",
                params![rule_id, day.to_string(), n as i64, data.bytes],
            )?;
            // A legacy row of the same day would shadow nothing but confuse a reader.
            self.tx.execute(
                "DELETE FROM water_checks WHERE rule_id = ?1 AND check_date = ?2",
                params![rule_id, day.to_string()],
            )?;
        }
        Ok(())
    }

    /// Sets many balances in one statement. Row by row, each upsert made SQLite copy its page
    /// into the statement journal; staged in a temporary table and written by one upsert
    /// (`INSERT … SELECT … ON CONFLICT DO UPDATE`: rows are updated in place, where `OR REPLACE`
    /// deleted and re-inserted each one, checking its foreign key again), a million balances
    /// take well under a second.
    pub fn set_water_states(&mut self, states: &[(i64, WaterState)]) -> Result<()> {
        if states.len() < 64 {
            for (a, s) in states {
                self.set_water_state(*a, *s)?;
            }
            return Ok(());
        }
        self.tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS water_balance_new (
                 asset_id INTEGER PRIMARY KEY, depletion_mm REAL NOT NULL, as_of TEXT NOT NULL);
             DELETE FROM temp.water_balance_new;",
        )?;
        // Many rows per statement: a statement's own cost (about a microsecond) is most of
        // what one small row costs.
        const ROWS: usize = 256;
        let statement = |n: usize| {
            let values = vec!["(?, ?, ?)"; n].join(", ");
            format!(
                "INSERT OR REPLACE INTO temp.water_balance_new (asset_id, depletion_mm, as_of)
                 VALUES {values}"
            )
        };
        let mut days: HashMap<NaiveDate, String> = HashMap::new();
        for (_, s) in states {
            days.entry(s.as_of).or_insert_with(|| s.as_of.to_string());
        }
        let mut full = self.tx.prepare(&statement(ROWS))?;
        for chunk in states.chunks(ROWS) {
            let mut values: Vec<rusqlite::types::ToSqlOutput<'_>> = Vec::with_capacity(3 * ROWS);
            for (a, s) in chunk {
                values.push((*a).into());
                values.push(s.depletion_mm.into());
                values.push(days[&s.as_of].as_str().into());
            }
            if chunk.len() == ROWS {
                full.execute(rusqlite::params_from_iter(values))?;
            } else {
                self.tx
                    .execute(&statement(chunk.len()), rusqlite::params_from_iter(values))?;
            }
        }
        drop(full);
        self.tx.execute_batch(
            "INSERT INTO water_balance (asset_id, depletion_mm, as_of)
                 SELECT asset_id, depletion_mm, as_of FROM temp.water_balance_new WHERE true
                 ON CONFLICT(asset_id) DO UPDATE
                     SET depletion_mm = excluded.depletion_mm, as_of = excluded.as_of;
             DELETE FROM temp.water_balance_new;",
        )?;
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

/// Encoded checks of one rule and day: `count` entries, sorted by asset id, each
/// little-endian: asset id (i64), depletion mm (f64), readily available water mm (f64), litres
/// (f64, NaN when no task was created), task created (u8, 0 or 1), reason length in bytes
/// (u32) and the reason (UTF-8).
pub struct EncodedChecks {
    pub count: usize,
    pub bytes: Vec<u8>,
}

/// See [`EncodedChecks`] for the layout.
pub fn encode_checks<'a>(checks: impl IntoIterator<Item = &'a WaterCheck>) -> EncodedChecks {
    let mut bytes = Vec::new();
    let mut count = 0;
    for c in checks {
        count += 1;
        bytes.extend_from_slice(&c.asset_id.to_le_bytes());
        bytes.extend_from_slice(&c.depletion_mm.to_le_bytes());
        bytes.extend_from_slice(&c.raw_mm.to_le_bytes());
        bytes.extend_from_slice(&c.litres.unwrap_or(f64::NAN).to_le_bytes());
        bytes.push(u8::from(c.task_created));
        bytes.extend_from_slice(&(c.reason.len() as u32).to_le_bytes());
        bytes.extend_from_slice(c.reason.as_bytes());
    }
    EncodedChecks { count, bytes }
}

/// Reads what [`encode_checks`] wrote; a truncated or garbled row is reported as corrupt.
pub fn decode_checks(rule_id: &str, day: NaiveDate, data: &[u8]) -> Result<Vec<WaterCheck>> {
    let corrupt = || super::StoreError::Corrupt {
        what: format!("water checks of rule {rule_id} on {day}"),
        detail: "the encoded checks end early or hold a reason that is not UTF-8".into(),
    };
    fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
        *rest = tail;
        Some(head)
    }
    let f64_of = |b: &[u8]| f64::from_le_bytes(b.try_into().expect("8 bytes"));
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let id = take(&mut rest, 8).ok_or_else(corrupt)?;
        let asset_id = i64::from_le_bytes(id.try_into().expect("8 bytes"));
        let depletion_mm = f64_of(take(&mut rest, 8).ok_or_else(corrupt)?);
        let raw_mm = f64_of(take(&mut rest, 8).ok_or_else(corrupt)?);
        let litres = f64_of(take(&mut rest, 8).ok_or_else(corrupt)?);
        let created = take(&mut rest, 1).ok_or_else(corrupt)?[0] != 0;
        let len = take(&mut rest, 4).ok_or_else(corrupt)?;
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        let reason = std::str::from_utf8(take(&mut rest, len).ok_or_else(corrupt)?)
            .map_err(|_| corrupt())?
            .to_string();
        out.push(WaterCheck {
            rule_id: rule_id.to_string(),
            asset_id,
            check_date: day,
            depletion_mm,
            raw_mm,
            litres: (!litres.is_nan()).then_some(litres),
            task_created: created,
            reason,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(asset_id: i64, litres: Option<f64>, reason: &str) -> WaterCheck {
        WaterCheck {
            rule_id: "box-water".into(),
            asset_id,
            check_date: NaiveDate::from_ymd_opt(2027, 5, 3).unwrap(),
            depletion_mm: 12.5 + asset_id as f64,
            raw_mm: 25.0,
            litres,
            task_created: litres.is_some(),
            reason: reason.into(),
        }
    }

    #[test]
    fn checks_round_trip_through_their_encoding() {
        let checks = vec![
            check(3, None, "rain 8.0 mm on 2027-05-02 covered the need"),
            check(7, Some(10.4), "depletion 27.8 of 25.0 mm"),
            check(9, None, ""),
            check(11, None, "frost guard: forecast minimum −2.0 °C"),
        ];
        let enc = encode_checks(&checks);
        assert_eq!(enc.count, 4);
        let day = checks[0].check_date;
        assert_eq!(decode_checks("box-water", day, &enc.bytes).unwrap(), checks);
    }

    #[test]
    fn many_balances_and_a_rerun_day_are_stored_whole() {
        let mut s = crate::store::Store::open_in_memory().unwrap();
        s.conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let d1 = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let d2 = NaiveDate::from_ymd_opt(2027, 5, 4).unwrap();
        // 1 is stored before; 1..=200 go through the staged statement.
        let states: Vec<(i64, WaterState)> = (1..=200)
            .map(|a| {
                let day = if a % 2 == 0 { d1 } else { d2 };
                (
                    a,
                    WaterState {
                        depletion_mm: a as f64 / 4.0,
                        as_of: day,
                    },
                )
            })
            .collect();
        s.write(|tx| -> Result<()> {
            tx.set_water_state(
                1,
                WaterState {
                    depletion_mm: 99.0,
                    as_of: d1,
                },
            )?;
            tx.set_water_states(&states)?;
            // Day 1 checked twice: asset 3 re-checked, asset 5 added; asset 7 kept.
            tx.insert_water_checks(&[check(3, None, "first"), check(7, None, "kept")])?;
            tx.insert_water_checks(&[check(5, Some(2.0), "added"), check(3, None, "again")])
        })
        .unwrap();
        let stored = s.read().water_states().unwrap();
        assert_eq!(stored.len(), 200);
        assert_eq!(
            stored[&1],
            WaterState {
                depletion_mm: 0.25,
                as_of: d2
            }
        );
        assert_eq!(
            stored[&200],
            WaterState {
                depletion_mm: 50.0,
                as_of: d1
            }
        );
        let day = s.read().water_checks("box-water", d1, d1).unwrap();
        let got: Vec<(i64, &str)> = day
            .iter()
            .map(|c| (c.asset_id, c.reason.as_str()))
            .collect();
        assert_eq!(got, vec![(3, "again"), (5, "added"), (7, "kept")]);
        assert_eq!(
            s.read().water_checks_of(5, d1).unwrap()[0].litres,
            Some(2.0)
        );
        assert!(s.read().water_checks_of(5, d2).unwrap().is_empty());
    }

    #[test]
    fn checks_of_older_databases_are_read_and_replaced_by_a_rerun_day() {
        let mut s = crate::store::Store::open_in_memory().unwrap();
        s.conn
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO water_checks VALUES
                    ('box-water', 3, '2027-05-03', 20.0, 25.0, NULL, 0, 'depletion 20.0 of 25.0 mm'),
                    ('box-water', 3, '2027-05-04', 26.0, 25.0, 10.4, 1, 'depletion 26.0 of 25.0 mm');",
            )
            .unwrap();
        let d1 = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let d2 = NaiveDate::from_ymd_opt(2027, 5, 4).unwrap();
        let old = s.read().water_checks_of(3, d2).unwrap();
        assert_eq!((old.len(), old[0].litres), (1, Some(10.4)));
        assert_eq!(s.read().water_checks("box-water", d1, d2).unwrap().len(), 2);
        // Day 1 checked again: its new row replaces the old one; day 2 stays as it was.
        s.write(|tx| tx.insert_water_checks(&[check(3, None, "again")]))
            .unwrap();
        let all = s.read().water_checks("box-water", d1, d2).unwrap();
        let got: Vec<(NaiveDate, &str)> = all
            .iter()
            .map(|c| (c.check_date, c.reason.as_str()))
            .collect();
        assert_eq!(got, vec![(d2, "depletion 26.0 of 25.0 mm"), (d1, "again")]);
        assert_eq!(s.read().water_checks_of(3, d1).unwrap()[0].reason, "again");
    }

    #[test]
    fn truncated_checks_are_reported_not_misread() {
        let enc = encode_checks(&[check(3, Some(1.0), "depletion 30.0 of 25.0 mm")]);
        let day = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        for cut in [1, 9, 20, 33, 35, enc.bytes.len() - 1] {
            let err = decode_checks("box-water", day, &enc.bytes[..cut]).unwrap_err();
            assert!(err.to_string().contains("box-water"), "{err}");
        }
    }
}
