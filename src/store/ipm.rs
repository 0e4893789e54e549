//! The `observations` and `pesticide_log` tables.

use chrono::{DateTime, NaiveDate};
use rusqlite::{Row, params};

use super::{Reader, Result, Tx, now_rfc3339};
use crate::ipm::{ApplicationWeather, Observation, Pest, PesticideApplication};
use crate::weather::WeatherSource;

const OBSERVATION_COLUMNS: &str = "o.id, o.asset_id, a.ref, o.pest_id, o.severity, o.pct_crown, \
                                   o.observed_at, o.observer, o.note";

const LOG_COLUMNS: &str = "l.id, l.task_id, l.asset_id, a.ref, l.pest_id, l.applied_at, l.product, \
    l.active_ingredient, l.dose, l.trees, l.area_m2, l.tmin_c, l.tmax_c, l.rain_mm, l.wind_ms, \
    l.weather_source, l.applicator, l.reentry_h";

fn conversion(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn observation(r: &Row<'_>) -> rusqlite::Result<Observation> {
    let day: String = r.get(6)?;
    Ok(Observation {
        id: r.get(0)?,
        asset_id: r.get(1)?,
        asset_ref: r.get(2)?,
        pest_id: r.get(3)?,
        severity: r.get(4)?,
        pct_crown: r.get(5)?,
        observed_at: NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|e| conversion(6, e))?,
        observer: r.get(7)?,
        note: r.get(8)?,
    })
}

fn application(r: &Row<'_>) -> rusqlite::Result<PesticideApplication> {
    let at: String = r.get(5)?;
    let source: Option<String> = r.get(15)?;
    let (tmin, tmax, rain): (Option<f64>, Option<f64>, Option<f64>) =
        (r.get(11)?, r.get(12)?, r.get(13)?);
    let weather = match (
        tmin,
        tmax,
        rain,
        source.as_deref().and_then(WeatherSource::parse),
    ) {
        (Some(tmin_c), Some(tmax_c), Some(rain_mm), Some(source)) => Some(ApplicationWeather {
            tmin_c,
            tmax_c,
            rain_mm,
            wind_ms: r.get(14)?,
            source,
        }),
        _ => None,
    };
    Ok(PesticideApplication {
        id: r.get(0)?,
        task_id: r.get(1)?,
        asset_id: r.get(2)?,
        asset_ref: r.get(3)?,
        pest_id: r.get(4)?,
        applied_at: DateTime::parse_from_rfc3339(&at).map_err(|e| conversion(5, e))?,
        product: r.get(6)?,
        active_ingredient: r.get(7)?,
        dose: r.get(8)?,
        trees: r.get(9)?,
        area_m2: r.get(10)?,
        weather,
        applicator: r.get(16)?,
        reentry_h: r.get(17)?,
    })
}

impl Reader<'_> {
    /// Observations, optionally of one pest and from a day on, by day then id.
    pub fn observations(
        &self,
        pest_id: Option<&str>,
        since: Option<NaiveDate>,
    ) -> Result<Vec<Observation>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations o JOIN assets a ON a.id = o.asset_id
             WHERE (?1 IS NULL OR o.pest_id = ?1) AND (?2 IS NULL OR o.observed_at >= ?2)
             ORDER BY o.observed_at, o.id"
        ))?;
        let rows = st
            .query_map(params![pest_id, since.map(|d| d.to_string())], observation)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// For the scheduler: the assets whose latest observation of `pest` on or after `since` is at
    /// or over the pest's action threshold (one row per asset, that latest observation; retired
    /// assets left out), by day then asset ref. A later observation below the threshold (after a
    /// treatment, say) takes the asset off the list.
    pub fn observations_over_threshold(
        &self,
        pest: &Pest,
        since: NaiveDate,
    ) -> Result<Vec<Observation>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations o JOIN assets a ON a.id = o.asset_id
             WHERE o.pest_id = ?1 AND o.observed_at >= ?2 AND a.retired_at IS NULL
               AND o.id = (SELECT o2.id FROM observations o2
                           WHERE o2.asset_id = o.asset_id AND o2.pest_id = o.pest_id
                             AND o2.observed_at >= ?2
                           ORDER BY o2.observed_at DESC, o2.id DESC LIMIT 1)
               AND o.severity >= ?3
             ORDER BY o.observed_at, a.ref"
        ))?;
        let rows = st
            .query_map(
                params![pest.id, since.to_string(), pest.action_threshold],
                observation,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Applications whose site-local day lies from `from` to `to` (both included), in time order.
    pub fn pesticide_log(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PesticideApplication>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {LOG_COLUMNS} FROM pesticide_log l JOIN assets a ON a.id = l.asset_id
             WHERE substr(l.applied_at, 1, 10) BETWEEN ?1 AND ?2
             ORDER BY l.applied_at, l.id"
        ))?;
        let rows = st
            .query_map(params![from.to_string(), to.to_string()], application)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

impl Tx<'_> {
    /// Records an observation and returns its id.
    pub fn insert_observation(&mut self, o: &Observation) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO observations (asset_id, pest_id, severity, pct_crown, observed_at, observer,
                note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                o.asset_id,
                o.pest_id,
                o.severity,
                o.pct_crown,
                o.observed_at.to_string(),
                o.observer,
                o.note,
                now_rfc3339()
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Adds a row to the pesticide record and returns its id.
    pub fn insert_pesticide_application(&mut self, p: &PesticideApplication) -> Result<i64> {
        let w = p.weather.as_ref();
        self.tx.execute(
            "INSERT INTO pesticide_log (task_id, asset_id, pest_id, applied_at, product,
                active_ingredient, dose, trees, area_m2, tmin_c, tmax_c, rain_mm, wind_ms,
                weather_source, applicator, reentry_h, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            params![
                p.task_id,
                p.asset_id,
                p.pest_id,
                p.applied_at.to_rfc3339(),
                p.product,
                p.active_ingredient,
                p.dose,
                p.trees,
                p.area_m2,
                w.map(|w| w.tmin_c),
                w.map(|w| w.tmax_c),
                w.map(|w| w.rain_mm),
                w.and_then(|w| w.wind_ms),
                w.map(|w| w.source.as_str()),
                p.applicator,
                p.reentry_h,
                now_rfc3339()
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }
}
