//! Export of the register: RFC 7946 GeoJSON (opens in QGIS and GDAL) and CSV.
//!
//! The GeoJSON properties use the same keys the importer reads, so an export imports back
//! unchanged. The CSV has one row per asset with a fixed, documented column order.

use std::io::Write;

use serde_json::{Map, Value, json};

use crate::model::{AssetRecord, KindData, ZoneRecord};

/// The properties of an asset feature, in a stable order.
pub fn asset_properties(r: &AssetRecord) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            m.insert(k.to_string(), v);
        }
    };
    put("kind", json!(r.kind().as_str()));
    put("ref", json!(r.asset_ref));
    put("name", json!(r.names.name));
    put("name:zh", json!(r.names.zh));
    put("name:bo", json!(r.names.bo));
    put("name:en", json!(r.names.en));
    put("zone", json!(r.zone));
    if r.kind().is_site() {
        put("site_state", json!(r.site_state.as_str()));
    }
    match &r.data {
        KindData::Tree(t) => {
            put("species", json!(t.species.latin));
            put("species:zh", json!(t.species.zh));
            put("species:en", json!(t.species.en));
            put("genus", json!(t.species.genus));
            put("dbh_cm", json!(t.dbh_cm));
            put("height_m", json!(t.height_m));
            put("crown_m", json!(t.crown_m));
            put("planted", json!(t.planted.map(|d| d.to_string())));
            put("condition", json!(t.condition.map(|c| c.as_str())));
            put("heritage_grade", json!(t.heritage_grade));
        }
        KindData::FlowerBoxGroup(b) => {
            put("box_count", json!(b.box_count));
            put("box_length_m", json!(b.box_length_m));
            put("box_width_m", json!(b.box_width_m));
            put("box_depth_m", json!(b.box_depth_m));
            put("planting", json!(b.planting));
            put("planted", json!(b.planted.map(|d| d.to_string())));
        }
        KindData::TreeRow {
            tree_count,
            species,
        } => {
            put("tree_count", json!(tree_count));
            put("species", json!(species.latin));
            put("genus", json!(species.genus));
        }
        KindData::GreenArea { plant, area_m2 } => {
            put("plant", json!(plant));
            put("area_m2", json!(area_m2.map(round1)));
        }
        KindData::Park { subtype, area_m2 } => {
            put("park_type", json!(subtype.as_str()));
            put("area_m2", json!(area_m2.map(round1)));
        }
        KindData::WaterFeature {
            water,
            area_m2,
            volume_m3,
        } => {
            put("water", json!(water.as_str()));
            put("area_m2", json!(area_m2.map(round1)));
            put("volume_m3", json!(volume_m3));
        }
    }
    if let Some(reason) = &r.retired {
        put("retired", json!(reason));
    }
    for (k, v) in &r.tags {
        m.entry(k.clone()).or_insert_with(|| json!(v));
    }
    m
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn feature(id: &str, geometry: &geo::Geometry<f64>, props: Map<String, Value>) -> Value {
    let g = geojson::Geometry::new(geojson::GeometryValue::from(geometry));
    json!({"type": "Feature", "id": id, "properties": props, "geometry": g})
}

/// Writes zones (those with a polygon) and assets as one FeatureCollection.
pub fn write_geojson(
    out: &mut dyn Write,
    zones: &[ZoneRecord],
    assets: &[AssetRecord],
) -> std::io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut first = true;
    let mut sep = |out: &mut dyn Write| -> std::io::Result<()> {
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        Ok(())
    };
    for z in zones {
        let Some(g) = &z.geometry else { continue };
        let mut p = Map::new();
        p.insert("kind".into(), json!("zone"));
        p.insert("ref".into(), json!(z.name));
        if let Some(n) = &z.names.name {
            p.insert("name".into(), json!(n));
        }
        for (k, v) in [
            ("name:zh", &z.names.zh),
            ("name:bo", &z.names.bo),
            ("name:en", &z.names.en),
        ] {
            if let Some(v) = v {
                p.insert(k.into(), json!(v));
            }
        }
        for (k, v) in &z.tags {
            p.entry(k.clone()).or_insert_with(|| json!(v));
        }
        sep(out)?;
        serde_json::to_writer(&mut *out, &feature(&format!("zone/{}", z.name), g, p))?;
    }
    for a in assets {
        sep(out)?;
        serde_json::to_writer(
            &mut *out,
            &feature(&a.asset_ref, &a.geometry, asset_properties(a)),
        )?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

/// CSV columns, in order. Units are in the names; `lon`/`lat` are the asset's anchor point.
pub const CSV_COLUMNS: &[&str] = &[
    "ref",
    "kind",
    "zone",
    "site_state",
    "name",
    "name_zh",
    "lon",
    "lat",
    "species",
    "genus",
    "dbh_cm",
    "height_m",
    "crown_m",
    "planted",
    "condition",
    "heritage_grade",
    "box_count",
    "box_length_m",
    "box_width_m",
    "box_depth_m",
    "planting",
    "tree_count",
    "plant",
    "park_type",
    "water",
    "area_m2",
    "volume_m3",
    "source",
    "source_id",
    "retired",
];

/// Writes assets as CSV with [`CSV_COLUMNS`].
pub fn write_csv(out: &mut dyn Write, assets: &[AssetRecord]) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for a in assets {
        let p = asset_properties(a);
        let (lon, lat) = a.anchor();
        let row: Vec<String> = CSV_COLUMNS
            .iter()
            .map(|c| match *c {
                "lon" => format!("{lon:.7}"),
                "lat" => format!("{lat:.7}"),
                "name_zh" => a.names.zh.clone().unwrap_or_default(),
                "source" => a.provenance.source.clone().unwrap_or_default(),
                "source_id" => a.provenance.source_id.clone().unwrap_or_default(),
                key => match p.get(key) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(v) => v.to_string(),
                },
            })
            .collect();
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
