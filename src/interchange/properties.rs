//! Maps feature properties (our own keys and OpenStreetMap tags, including osmtogeojson's nested
//! `properties.tags`) onto the model. Every property the model has no field for is kept as a tag.
//!
//! Our keys: `kind`, `ref`, `name`, `name:zh`, `name:bo`, `name:en`, `zone`, `site_state`,
//! `species`, `species:zh`, `species:en`, `genus`, `dbh_cm`, `height_m`, `crown_m`, `planted`,
//! `condition`, `heritage_grade`, `box_count`, `box_length_m`, `box_width_m`, `box_depth_m`,
//! `planting`, `tree_count`, `plant`, `park_type`, `water`, `area_m2`, `volume_m3`.
//! OSM: `natural=tree|tree_row|water`, `leisure=park|garden`, `landuse=grass`, `water=*`,
//! `waterway=*`, `amenity=fountain`, `genus`, `species`, `height`, `diameter_crown`,
//! `circumference`, `leaf_type`, `ref`, `start_date`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::geojson_read::{FeatureError, RawFeature};
use crate::model::{
    AssetKind, AssetRecord, BoxGroup, Condition, KindData, Names, ParkSubtype, Provenance,
    SiteState, SpeciesInfo, TreeOccupant, WaterKind, ZoneRecord, geometry,
};

/// What one feature becomes.
#[derive(Debug, Clone)]
pub enum Parsed {
    Zone(ZoneRecord),
    Asset(Box<AssetRecord>),
}

/// Properties being consumed: each field read is removed, what is left becomes tags.
struct Props<'a> {
    map: Map<String, Value>,
    feature: &'a RawFeature,
}

impl Props<'_> {
    fn err(&self, field: &str, message: String) -> FeatureError {
        FeatureError {
            index: self.feature.index,
            id: self.feature.label(),
            field: format!("properties.{field}"),
            message,
        }
    }

    fn peek_str(&self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.map.remove(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_string()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// A number given as a JSON number or numeric text; 0 or empty counts as unknown when
    /// `zero_is_unknown` (inventories write 0 for "not measured").
    fn number(&mut self, key: &str, zero_is_unknown: bool) -> Result<Option<f64>, FeatureError> {
        let v = match self.map.remove(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        match v {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(if zero_is_unknown && x == 0.0 {
                None
            } else {
                Some(x)
            }),
            _ => Err(self.err(key, "is not a non-negative number".into())),
        }
    }

    fn parsed<T: std::str::FromStr<Err = String>>(
        &mut self,
        key: &str,
    ) -> Result<Option<T>, FeatureError> {
        match self.text(key) {
            None => Ok(None),
            Some(s) => s.parse::<T>().map(Some).map_err(|e| self.err(key, e)),
        }
    }

    fn date(&mut self, key: &str) -> Result<Option<NaiveDate>, FeatureError> {
        let Some(s) = self.text(key) else {
            return Ok(None);
        };
        if let Ok(d) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            return Ok(Some(d));
        }
        // OSM start_date is often just a year.
        if s.len() == 4
            && let Ok(y) = s.parse::<i32>()
        {
            return Ok(NaiveDate::from_ymd_opt(y, 1, 1));
        }
        Err(self.err(key, format!("'{s}' is not a date (YYYY-MM-DD)")))
    }
}

/// Converts a valid feature into a zone or an asset record (not yet stored: id 0).
pub fn to_model(
    raw: &RawFeature,
    default_kind: Option<AssetKind>,
    source: &str,
) -> Result<Parsed, FeatureError> {
    let mut map = raw.properties.clone();
    flatten_osm_tags(&mut map);
    let mut p = Props { map, feature: raw };

    let kind_text = p.text("kind");
    if kind_text.as_deref() == Some("zone") {
        return zone(p, raw, source).map(Parsed::Zone);
    }
    let kind = match kind_text {
        Some(k) => k
            .parse::<AssetKind>()
            .map_err(|e| p.err("kind", format!("{e}, zone")))?,
        None => match default_kind.or_else(|| infer_kind(&p.map, &raw.geometry)) {
            Some(k) => k,
            None => {
                return Err(p.err(
                    "kind",
                    "missing, and the feature has no tag that tells what it is (natural=tree, leisure=park, ...); add a `kind` property or pass --kind".into(),
                ));
            }
        },
    };
    let names = Names {
        name: p.text("name"),
        zh: p.text("name:zh"),
        bo: p.text("name:bo"),
        en: p.text("name:en"),
    };
    let asset_ref = p.text("ref").unwrap_or_default();
    let zone = p.text("zone");
    // NYC-style "dead" as a site state means an occupied site whose tree is dead.
    let dead_by_state = p
        .peek_str("site_state")
        .is_some_and(|s| s.eq_ignore_ascii_case("dead"));
    let site_state: SiteState = p.parsed("site_state")?.unwrap_or(SiteState::Occupied);
    let species = SpeciesInfo {
        latin: p.text("species").or_else(|| p.text("taxon")),
        genus: p.text("genus"),
        zh: p.text("species:zh"),
        en: p.text("species:en"),
    };
    let area_given = p.number("area_m2", true)?;
    let area =
        || area_given.or_else(|| Some(geometry::area_m2(&raw.geometry)).filter(|a| *a > 0.0));
    let data = match kind {
        AssetKind::Tree => {
            let mut dbh_cm = p.number("dbh_cm", true)?;
            // OSM circumference is in metres: DBH = C / π, in cm.
            if dbh_cm.is_none()
                && let Some(c) = plain_metres(&mut p, "circumference")
            {
                dbh_cm = Some(c * 100.0 / std::f64::consts::PI);
            }
            let height_m = match p.number("height_m", true)? {
                Some(h) => Some(h),
                None => plain_metres(&mut p, "height"),
            };
            let crown_m = match p.number("crown_m", true)? {
                Some(c) => Some(c),
                None => plain_metres(&mut p, "diameter_crown"),
            };
            let mut condition: Option<Condition> = p.parsed("condition")?;
            if dead_by_state && condition.is_none() {
                condition = Some(Condition::Dead);
            }
            let planted = match p.date("planted")? {
                Some(d) => Some(d),
                None => p.date("start_date").ok().flatten(),
            };
            let heritage_grade = match p.number("heritage_grade", true)? {
                None => None,
                Some(g) if [1.0, 2.0, 3.0].contains(&g) => Some(g as u8),
                Some(g) => return Err(p.err("heritage_grade", format!("{g} must be 1, 2 or 3"))),
            };
            KindData::Tree(TreeOccupant {
                species,
                dbh_cm,
                height_m,
                crown_m,
                planted,
                condition,
                heritage_grade,
            })
        }
        AssetKind::FlowerBoxGroup => {
            let box_count = p.number("box_count", false)?.unwrap_or(1.0);
            if box_count < 1.0 || box_count.fract() != 0.0 {
                return Err(p.err(
                    "box_count",
                    format!("{box_count} must be a whole number of at least 1"),
                ));
            }
            KindData::FlowerBoxGroup(BoxGroup {
                box_count: box_count as u32,
                box_length_m: p.number("box_length_m", false)?.unwrap_or(1.0),
                box_width_m: p.number("box_width_m", false)?.unwrap_or(0.3),
                box_depth_m: p.number("box_depth_m", false)?.unwrap_or(0.25),
                planting: p.text("planting"),
                planted: p.date("planted")?,
            })
        }
        AssetKind::TreeRow => KindData::TreeRow {
            tree_count: p.number("tree_count", true)?.map(|n| n as u32),
            species,
        },
        AssetKind::GreenArea => {
            let plant = p.text("plant");
            KindData::GreenArea {
                plant,
                area_m2: area(),
            }
        }
        AssetKind::Park => {
            let subtype = match p.parsed::<ParkSubtype>("park_type")? {
                Some(s) => s,
                None => ParkSubtype::Park,
            };
            KindData::Park {
                subtype,
                area_m2: area(),
            }
        }
        AssetKind::WaterFeature => {
            let water = match p.parsed::<WaterKind>("water")? {
                Some(w) => w,
                None => match p
                    .peek_str("waterway")
                    .or_else(|| p.peek_str("amenity"))
                    .as_deref()
                {
                    Some("fountain") => WaterKind::Fountain,
                    Some("canal") | Some("ditch") | Some("drain") => WaterKind::Canal,
                    Some(_) => WaterKind::Stream,
                    None => WaterKind::Pond,
                },
            };
            let volume_m3 = p.number("volume_m3", true)?;
            KindData::WaterFeature {
                water,
                area_m2: area(),
                volume_m3,
            }
        }
    };
    let source_id = raw
        .id
        .clone()
        .or_else(|| (!asset_ref.is_empty()).then(|| asset_ref.clone()));
    let tags = into_tags(p.map);
    Ok(Parsed::Asset(Box::new(AssetRecord {
        id: 0,
        asset_ref,
        names,
        geometry: raw.geometry.clone(),
        zone,
        zone_id: None,
        site_state,
        data,
        tags,
        provenance: Provenance {
            source: Some(source.to_string()),
            source_id,
            import_id: None,
            imported_at: None,
        },
        retired: None,
    })))
}

fn zone(mut p: Props<'_>, raw: &RawFeature, _source: &str) -> Result<ZoneRecord, FeatureError> {
    if !matches!(
        raw.geometry,
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
    ) {
        return Err(FeatureError {
            index: raw.index,
            id: raw.label(),
            field: "geometry.type".into(),
            message: "a zone needs a Polygon or MultiPolygon".into(),
        });
    }
    let label = p.text("name");
    let key = p
        .text("ref")
        .or(label.clone())
        .ok_or_else(|| p.err("name", "a zone needs a name".into()))?;
    let names = Names {
        name: label,
        zh: p.text("name:zh"),
        bo: p.text("name:bo"),
        en: p.text("name:en"),
    };
    Ok(ZoneRecord {
        id: 0,
        name: key,
        names,
        geometry: Some(raw.geometry.clone()),
        tags: into_tags(p.map),
    })
}

/// A plain number of metres (the OSM convention). Values with a unit suffix stay as tags until
/// the unit parser reads them.
fn plain_metres(p: &mut Props<'_>, key: &str) -> Option<f64> {
    let v = p.peek_str(key)?.parse::<f64>().ok().filter(|v| *v > 0.0)?;
    p.map.remove(key);
    Some(v)
}

/// osmtogeojson puts OSM tags under `properties.tags` and adds `type`, `id`, `relations`, `meta`.
fn flatten_osm_tags(map: &mut Map<String, Value>) {
    let Some(Value::Object(tags)) = map.remove("tags") else {
        return;
    };
    if let Some(t) = map.remove("type") {
        map.insert("osm:type".into(), t);
    }
    if let Some(id) = map.remove("id") {
        map.insert("osm:id".into(), id);
    }
    if map
        .get("relations")
        .is_some_and(|r| r.as_array().is_some_and(Vec::is_empty))
    {
        map.remove("relations");
    }
    if map
        .get("meta")
        .is_some_and(|m| m.as_object().is_some_and(Map::is_empty))
    {
        map.remove("meta");
    }
    for (k, v) in tags {
        map.entry(k).or_insert(v);
    }
}

fn infer_kind(map: &Map<String, Value>, g: &geo::Geometry<f64>) -> Option<AssetKind> {
    let tag = |k: &str| map.get(k).and_then(Value::as_str);
    match (tag("natural"), tag("leisure"), tag("landuse")) {
        (Some("tree"), _, _) => return Some(AssetKind::Tree),
        (Some("tree_row"), _, _) => return Some(AssetKind::TreeRow),
        (Some("water"), _, _) => return Some(AssetKind::WaterFeature),
        (_, Some("park"), _) => return Some(AssetKind::Park),
        (_, Some("garden"), _) | (_, _, Some("grass")) => return Some(AssetKind::GreenArea),
        _ => {}
    }
    if tag("waterway").is_some() || tag("water").is_some() || tag("amenity") == Some("fountain") {
        return Some(AssetKind::WaterFeature);
    }
    // A point that names a genus or species is a tree.
    let tree_like = ["species", "genus", "taxon", "dbh_cm"]
        .iter()
        .any(|k| map.contains_key(*k));
    (tree_like && matches!(g, geo::Geometry::Point(_))).then_some(AssetKind::Tree)
}

fn into_tags(map: Map<String, Value>) -> BTreeMap<String, String> {
    map.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, s)
        })
        .collect()
}
