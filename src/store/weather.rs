//! The `weather` table: observed and forecast days, one row per date.

use chrono::NaiveDate;
use rusqlite::{Row, params};

use super::{Reader, Result, Tx, now_rfc3339};
use crate::weather::WeatherRecord;

const COLUMNS: &str = "date, tmin_c, tmax_c, rain_mm, rh_max_pct, rh_min_pct, wind_ms, sunshine_h, \
                       forecast, source, imported_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<WeatherRecord> {
    let date: String = r.get(0)?;
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(WeatherRecord {
        date,
        tmin_c: r.get(1)?,
        tmax_c: r.get(2)?,
        rain_mm: r.get(3)?,
        rh_max_pct: r.get(4)?,
        rh_min_pct: r.get(5)?,
        wind_ms: r.get(6)?,
        sunshine_h: r.get(7)?,
        forecast: r.get(8)?,
        source: r.get(9)?,
        imported_at: r.get(10)?,
    })
}

/// What [`Tx::upsert_weather`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeatherUpsert {
    /// Dates that had no row.
    pub added: usize,
    /// Dates whose row was replaced.
    pub replaced: usize,
}

impl Reader<'_> {
    /// Imported days from `from` to `to` (both included), by date.
    pub fn weather_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<WeatherRecord>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM weather WHERE date >= ?1 AND date <= ?2 ORDER BY date"
        ))?;
        let rows = st
            .query_map(params![from.to_string(), to.to_string()], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Number of imported days.
    pub fn weather_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM weather", [], |r| r.get(0))?)
    }
}

impl Tx<'_> {
    /// Writes imported days, replacing any row already held for the same date; stamps
    /// `imported_at` with the current time.
    pub fn upsert_weather(&mut self, rows: &[WeatherRecord]) -> Result<WeatherUpsert> {
        let now = now_rfc3339();
        let mut out = WeatherUpsert::default();
        let mut exists = self
            .tx
            .prepare_cached("SELECT EXISTS(SELECT 1 FROM weather WHERE date = ?1)")?;
        let mut upsert = self.tx.prepare_cached(&format!(
            "INSERT INTO weather ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT(date) DO UPDATE SET tmin_c = excluded.tmin_c, tmax_c = excluded.tmax_c,
               rain_mm = excluded.rain_mm, rh_max_pct = excluded.rh_max_pct,
               rh_min_pct = excluded.rh_min_pct, wind_ms = excluded.wind_ms,
               sunshine_h = excluded.sunshine_h, forecast = excluded.forecast,
               source = excluded.source, imported_at = excluded.imported_at"
        ))?;
        for r in rows {
            let date = r.date.to_string();
            let existed: bool = exists.query_row([&date], |row| row.get(0))?;
            if existed {
                out.replaced += 1;
            } else {
                out.added += 1;
            }
            upsert.execute(params![
                date,
                r.tmin_c,
                r.tmax_c,
                r.rain_mm,
                r.rh_max_pct,
                r.rh_min_pct,
                r.wind_ms,
                r.sunshine_h,
                r.forecast,
                r.source,
                now
            ])?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreError};

    fn rec(day: u32, tmin: f64, forecast: bool) -> WeatherRecord {
        WeatherRecord {
            date: NaiveDate::from_ymd_opt(2027, 5, day).unwrap(),
            tmin_c: tmin,
            tmax_c: 20.0,
            rain_mm: 1.5,
            rh_max_pct: Some(80.0),
            rh_min_pct: None,
            wind_ms: None,
            sunshine_h: Some(9.5),
            forecast,
            source: Some("a.csv".into()),
            imported_at: None,
        }
    }

    #[test]
    fn rows_round_trip_and_replace_by_date() {
        let mut s = Store::open_in_memory().unwrap();
        let n = s
            .write(|tx| tx.upsert_weather(&[rec(1, 5.0, false), rec(2, 6.0, true)]))
            .unwrap();
        assert_eq!(
            n,
            WeatherUpsert {
                added: 2,
                replaced: 0
            }
        );
        let n = s
            .write(|tx| tx.upsert_weather(&[rec(2, 7.5, false), rec(3, 8.0, false)]))
            .unwrap();
        assert_eq!(
            n,
            WeatherUpsert {
                added: 1,
                replaced: 1
            }
        );
        let from = NaiveDate::from_ymd_opt(2027, 5, 2).unwrap();
        let to = NaiveDate::from_ymd_opt(2027, 5, 31).unwrap();
        let rows = s.read().weather_between(from, to).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].tmin_c, 7.5);
        assert!(!rows[0].forecast, "the observation replaced the forecast");
        assert_eq!(rows[0].sunshine_h, Some(9.5));
        assert_eq!(rows[0].rh_min_pct, None);
        assert!(rows[0].imported_at.is_some());
        assert_eq!(s.read().weather_count().unwrap(), 3);
    }

    #[test]
    fn a_failed_write_leaves_the_table_as_it_was() {
        let mut s = Store::open_in_memory().unwrap();
        s.write(|tx| tx.upsert_weather(&[rec(1, 5.0, false)]))
            .unwrap();
        let r: std::result::Result<(), StoreError> = s.write(|tx| {
            tx.upsert_weather(&[rec(1, -3.0, false), rec(2, 6.0, false)])?;
            Err(StoreError::Corrupt {
                what: "test".into(),
                detail: "abort".into(),
            })
        });
        assert!(r.is_err());
        let all = s
            .read()
            .weather_between(
                NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
            )
            .unwrap();
        assert_eq!(all, {
            let mut r = rec(1, 5.0, false);
            r.imported_at = all[0].imported_at.clone();
            vec![r]
        });
    }
}
