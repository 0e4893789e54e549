//! The `water_balance`, `water_check_days` (and the older `water_checks`) and `water_stress`
//! tables.
//!
//! A day's checks of one rule are one row of `water_check_days`: since migration 0006 in the
//! compact layout of [`encode_records`] (a check is about ten bytes; its reason is a code and the
//! numbers its text is made from, formatted when read), in older rows the layout of
//! [`encode_checks`] (each reason written out); both are read. Since 0006 the table has rowids,
//! so finding a row no longer reads its neighbours' blobs. Balances are written 256 rows to an
//! upsert statement ([`Tx::set_water_states`]). That is what lets a city of a million buckets move
//! forward a day in well under a second of storing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, params};
use rustc_hash::FxHashMap;

use super::{Reader, Result, Tx};

/// Where an asset's bucket stands: depletion at the end of `as_of`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaterState {
    pub depletion_mm: f64,
    pub as_of: NaiveDate,
}

/// Balances by asset id, sorted: read in the table's order without hashing, and looked up in
/// asset order ([`WaterStates::cursor`]) a step each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaterStates {
    ids: Vec<i64>,
    states: Vec<WaterState>,
}

impl WaterStates {
    pub fn get(&self, asset_id: i64) -> Option<&WaterState> {
        let i = self.ids.binary_search(&asset_id).ok()?;
        self.states.get(i)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &WaterState> {
        self.states.iter()
    }

    /// (asset id, balance) in asset order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &WaterState)> {
        self.ids.iter().copied().zip(&self.states)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(i64, &WaterState) -> bool) {
        let mut n = 0;
        for i in 0..self.ids.len() {
            if keep(self.ids[i], &self.states[i]) {
                self.ids[n] = self.ids[i];
                self.states[n] = self.states[i];
                n += 1;
            }
        }
        self.ids.truncate(n);
        self.states.truncate(n);
    }

    /// Lookups of ascending asset ids: each the next entry, or a binary search.
    pub fn cursor(&self) -> StatesCursor<'_> {
        StatesCursor { of: self, next: 0 }
    }

    /// Sorts by asset id; of the same id, the later entry stays (as a map's insert).
    fn from_unsorted(mut all: Vec<(i64, WaterState)>) -> WaterStates {
        all.reverse();
        all.sort_by_key(|(id, _)| *id);
        all.dedup_by_key(|(id, _)| *id);
        WaterStates {
            ids: all.iter().map(|(id, _)| *id).collect(),
            states: all.iter().map(|(_, s)| *s).collect(),
        }
    }
}

impl FromIterator<(i64, WaterState)> for WaterStates {
    fn from_iter<I: IntoIterator<Item = (i64, WaterState)>>(iter: I) -> Self {
        WaterStates::from_unsorted(iter.into_iter().collect())
    }
}

impl std::ops::Index<&i64> for WaterStates {
    type Output = WaterState;

    /// Panics when the asset has no balance, as a map's index does.
    fn index(&self, asset_id: &i64) -> &WaterState {
        self.get(*asset_id).expect("no water balance of that asset")
    }
}

/// See [`WaterStates::cursor`].
pub struct StatesCursor<'a> {
    of: &'a WaterStates,
    next: usize,
}

impl StatesCursor<'_> {
    pub fn get(&mut self, asset_id: i64) -> Option<WaterState> {
        let ids = &self.of.ids;
        let i = if ids.get(self.next) == Some(&asset_id) {
            self.next
        } else {
            ids.partition_point(|&x| x < asset_id)
        };
        if ids.get(i) == Some(&asset_id) {
            self.next = i + 1;
            self.of.states.get(i).copied()
        } else {
            self.next = i;
            None
        }
    }
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

/// Why a check did or did not create a task. Its text ([`CheckRecord::reason_text`]) is made
/// from the check's own numbers and these.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckReason {
    /// "depletion {depletion:.1} of {raw:.1} mm": no need yet.
    Depletion,
    /// "depletion … of … mm: watering {litres:.1} L": a task was created.
    Watering,
    /// "rain {rain_mm:.1} mm on {day} covered the need (depletion … of … mm)".
    Rain { rain_mm: f64, day: NaiveDate },
    /// "frost guard: minimum {tmin_c:.1} °C on {check day}; tender plants are not watered
    /// (depletion … of … mm)".
    Frost { tmin_c: f64 },
    /// Any other text, as written (rows of the older layouts).
    Text(Box<str>),
}

/// One check of one asset, of a rule and day known from where it is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRecord {
    pub asset_id: i64,
    pub depletion_mm: f64,
    pub raw_mm: f64,
    pub litres: Option<f64>,
    pub task_created: bool,
    pub reason: CheckReason,
}

impl CheckRecord {
    /// The reason as a sentence; `day` is the check's day.
    pub fn reason_text(&self, day: NaiveDate) -> String {
        let (dr, raw) = (self.depletion_mm, self.raw_mm);
        let mut s = String::with_capacity(40);
        // Writing to a String cannot fail.
        let _ = match &self.reason {
            CheckReason::Depletion => write!(s, "depletion {dr:.1} of {raw:.1} mm"),
            CheckReason::Watering => {
                let l = self.litres.unwrap_or(f64::NAN);
                write!(s, "depletion {dr:.1} of {raw:.1} mm: watering {l:.1} L")
            }
            CheckReason::Rain { rain_mm, day: wet } => write!(
                s,
                "rain {rain_mm:.1} mm on {wet} covered the need (depletion {dr:.1} of {raw:.1} mm)"
            ),
            CheckReason::Frost { tmin_c } => write!(
                s,
                "frost guard: minimum {tmin_c:.1} °C on {day}; tender plants are not watered (depletion {dr:.1} of {raw:.1} mm)"
            ),
            CheckReason::Text(t) => s.write_str(t),
        };
        s
    }

    /// The check as read back: its reason formatted.
    pub fn to_check(&self, rule_id: &str, day: NaiveDate) -> WaterCheck {
        WaterCheck {
            rule_id: rule_id.to_string(),
            asset_id: self.asset_id,
            check_date: day,
            depletion_mm: self.depletion_mm,
            raw_mm: self.raw_mm,
            litres: self.litres,
            task_created: self.task_created,
            reason: self.reason_text(day),
        }
    }

    fn of_check(c: &WaterCheck) -> CheckRecord {
        CheckRecord {
            asset_id: c.asset_id,
            depletion_mm: c.depletion_mm,
            raw_mm: c.raw_mm,
            litres: c.litres,
            task_created: c.task_created,
            reason: CheckReason::Text(c.reason.as_str().into()),
        }
    }
}

/// New checks of one rule, encoded (`store::water::encode_records`) as they are made, by day: a
/// million of them take about ten megabytes instead of a hundred and two million small strings.
#[derive(Debug, Default)]
pub struct CheckDays {
    days: BTreeMap<NaiveDate, EncodedChecks>,
}

impl CheckDays {
    pub fn push(&mut self, day: NaiveDate, c: &CheckRecord) {
        self.days.entry(day).or_default().push(c);
    }

    /// Number of checks held.
    pub fn len(&self) -> usize {
        self.days.values().map(|e| e.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn date(s: String) -> NaiveDate {
    // `str::parse` reads ISO dates without interpreting a format string.
    s.parse().unwrap_or_default()
}

/// The ISO text of each distinct date: a million rows share a few days.
fn date_texts(dates: impl Iterator<Item = NaiveDate>) -> FxHashMap<NaiveDate, String> {
    let mut texts = FxHashMap::default();
    for d in dates {
        texts.entry(d).or_insert_with(|| d.to_string());
    }
    texts
}

/// Rows per statement of [`Tx::insert_in_chunks`].
const CHUNK_ROWS: usize = 256;

/// Layouts of `water_check_days.data` (migration 0006).
const LAYOUT_TEXT: i64 = 1;
const LAYOUT_COMPACT: i64 = 2;

impl Reader<'_> {
    /// Every stored balance.
    pub fn water_states(&self) -> Result<WaterStates> {
        let mut out = WaterStates::default();
        let mut st = self
            .conn
            .prepare("SELECT asset_id, depletion_mm, as_of FROM water_balance")?;
        let mut rows = st.query([])?;
        // Nearly every balance is as of the same day: its text is parsed once.
        let mut last: (Vec<u8>, NaiveDate) = (Vec::new(), NaiveDate::default());
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let depletion_mm: f64 = r.get(1)?;
            let as_of = match r.get_ref(2)? {
                ValueRef::Text(t) if t == last.0.as_slice() => last.1,
                ValueRef::Text(t) => match std::str::from_utf8(t) {
                    Ok(text) => {
                        let d = text.parse().unwrap_or_default();
                        last = (t.to_vec(), d);
                        d
                    }
                    // Not UTF-8: reported as reading it as a string would.
                    Err(_) => date(r.get(2)?),
                },
                // Not text: reported as reading it as a string would.
                _ => date(r.get(2)?),
            };
            out.ids.push(id);
            out.states.push(WaterState {
                depletion_mm,
                as_of,
            });
        }
        // Rows come in asset order (the table's key); anything else is sorted.
        if !out.ids.is_sorted_by(|a, b| a < b) {
            out = WaterStates::from_unsorted(out.ids.into_iter().zip(out.states).collect());
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
        Ok(self
            .water_check_records(rule_id, from, to)?
            .iter()
            .map(|(day, c)| c.to_check(rule_id, *day))
            .collect())
    }

    /// [`Reader::water_checks`] with the reasons left unformatted, in the same order.
    pub fn water_check_records(
        &self,
        rule_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, CheckRecord)>> {
        let mut out: Vec<(NaiveDate, CheckRecord)> = self
            .legacy_checks(
                "WHERE rule_id = ?1 AND check_date >= ?2 AND check_date <= ?3",
                params![rule_id, from.to_string(), to.to_string()],
            )?
            .iter()
            .map(|c| (c.check_date, CheckRecord::of_check(c)))
            .collect();
        let days = self.check_day_rows(
            "SELECT check_date, layout, data FROM water_check_days
             WHERE rule_id = ?1 AND check_date >= ?2 AND check_date <= ?3 ORDER BY check_date",
            params![rule_id, from.to_string(), to.to_string()],
        )?;
        for (day, layout, data) in days {
            let day = date(day);
            out.extend(
                decode_row(rule_id, day, layout, &data)?
                    .into_iter()
                    .map(|c| (day, c)),
            );
        }
        Ok(out)
    }

    /// `water_check_days` rows as (rule id or day text, layout, data), by a query selecting
    /// those three columns.
    fn check_day_rows(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(String, i64, Vec<u8>)>> {
        let mut st = self.conn.prepare(sql)?;
        let rows = st
            .query_map(args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
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
        let days = self.check_day_rows(
            "SELECT rule_id, layout, data FROM water_check_days WHERE check_date = ?1
                 ORDER BY rule_id",
            params![day.to_string()],
        )?;
        for (rule_id, layout, data) in days {
            if let Some(c) = decode_row(&rule_id, day, layout, &data)?
                .into_iter()
                .find(|c| c.asset_id == asset_id)
            {
                let c = c.to_check(&rule_id, day);
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

/// The checks of one `water_check_days` row, in whichever layout it was written.
fn decode_row(rule_id: &str, day: NaiveDate, layout: i64, data: &[u8]) -> Result<Vec<CheckRecord>> {
    let corrupt = |detail: String| super::StoreError::Corrupt {
        what: format!("water checks of rule {rule_id} on {day}"),
        detail,
    };
    match layout {
        LAYOUT_TEXT => decode_text_layout(data).ok_or_else(|| {
            corrupt("the encoded checks end early or hold a reason that is not UTF-8".into())
        }),
        LAYOUT_COMPACT => decode_records(data).ok_or_else(|| {
            corrupt("the encoded checks end early or hold an unknown reason code".into())
        }),
        other => Err(corrupt(format!(
            "layout {other} is unknown (a newer greenward wrote it?)"
        ))),
    }
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
        let mut rules: BTreeMap<&str, CheckDays> = BTreeMap::new();
        for c in checks {
            rules
                .entry(c.rule_id.as_str())
                .or_default()
                .push(c.check_date, &CheckRecord::of_check(c));
        }
        for (rule_id, days) in rules {
            self.insert_check_days(rule_id, days)?;
        }
        Ok(())
    }

    /// Stores the checks of one rule (see [`Tx::insert_water_checks`]).
    pub fn insert_check_days(&mut self, rule_id: &str, days: CheckDays) -> Result<()> {
        for (day, new) in days.days {
            let day_text = day.to_string();
            let old: Option<(i64, Vec<u8>)> = self
                .tx
                .query_row(
                    "SELECT layout, data FROM water_check_days WHERE rule_id = ?1 AND check_date = ?2",
                    params![rule_id, day_text],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let data = match old {
                // The common case: a new day, its checks made in asset order.
                None if new.sorted => new,
                None => {
                    let mut sorted = decode_records(&new.bytes).unwrap_or_default();
                    sorted.sort_by_key(|c| c.asset_id);
                    sorted.dedup_by_key(|c| c.asset_id);
                    encode_records(&sorted)
                }
                Some((layout, data)) => {
                    let mut merged: BTreeMap<i64, CheckRecord> =
                        decode_row(rule_id, day, layout, &data)?
                            .into_iter()
                            .map(|c| (c.asset_id, c))
                            .collect();
                    for c in decode_records(&new.bytes).unwrap_or_default() {
                        merged.insert(c.asset_id, c);
                    }
                    encode_records(merged.values())
                }
            };
            self.tx.execute(
                "INSERT OR REPLACE INTO water_check_days (rule_id, check_date, checks, data, layout)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    rule_id,
                    day_text,
                    data.count as i64,
                    data.bytes,
                    LAYOUT_COMPACT
                ],
            )?;
            // A legacy row of the same day would shadow nothing but confuse a reader.
            self.tx.execute(
                "DELETE FROM water_checks WHERE rule_id = ?1 AND check_date = ?2",
                params![rule_id, day_text],
            )?;
        }
        Ok(())
    }

    /// Sets many balances, 256 to a statement: a statement's own cost (about a microsecond) is
    /// most of what one small row costs. Each statement is an upsert (`INSERT … ON CONFLICT DO
    /// UPDATE`: rows are updated in place, where `OR REPLACE` deleted and re-inserted each one,
    /// checking its foreign key again); row by row, each made SQLite copy its page into the
    /// statement journal, 256 rows share one or two pages.
    pub fn set_water_states(&mut self, states: &[(i64, WaterState)]) -> Result<()> {
        if states.len() < 64 {
            for (a, s) in states {
                self.set_water_state(*a, *s)?;
            }
            return Ok(());
        }
        let days = date_texts(states.iter().map(|(_, s)| s.as_of));
        self.insert_in_chunks(
            "INSERT INTO water_balance (asset_id, depletion_mm, as_of) VALUES {values}
             ON CONFLICT(asset_id) DO UPDATE
                 SET depletion_mm = excluded.depletion_mm, as_of = excluded.as_of",
            states,
            |st, at, (a, s)| {
                st.raw_bind_parameter(at, *a)?;
                st.raw_bind_parameter(at + 1, s.depletion_mm)?;
                st.raw_bind_parameter(at + 2, days[&s.as_of].as_str())
            },
        )
    }

    /// Writes `rows` with the three-value statement `sql` (its `{values}` replaced by up to
    /// [`CHUNK_ROWS`] `(?, ?, ?)` groups), `bind` setting a row's three parameters from `at`:
    /// a statement's own cost (about a microsecond) is most of what one small row costs.
    fn insert_in_chunks<T>(
        &self,
        sql: &str,
        rows: &[T],
        bind: impl Fn(&mut rusqlite::Statement<'_>, usize, &T) -> rusqlite::Result<()>,
    ) -> Result<()> {
        let statement = |n: usize| sql.replace("{values}", &vec!["(?, ?, ?)"; n].join(", "));
        let mut full: Option<rusqlite::Statement<'_>> = None;
        for chunk in rows.chunks(CHUNK_ROWS) {
            let mut part = None;
            let st = if chunk.len() == CHUNK_ROWS {
                match &mut full {
                    Some(st) => st,
                    None => full.insert(self.tx.prepare(&statement(CHUNK_ROWS))?),
                }
            } else {
                part.insert(self.tx.prepare(&statement(chunk.len()))?)
            };
            for (i, row) in chunk.iter().enumerate() {
                bind(st, 3 * i + 1, row)?;
            }
            st.raw_execute()?;
        }
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

    /// [`Tx::insert_water_stress`] for many days, in order (a later one of the same asset and
    /// day wins), 256 to a statement as [`Tx::set_water_states`] does.
    pub fn insert_water_stress_days(&mut self, days: &[(i64, NaiveDate, f64)]) -> Result<()> {
        let texts = date_texts(days.iter().map(|(_, d, _)| *d));
        self.insert_in_chunks(
            "INSERT OR REPLACE INTO water_stress (asset_id, date, depletion_mm) VALUES {values}",
            days,
            |st, at, (a, d, dr)| {
                st.raw_bind_parameter(at, *a)?;
                st.raw_bind_parameter(at + 1, texts[d].as_str())?;
                st.raw_bind_parameter(at + 2, *dr)
            },
        )
    }
}

/// Encoded checks of one rule and day, in the layout of [`encode_records`] (or, from
/// [`encode_checks`], the older one).
#[derive(Debug)]
pub struct EncodedChecks {
    pub count: usize,
    pub bytes: Vec<u8>,
    /// Asset ids strictly increasing.
    sorted: bool,
    last_id: i64,
    last_raw: Option<u64>,
}

impl Default for EncodedChecks {
    fn default() -> Self {
        EncodedChecks {
            count: 0,
            bytes: Vec::new(),
            sorted: true,
            last_id: 0,
            last_raw: None,
        }
    }
}

// Tag byte of a check in the compact layout.
const CODE_MASK: u8 = 0x07;
const CODE_DEPLETION: u8 = 0;
const CODE_WATERING: u8 = 1;
const CODE_RAIN: u8 = 2;
const CODE_FROST: u8 = 3;
const CODE_TEXT: u8 = 4;
const TAG_CREATED: u8 = 0x08;
const TAG_LITRES: u8 = 0x10;
const TAG_SAME_RAW: u8 = 0x20;

fn put_varint(bytes: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        bytes.push((v as u8) | 0x80);
        v >>= 7;
    }
    bytes.push(v as u8);
}

impl EncodedChecks {
    fn push(&mut self, c: &CheckRecord) {
        if self.count > 0 && c.asset_id <= self.last_id {
            self.sorted = false;
        }
        let b = &mut self.bytes;
        put_varint(b, c.asset_id.wrapping_sub(self.last_id) as u64);
        self.last_id = c.asset_id;
        let raw = c.raw_mm.to_bits();
        let same_raw = self.last_raw == Some(raw);
        self.last_raw = Some(raw);
        let code = match c.reason {
            CheckReason::Depletion => CODE_DEPLETION,
            CheckReason::Watering => CODE_WATERING,
            CheckReason::Rain { .. } => CODE_RAIN,
            CheckReason::Frost { .. } => CODE_FROST,
            CheckReason::Text(_) => CODE_TEXT,
        };
        // A watering reason without litres is written as its text: decoding stays strict.
        let code = if code == CODE_WATERING && c.litres.is_none() {
            CODE_TEXT
        } else {
            code
        };
        let tag = code
            | if c.task_created { TAG_CREATED } else { 0 }
            | if c.litres.is_some() { TAG_LITRES } else { 0 }
            | if same_raw { TAG_SAME_RAW } else { 0 };
        b.push(tag);
        b.extend_from_slice(&c.depletion_mm.to_le_bytes());
        if !same_raw {
            b.extend_from_slice(&c.raw_mm.to_le_bytes());
        }
        if let Some(l) = c.litres {
            b.extend_from_slice(&l.to_le_bytes());
        }
        match (&c.reason, code) {
            (CheckReason::Rain { rain_mm, day }, CODE_RAIN) => {
                b.extend_from_slice(&rain_mm.to_le_bytes());
                b.extend_from_slice(&day.num_days_from_ce().to_le_bytes());
            }
            (CheckReason::Frost { tmin_c }, CODE_FROST) => {
                b.extend_from_slice(&tmin_c.to_le_bytes());
            }
            (_, CODE_TEXT) => {
                let text = match &c.reason {
                    CheckReason::Text(t) => std::borrow::Cow::Borrowed(&**t),
                    _ => std::borrow::Cow::Owned(c.reason_text(NaiveDate::default())),
                };
                put_varint(b, text.len() as u64);
                b.extend_from_slice(text.as_bytes());
            }
            _ => {}
        }
        self.count += 1;
    }
}

/// The first `n` bytes of `rest`, which moves past them; `None` when fewer are left.
fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
    *rest = tail;
    Some(head)
}

/// A little-endian f64 taken from `rest`.
fn f64_of(rest: &mut &[u8]) -> Option<f64> {
    Some(f64::from_le_bytes(take(rest, 8)?.try_into().ok()?))
}

/// The compact layout (2): per check, in order,
/// - the asset id minus the previous check's (the first: minus 0), wrapping, as an unsigned
///   LEB128 varint;
/// - a tag byte: bits 0–2 the reason (0 depletion, 1 watering, 2 rain covered the need,
///   3 frost guard, 4 text), bit 3 task created, bit 4 litres follow, bit 5 readily available
///   water as the previous check's (not repeated); bits 6–7 zero;
/// - depletion mm (f64), readily available water mm (f64, unless bit 5), litres (f64, if
///   bit 4), all little-endian;
/// - for rain: its mm (f64) and day (i32, days from the Common Era); for frost: the minimum
///   °C (f64); for text: its length in bytes (varint) and the text (UTF-8).
///
/// A watering reason needs litres. The text of a reason is [`CheckRecord::reason_text`].
pub fn encode_records<'a>(checks: impl IntoIterator<Item = &'a CheckRecord>) -> EncodedChecks {
    let mut e = EncodedChecks::default();
    for c in checks {
        e.push(c);
    }
    e
}

/// Reads what [`encode_records`] wrote; `None` when the bytes end early or hold what it does not
/// write.
pub fn decode_records(data: &[u8]) -> Option<Vec<CheckRecord>> {
    fn varint(rest: &mut &[u8]) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *take(rest, 1)?.first()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    // The smallest check is ten bytes.
    let mut out = Vec::with_capacity(data.len() / 10);
    let mut rest = data;
    let mut last_id = 0i64;
    let mut last_raw: Option<f64> = None;
    while !rest.is_empty() {
        let asset_id = last_id.wrapping_add(varint(&mut rest)? as i64);
        last_id = asset_id;
        let tag = *take(&mut rest, 1)?.first()?;
        if tag & 0xc0 != 0 {
            return None;
        }
        let depletion_mm = f64_of(&mut rest)?;
        let raw_mm = if tag & TAG_SAME_RAW != 0 {
            last_raw?
        } else {
            f64_of(&mut rest)?
        };
        last_raw = Some(raw_mm);
        let litres = if tag & TAG_LITRES != 0 {
            Some(f64_of(&mut rest)?)
        } else {
            None
        };
        let reason = match tag & CODE_MASK {
            CODE_DEPLETION => CheckReason::Depletion,
            CODE_WATERING if litres.is_some() => CheckReason::Watering,
            CODE_RAIN => {
                let rain_mm = f64_of(&mut rest)?;
                let day = i32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?);
                CheckReason::Rain {
                    rain_mm,
                    day: NaiveDate::from_num_days_from_ce_opt(day)?,
                }
            }
            CODE_FROST => CheckReason::Frost {
                tmin_c: f64_of(&mut rest)?,
            },
            CODE_TEXT => {
                let len = usize::try_from(varint(&mut rest)?).ok()?;
                CheckReason::Text(std::str::from_utf8(take(&mut rest, len)?).ok()?.into())
            }
            _ => return None,
        };
        out.push(CheckRecord {
            asset_id,
            depletion_mm,
            raw_mm,
            litres,
            task_created: tag & TAG_CREATED != 0,
            reason,
        });
    }
    Some(out)
}

/// The older layout (1) of `water_check_days` rows, written before migration 0006: `count`
/// entries, sorted by asset id, each little-endian: asset id (i64), depletion mm (f64), readily
/// available water mm (f64), litres (f64, NaN when no task was created), task created (u8, 0 or
/// 1), reason length in bytes (u32) and the reason (UTF-8). Still read; written by tests.
// The old layout is written only by tests (and older binaries); kept for its documentation.
#[cfg_attr(not(test), allow(dead_code))]
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
    EncodedChecks {
        count,
        bytes,
        ..EncodedChecks::default()
    }
}

/// Reads what [`encode_checks`] wrote; a truncated or garbled row is reported as corrupt.
// The old layout is written only by tests (and older binaries); kept for its documentation.
#[cfg_attr(not(test), allow(dead_code))]
pub fn decode_checks(rule_id: &str, day: NaiveDate, data: &[u8]) -> Result<Vec<WaterCheck>> {
    Ok(decode_row(rule_id, day, LAYOUT_TEXT, data)?
        .iter()
        .map(|c| c.to_check(rule_id, day))
        .collect())
}

fn decode_text_layout(data: &[u8]) -> Option<Vec<CheckRecord>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let asset_id = i64::from_le_bytes(take(&mut rest, 8)?.try_into().ok()?);
        let depletion_mm = f64_of(&mut rest)?;
        let raw_mm = f64_of(&mut rest)?;
        let litres = f64_of(&mut rest)?;
        let created = take(&mut rest, 1)?[0] != 0;
        let len = u32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?) as usize;
        let reason = std::str::from_utf8(take(&mut rest, len)?).ok()?;
        out.push(CheckRecord {
            asset_id,
            depletion_mm,
            raw_mm,
            litres: (!litres.is_nan()).then_some(litres),
            task_created: created,
            reason: CheckReason::Text(reason.into()),
        });
    }
    Some(out)
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

    fn record(
        asset_id: i64,
        dr: f64,
        raw: f64,
        litres: Option<f64>,
        reason: CheckReason,
    ) -> CheckRecord {
        CheckRecord {
            asset_id,
            depletion_mm: dr,
            raw_mm: raw,
            litres,
            task_created: litres.is_some(),
            reason,
        }
    }

    #[test]
    fn reasons_read_back_as_the_checks_wrote_them() {
        let day = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let wet = NaiveDate::from_ymd_opt(2027, 4, 29).unwrap();
        for (dr, raw, l, rain, tmin) in [
            (27.849_999, 25.0, 10.449_99, 8.05, -2.05),
            (0.0, 12.5, 0.0, 0.25, -0.04),
            (-0.0, 1e-9, 1234.567, 100.0, -17.95),
            (f64::MAX, 0.05, 0.15, 0.35, -0.0),
        ] {
            // The texts as the checks formatted them before they were stored as codes.
            let cases = [
                (
                    record(1, dr, raw, None, CheckReason::Depletion),
                    format!("depletion {dr:.1} of {raw:.1} mm"),
                ),
                (
                    record(2, dr, raw, Some(l), CheckReason::Watering),
                    format!("depletion {dr:.1} of {raw:.1} mm: watering {l:.1} L"),
                ),
                (
                    record(
                        3,
                        dr,
                        raw,
                        None,
                        CheckReason::Rain {
                            rain_mm: rain,
                            day: wet,
                        },
                    ),
                    format!(
                        "rain {rain:.1} mm on {wet} covered the need (depletion {dr:.1} of {raw:.1} mm)"
                    ),
                ),
                (
                    record(4, dr, raw, None, CheckReason::Frost { tmin_c: tmin }),
                    format!(
                        "frost guard: minimum {tmin:.1} °C on {day}; tender plants are not watered (depletion {dr:.1} of {raw:.1} mm)"
                    ),
                ),
            ];
            let records: Vec<CheckRecord> = cases.iter().map(|(c, _)| c.clone()).collect();
            let enc = encode_records(&records);
            let back = decode_records(&enc.bytes).unwrap();
            assert_eq!(back.len(), 4);
            for ((want, text), got) in cases.iter().zip(&back) {
                assert_eq!(got.depletion_mm.to_bits(), want.depletion_mm.to_bits());
                assert_eq!(got, want);
                assert_eq!(&got.reason_text(day), text);
            }
        }
    }

    #[test]
    fn compact_checks_round_trip_in_any_order() {
        let wet = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap();
        let records = vec![
            record(900_000, 3.0, 25.0, None, CheckReason::Depletion),
            record(7, 26.0, 25.0, Some(10.4), CheckReason::Watering),
            record(
                -5,
                1.0,
                12.0,
                None,
                CheckReason::Rain {
                    rain_mm: 8.0,
                    day: wet,
                },
            ),
            record(
                i64::MAX,
                1.0,
                12.0,
                None,
                CheckReason::Frost { tmin_c: -2.0 },
            ),
            record(
                i64::MIN,
                2.0,
                25.0,
                Some(3.0),
                CheckReason::Text("frei: ä °C".into()),
            ),
            // A watering without litres keeps its text.
            record(8, 26.0, 25.0, None, CheckReason::Watering),
        ];
        let enc = encode_records(&records);
        assert_eq!(enc.count, 6);
        assert!(!enc.sorted);
        let back = decode_records(&enc.bytes).unwrap();
        assert_eq!(back[..5], records[..5]);
        assert_eq!(
            back[5].reason,
            CheckReason::Text("depletion 26.0 of 25.0 mm: watering NaN L".into())
        );
        // Ten bytes for a plain check of a city.
        let plain: Vec<CheckRecord> = (1..=1000)
            .map(|a| record(a, 3.0, 25.0, None, CheckReason::Depletion))
            .collect();
        assert!(encode_records(&plain).bytes.len() <= 10 * 1000 + 8);
    }

    #[test]
    fn damaged_compact_checks_are_reported_not_misread() {
        let wet = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap();
        let records = vec![
            record(300, 26.0, 25.0, Some(10.4), CheckReason::Watering),
            record(
                301,
                1.0,
                12.0,
                None,
                CheckReason::Rain {
                    rain_mm: 8.0,
                    day: wet,
                },
            ),
            record(302, 1.0, 12.0, None, CheckReason::Frost { tmin_c: -2.0 }),
            record(303, 2.0, 25.0, None, CheckReason::Text("x".into())),
        ];
        let enc = encode_records(&records);
        for cut in 1..enc.bytes.len() {
            let ok = decode_records(&enc.bytes[..cut]);
            // A cut may fall between two checks; then the first ones are read whole.
            if let Some(got) = ok {
                assert_eq!(got[..], records[..got.len()], "cut {cut}");
            }
        }
        let day = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        for bad in [vec![1, 0x40], vec![1, 0x07], vec![1, 0x01], vec![0xff; 11]] {
            let mut data = bad;
            data.extend_from_slice(&[0; 16]);
            let err = decode_row("box-water", day, LAYOUT_COMPACT, &data).unwrap_err();
            assert!(err.to_string().contains("box-water"), "{err}");
        }
        let err = decode_row("box-water", day, 3, &[]).unwrap_err();
        assert!(err.to_string().contains("layout 3"), "{err}");
    }

    #[test]
    fn rows_of_the_text_layout_read_as_before_and_merge_into_a_rerun_day() {
        let mut s = crate::store::Store::open_in_memory().unwrap();
        s.conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let d1 = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let old = vec![
            check(
                3,
                None,
                "rain 8.0 mm on 2027-05-02 covered the need (depletion 1.0 of 25.0 mm)",
            ),
            check(7, Some(10.4), "depletion 27.8 of 25.0 mm: watering 10.4 L"),
            check(9, None, "depletion 3.0 of 25.0 mm"),
        ];
        let enc = encode_checks(&old);
        // As a database from before migration 0006 holds it: the column's default layout.
        s.conn
            .execute(
                "INSERT INTO water_check_days (rule_id, check_date, checks, data) VALUES (?1, ?2, ?3, ?4)",
                params!["box-water", d1.to_string(), 3, enc.bytes],
            )
            .unwrap();
        assert_eq!(s.read().water_checks("box-water", d1, d1).unwrap(), old);
        assert_eq!(
            s.read().water_checks_of(7, d1).unwrap(),
            vec![old[1].clone()]
        );
        let records = s.read().water_check_records("box-water", d1, d1).unwrap();
        assert_eq!(records.len(), 3);
        assert!(records[1].1.task_created);
        // Asset 9 checked again: the row is rewritten compact, 3 and 7 kept word for word.
        let mut days = CheckDays::default();
        days.push(
            d1,
            &record(9, 26.0, 25.0, Some(10.0), CheckReason::Watering),
        );
        s.write(|tx| tx.insert_check_days("box-water", days))
            .unwrap();
        let layout: i64 = s
            .conn
            .query_row("SELECT layout FROM water_check_days", [], |r| r.get(0))
            .unwrap();
        assert_eq!(layout, LAYOUT_COMPACT);
        let all = s.read().water_checks("box-water", d1, d1).unwrap();
        assert_eq!(all[..2], old[..2]);
        assert_eq!(all[2].reason, "depletion 26.0 of 25.0 mm: watering 10.0 L");
        assert_eq!(all[2].litres, Some(10.0));
    }

    #[test]
    fn checks_made_out_of_asset_order_are_stored_sorted() {
        let mut s = crate::store::Store::open_in_memory().unwrap();
        s.conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let d1 = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let mut days = CheckDays::default();
        for a in [5, 3, 9, 3] {
            days.push(d1, &record(a, a as f64, 25.0, None, CheckReason::Depletion));
        }
        assert_eq!(days.len(), 4);
        s.write(|tx| tx.insert_check_days("box-water", days))
            .unwrap();
        let got: Vec<i64> = s
            .read()
            .water_checks("box-water", d1, d1)
            .unwrap()
            .iter()
            .map(|c| c.asset_id)
            .collect();
        assert_eq!(got, vec![3, 5, 9]);
        let n: i64 = s
            .conn
            .query_row("SELECT checks FROM water_check_days", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn balances_are_found_in_and_out_of_asset_order() {
        let d = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let st = |x: f64| WaterState {
            depletion_mm: x,
            as_of: d,
        };
        let mut states: WaterStates = [(9, st(9.0)), (2, st(2.0)), (5, st(5.0)), (2, st(2.5))]
            .into_iter()
            .collect();
        assert_eq!(states.len(), 3);
        assert_eq!(states[&2], st(2.5));
        let mut c = states.cursor();
        let got: Vec<Option<f64>> = [1, 2, 5, 6, 9, 10, 5, 2]
            .into_iter()
            .map(|a| c.get(a).map(|s| s.depletion_mm))
            .collect();
        assert_eq!(
            got,
            vec![
                None,
                Some(2.5),
                Some(5.0),
                None,
                Some(9.0),
                None,
                Some(5.0),
                Some(2.5)
            ]
        );
        states.retain(|id, _| id != 5);
        assert_eq!(
            states.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            vec![2, 9]
        );
        assert!(states.get(5).is_none());
    }

    #[test]
    fn many_stress_days_are_stored_and_a_later_one_wins() {
        let mut s = crate::store::Store::open_in_memory().unwrap();
        s.conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        let d1 = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let mut days: Vec<(i64, NaiveDate, f64)> = (1..=600)
            .map(|a| (a, d1 + chrono::Duration::days(a % 3), a as f64))
            .collect();
        days.push((7, d1 + chrono::Duration::days(1), 70.0));
        s.write(|tx| {
            tx.insert_water_stress(1, d1 + chrono::Duration::days(1), 99.0)?;
            tx.insert_water_stress_days(&days)
        })
        .unwrap();
        let n: i64 = s
            .conn
            .query_row("SELECT count(*) FROM water_stress", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 600);
        let r = s.read();
        let day = d1 + chrono::Duration::days(1);
        assert_eq!(r.water_stress_days(1, d1, day).unwrap(), vec![(day, 1.0)]);
        assert_eq!(r.water_stress_days(7, d1, day).unwrap(), vec![(day, 70.0)]);
        assert_eq!(r.water_stress_days(600, d1, d1).unwrap(), vec![(d1, 600.0)]);
    }

    #[test]
    fn a_database_from_before_migration_0006_keeps_its_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let d1 = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let d2 = NaiveDate::from_ymd_opt(2027, 5, 4).unwrap();
        let old = vec![
            check(
                3,
                None,
                "rain 8.0 mm on 2027-05-02 covered the need (depletion 1.0 of 25.0 mm)",
            ),
            check(7, Some(10.4), "depletion 27.8 of 25.0 mm: watering 10.4 L"),
        ];
        {
            // The schema as it stood before, with rows as the older binary wrote them.
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .unwrap();
            for (v, sql) in crate::store::MIGRATIONS
                .iter()
                .take_while(|(v, _)| *v != "20261128_0006_water_check_layout")
            {
                c.execute_batch(sql).unwrap();
                c.execute("INSERT INTO schema_migrations VALUES (?1, 'x')", [v])
                    .unwrap();
            }
            for day in [d2, d1] {
                let enc = encode_checks(&old);
                c.execute(
                    "INSERT INTO water_check_days VALUES (?1, ?2, ?3, ?4)",
                    params!["box-water", day.to_string(), 2, enc.bytes],
                )
                .unwrap();
            }
        }
        let mut s = crate::store::Store::open(&path).unwrap();
        s.conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        assert_eq!(s.read().water_checks("box-water", d1, d1).unwrap(), old);
        let both = s.read().water_checks("box-water", d1, d2).unwrap();
        let days: Vec<NaiveDate> = both.iter().map(|c| c.check_date).collect();
        assert_eq!(days, vec![d1, d1, d2, d2]);
        // Re-running the second day replaces its row; the first stays in the old layout.
        let mut new = CheckDays::default();
        new.push(d2, &record(7, 1.0, 25.0, None, CheckReason::Depletion));
        s.write(|tx| tx.insert_check_days("box-water", new))
            .unwrap();
        let layouts: Vec<i64> = s
            .conn
            .prepare("SELECT layout FROM water_check_days ORDER BY check_date")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(layouts, vec![LAYOUT_TEXT, LAYOUT_COMPACT]);
        let all = s.read().water_checks("box-water", d1, d2).unwrap();
        assert_eq!(all[..2], old[..]);
        let of_d2: Vec<&str> = all[2..].iter().map(|c| c.reason.as_str()).collect();
        assert_eq!(
            of_d2,
            vec![
                "rain 8.0 mm on 2027-05-02 covered the need (depletion 1.0 of 25.0 mm)",
                "depletion 1.0 of 25.0 mm"
            ]
        );
    }
}
