//! The `zones` table.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::{Reader, Result, StoreError, Tx, now_rfc3339};
use crate::model::{Names, ZoneRecord, geometry};

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ZoneRecord, Option<String>, String)> {
    let z = ZoneRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        names: Names {
            name: r.get(5)?,
            zh: r.get(2)?,
            bo: r.get(3)?,
            en: r.get(4)?,
        },
        geometry: None,
        tags: BTreeMap::new(),
    };
    Ok((z, r.get(6)?, r.get(7)?))
}

const COLUMNS: &str = "id, name, name_zh, name_bo, name_en, label, geometry, tags";

fn finish(raw: (ZoneRecord, Option<String>, String)) -> Result<ZoneRecord> {
    let (mut z, geom, tags) = raw;
    if let Some(g) = geom {
        z.geometry =
            Some(
                super::assets::geometry_from_json(&g).map_err(|detail| StoreError::Corrupt {
                    what: format!("geometry of zone {}", z.name),
                    detail,
                })?,
            );
    }
    z.tags = serde_json::from_str(&tags).unwrap_or_default();
    Ok(z)
}

impl Reader<'_> {
    /// All zones, by name.
    pub fn zones(&self) -> Result<Vec<ZoneRecord>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM zones ORDER BY name"))?;
        let raw = st
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter().map(finish).collect()
    }

    pub fn zone_by_name(&self, name: &str) -> Result<Option<ZoneRecord>> {
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM zones WHERE name = ?1"),
                [name],
                from_row,
            )
            .optional()?;
        raw.map(finish).transpose()
    }

    /// Number of live (not retired) assets per zone id.
    pub fn asset_counts_by_zone(&self) -> Result<BTreeMap<i64, i64>> {
        let mut st = self.conn.prepare(
            "SELECT zone_id, count(*) FROM assets WHERE retired_at IS NULL GROUP BY zone_id",
        )?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<BTreeMap<i64, i64>>>()?;
        Ok(rows)
    }
}

impl Tx<'_> {
    /// Inserts a zone, or updates the one with the same name (names and geometry given replace
    /// the stored ones; absent ones are kept). Returns the zone id.
    pub fn upsert_zone(&mut self, z: &ZoneRecord, source: Option<&str>) -> Result<i64> {
        let geom = z.geometry.as_ref().map(super::assets::geometry_to_json);
        let area = z.geometry.as_ref().map(geometry::area_m2);
        let bbox = z.geometry.as_ref().and_then(geometry::bbox);
        let tags = serde_json::to_string(&z.tags).unwrap_or_else(|_| "{}".into());
        self.tx.execute(
            "INSERT INTO zones (name, name_zh, name_bo, name_en, label, geometry, area_m2,
                                min_lon, min_lat, max_lon, max_lat, tags, source, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(name) DO UPDATE SET
                name_zh = coalesce(excluded.name_zh, name_zh),
                name_bo = coalesce(excluded.name_bo, name_bo),
                name_en = coalesce(excluded.name_en, name_en),
                label = coalesce(excluded.label, label),
                geometry = coalesce(excluded.geometry, geometry),
                area_m2 = coalesce(excluded.area_m2, area_m2),
                min_lon = coalesce(excluded.min_lon, min_lon),
                min_lat = coalesce(excluded.min_lat, min_lat),
                max_lon = coalesce(excluded.max_lon, max_lon),
                max_lat = coalesce(excluded.max_lat, max_lat),
                tags = CASE WHEN excluded.tags = '{}' THEN tags ELSE excluded.tags END",
            params![
                z.name,
                z.names.zh,
                z.names.bo,
                z.names.en,
                z.names.name,
                geom,
                area,
                bbox.map(|b| b.min().x),
                bbox.map(|b| b.min().y),
                bbox.map(|b| b.max().x),
                bbox.map(|b| b.max().y),
                tags,
                source,
                now_rfc3339()
            ],
        )?;
        let id = self
            .tx
            .query_row("SELECT id FROM zones WHERE name = ?1", [&z.name], |r| {
                r.get(0)
            })?;
        Ok(id)
    }
}
