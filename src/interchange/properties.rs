//! Maps feature properties (our own keys and OpenStreetMap tags, including osmtogeojson's nested
//! `properties.tags`) onto the model. Every property the model has no field for is kept as a tag.
//!
//! Our keys: `kind`, `ref`, `name`, `name:zh`, `name:bo`, `name:en`, `zone`, `site_state`,
//! `species`, `species:zh`, `species:en`, `genus`, `dbh_cm`, `height_m`, `crown_m`, `planted`,
//! `condition`, `heritage_grade`, `box_count`, `box_length_m`, `box_width_m`, `box_depth_m`,
//! `planting`, `tree_count`, `plant`, `park_type`, `water`, `area_m2`, `volume_m3`.
//! OSM: `natural=tree|tree_row|water`, `leisure=park|garden`, `landuse=grass`, `water=*`,
//! `waterway=*`, `amenity=fountain`, `genus`, `species`, `height`, `diameter_crown`,
//! `circumference`, `leaf_type`, `ref`, `start_date`. OSM lengths (`height`, `circumference`,
//! `diameter_crown`) may carry a unit suffix (`6.28 inches`, `20 ft`, `120 cm`); a bare number is
//! in metres (the OSM convention). See [`super::units`].
//! Paris (`les arbres`): `idbase` (source id), `genre` + `espece` (latin name "Genre espece"),
//! `libellefrancais` (kept as the tag `species:fr`), `circonferenceencm` (circumference in cm),
//! `hauteurenm` (m). A 0 size means "not measured": unknown, not zero.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::dates::{DateOrder, is_blank, parse_date};
use super::geojson_read::{FastFeature, FeatureError, PropValue, RawFeature};
use super::units::{LengthUnit, circumference_to_dbh_cm, parse_length, tidy};
use crate::model::{
    AssetKind, AssetRecord, BoxGroup, Condition, KindData, Names, ParkSubtype, Provenance,
    SiteState, SpeciesInfo, TreeOccupant, WaterKind, ZoneRecord, geometry,
};

/// The property keys [`read_feature`] reads (everything else is kept as a tag).
pub const MODEL_KEYS: &[&str] = &[
    "kind",
    "ref",
    "name",
    "name:zh",
    "name:bo",
    "name:en",
    "zone",
    "site_state",
    "species",
    "taxon",
    "genus",
    "species:zh",
    "species:en",
    "genre",
    "espece",
    "libellefrancais",
    "idbase",
    "dbh_cm",
    "circumference",
    "circonferenceencm",
    "height_m",
    "height",
    "hauteurenm",
    "crown_m",
    "diameter_crown",
    "condition",
    "planted",
    "start_date",
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
];

/// What one feature becomes.
#[derive(Debug, Clone)]
pub enum Parsed {
    Zone(ZoneRecord),
    Asset(Box<AssetRecord>),
}

/// How to read what a file alone does not settle.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelOptions {
    /// Kind of the features that do not say (`--kind`).
    pub kind: Option<AssetKind>,
    /// Order of dates written with the year last (`--date-format`); `None` refuses ambiguous ones.
    pub date_order: Option<DateOrder>,
}

/// Properties as read: a short list searched by key (a feature has a dozen), so reading one
/// costs no hashing. Keys are unique; the order does not matter (what is left becomes a sorted
/// tag map).
struct PropMap<'a>(Vec<(Cow<'a, str>, PropValue<'a>)>);

impl<'a> PropMap<'a> {
    fn from_map(map: Map<String, Value>) -> PropMap<'static> {
        PropMap(
            map.into_iter()
                .map(|(k, v)| (Cow::Owned(k), PropValue::from_value(v)))
                .collect(),
        )
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    fn get(&self, key: &str) -> Option<&PropValue<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    fn remove(&mut self, key: &str) -> Option<PropValue<'a>> {
        let i = self.position(key)?;
        Some(self.0.swap_remove(i).1)
    }

    fn insert(&mut self, key: &'static str, v: PropValue<'a>) {
        match self.position(key) {
            Some(i) => self.0[i].1 = v,
            None => self.0.push((Cow::Borrowed(key), v)),
        }
    }

    fn insert_if_absent(&mut self, key: &'static str, v: PropValue<'a>) {
        if !self.contains_key(key) {
            self.0.push((Cow::Borrowed(key), v));
        }
    }
}

/// Properties being consumed: each field read is removed, what is left becomes tags.
struct Props<'o, 'a> {
    map: PropMap<'a>,
    index: usize,
    id: Option<String>,
    /// The `ref` (or Paris `idbase`) once read, to name the feature in messages.
    seen_label: Option<String>,
    /// The properties came from osmtogeojson's nested `tags` object.
    from_tags: bool,
    opts: &'o ModelOptions,
}

impl Props<'_, '_> {
    fn label(&self) -> Option<String> {
        self.id
            .clone()
            .or_else(|| self.seen_label.clone())
            .or_else(|| {
                ["ref", "idbase"]
                    .iter()
                    .find_map(|k| match self.map.get(k)? {
                        PropValue::Str(s) => Some(s.to_string()),
                        PropValue::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
            })
    }

    fn err(&self, field: &str, message: String) -> FeatureError {
        let field = if self.from_tags && !field.starts_with("osm:") {
            format!("properties.tags.{field}")
        } else {
            format!("properties.{field}")
        };
        FeatureError {
            index: self.index,
            id: self.label(),
            field,
            message,
        }
    }

    fn peek_str(&self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            PropValue::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            PropValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.map.remove(key)? {
            PropValue::Str(s) if s.trim().is_empty() => None,
            PropValue::Str(s) => Some(trimmed(s)),
            PropValue::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// A number given as a JSON number or numeric text; 0 or empty counts as unknown when
    /// `zero_is_unknown` (inventories write 0 for "not measured").
    fn number(&mut self, key: &str, zero_is_unknown: bool) -> Result<Option<f64>, FeatureError> {
        let v = match self.map.remove(key) {
            None | Some(PropValue::Null) => return Ok(None),
            Some(PropValue::Number(n)) => n.as_f64(),
            Some(PropValue::Str(s)) if s.trim().is_empty() => return Ok(None),
            Some(PropValue::Str(s)) => s.trim().parse::<f64>().ok(),
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

    /// A length in metres: a JSON number in `default` units, or text with an optional unit
    /// suffix (`6.28 inches`). 0 or empty is unknown.
    fn length(&mut self, key: &str, default: LengthUnit) -> Result<Option<f64>, FeatureError> {
        let metres = match self.map.get(key) {
            None => return Ok(None),
            Some(PropValue::Null) => None,
            Some(PropValue::Number(n)) => match n.as_f64() {
                Some(v) if v >= 0.0 => Some(v * default.metres()),
                _ => return Err(self.err(key, format!("{n} is not a length"))),
            },
            Some(PropValue::Str(s)) if is_blank(s) => None,
            Some(PropValue::Str(s)) => {
                Some(parse_length(s, default, false).map_err(|e| self.err(key, e.to_string()))?)
            }
            Some(other) => return Err(self.err(key, format!("{other} is not a length"))),
        };
        self.map.remove(key);
        Ok(metres.filter(|m| *m > 0.0))
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

    /// A date (ISO, day or month first, a bare year); placeholders such as 1900-01-01 are
    /// unknown.
    fn date(&mut self, key: &str) -> Result<Option<NaiveDate>, FeatureError> {
        let Some(s) = self.text(key) else {
            return Ok(None);
        };
        parse_date(&s, self.opts.date_order).map_err(|e| self.err(key, e.to_string()))
    }
}

/// Converts a valid feature into a zone or an asset record (not yet stored: id 0).
pub fn to_model(
    raw: &RawFeature,
    default_kind: Option<AssetKind>,
    source: &str,
) -> Result<Parsed, FeatureError> {
    let opts = ModelOptions {
        kind: default_kind,
        ..ModelOptions::default()
    };
    read_feature(raw.clone(), &opts, source)
}

/// Converts a valid feature, taking it by value (no copy of its properties or geometry).
pub fn read_feature(
    raw: RawFeature,
    opts: &ModelOptions,
    source: &str,
) -> Result<Parsed, FeatureError> {
    let RawFeature {
        index,
        id,
        geometry,
        properties: mut map,
    } = raw;
    let from_tags = flatten_osm_tags(&mut map);
    let p = Props {
        map: PropMap::from_map(map),
        index,
        id,
        seen_label: None,
        from_tags,
        opts,
    };
    model(p, geometry, source)
}

/// Converts a feature read by [`super::geojson_read::fast_feature`]: the same rules as
/// [`read_feature`] on the same feature read as a JSON tree, and the same result.
pub fn read_fast_feature(
    f: FastFeature<'_>,
    index: usize,
    opts: &ModelOptions,
    source: &str,
) -> Result<Parsed, FeatureError> {
    let p = Props {
        map: PropMap(f.properties),
        index,
        id: f.id,
        seen_label: None,
        // Nested osmtogeojson `tags` are an object: such features take the tree reader.
        from_tags: false,
        opts,
    };
    model(p, f.geometry, source)
}

fn model(
    mut p: Props<'_, '_>,
    geometry: geo::Geometry<f64>,
    source: &str,
) -> Result<Parsed, FeatureError> {
    let opts = p.opts;
    let kind_text = p.text("kind");
    if kind_text.as_deref() == Some("zone") {
        return zone(p, geometry).map(Parsed::Zone);
    }
    let kind = match kind_text {
        Some(k) => k
            .parse::<AssetKind>()
            .map_err(|e| p.err("kind", format!("{e}, zone")))?,
        None => match opts.kind.or_else(|| infer_kind(&p.map, &geometry)) {
            Some(k) => k,
            None => {
                return Err(p.err(
                    "kind",
                    "missing, and nothing else tells what it is (natural=tree, leisure=park, a species, ...); add a `kind` property or pass --kind".into(),
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
    // Paris `idbase`: the source id when the feature has none.
    let idbase = if p.id.is_none() {
        p.text("idbase")
    } else {
        None
    };
    if p.id.is_none() {
        p.seen_label = (!asset_ref.is_empty())
            .then(|| asset_ref.clone())
            .or_else(|| idbase.clone());
    }
    let zone = p.text("zone");
    // NYC-style "dead" as a site state means an occupied site whose tree is dead.
    let dead_by_state = p
        .peek_str("site_state")
        .is_some_and(|s| s.eq_ignore_ascii_case("dead"));
    let site_state: SiteState = p.parsed("site_state")?.unwrap_or(SiteState::Occupied);
    let mut species = SpeciesInfo {
        latin: p.text("species").or_else(|| p.text("taxon")),
        genus: p.text("genus"),
        zh: p.text("species:zh"),
        en: p.text("species:en"),
    };
    paris_species(&mut p, &mut species);
    let area_given = p.number("area_m2", true)?;
    let area = || area_given.or_else(|| Some(geometry::area_m2(&geometry)).filter(|a| *a > 0.0));
    let data = match kind {
        AssetKind::Tree => {
            let mut dbh_cm = p.number("dbh_cm", true)?;
            // OSM circumference is in metres unless it says; Paris gives it in cm.
            // DBH = C / π, in cm.
            if dbh_cm.is_none() {
                dbh_cm = p
                    .length("circumference", LengthUnit::Metre)?
                    .map(|c| tidy(circumference_to_dbh_cm(c)));
            }
            if dbh_cm.is_none() {
                dbh_cm = p
                    .length("circonferenceencm", LengthUnit::Centimetre)?
                    .map(|c| tidy(circumference_to_dbh_cm(c)));
            }
            let mut height_m = p.number("height_m", true)?;
            if height_m.is_none() {
                height_m = p.length("height", LengthUnit::Metre)?.map(tidy);
            }
            if height_m.is_none() {
                height_m = p.length("hauteurenm", LengthUnit::Metre)?.map(tidy);
            }
            let crown_m = match p.number("crown_m", true)? {
                Some(c) => Some(c),
                None => p.length("diameter_crown", LengthUnit::Metre)?.map(tidy),
            };
            let mut condition: Option<Condition> = p.parsed("condition")?;
            if dead_by_state && condition.is_none() {
                condition = Some(Condition::Dead);
            }
            let planted = match p.date("planted")? {
                Some(d) => Some(d),
                // OSM start_date may be "~1950" or "C19": kept as a tag when it is not a date.
                None => match p
                    .peek_str("start_date")
                    .map(|s| parse_date(&s, opts.date_order))
                {
                    Some(Ok(d)) => {
                        p.map.remove("start_date");
                        d
                    }
                    _ => None,
                },
            };
            let heritage_grade = match p.number("heritage_grade", true)? {
                None => None,
                Some(g) if [1.0, 2.0, 3.0].contains(&g) => Some(g as u8),
                Some(g) => return Err(p.err("heritage_grade", format!("{g} must be 1, 2 or 3"))),
            };
            KindData::Tree(TreeOccupant {
                species: Arc::new(species),
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
            species: Arc::new(species),
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
    let source_id =
        p.id.take()
            .or(idbase)
            .or_else(|| (!asset_ref.is_empty()).then(|| asset_ref.clone()));
    let tags = into_tags(p.map);
    Ok(Parsed::Asset(Box::new(AssetRecord {
        id: 0,
        asset_ref,
        names,
        geometry,
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

/// Paris `genre` + `espece` make the latin name ("Pyrus communis"; `sp.` names only the
/// genus); `libellefrancais` is the French common name, kept as the tag `species:fr`.
fn paris_species(p: &mut Props<'_, '_>, species: &mut SpeciesInfo) {
    let genre = p.text("genre");
    let espece = p.text("espece");
    if let Some(fr) = p.map.remove("libellefrancais")
        && !fr.is_null()
    {
        p.map.insert_if_absent("species:fr", fr);
    }
    if genre.is_none() {
        if let Some(e) = espece {
            p.map.insert("espece", PropValue::Str(Cow::Owned(e)));
        }
        return;
    }
    let epithet = espece.filter(|e| !matches!(e.as_str(), "sp." | "sp" | "spp." | "spp"));
    if species.latin.is_none()
        && let (Some(g), Some(e)) = (&genre, &epithet)
    {
        species.latin = Some(format!("{g} {e}"));
    } else if let Some(e) = epithet {
        p.map.insert("espece", PropValue::Str(Cow::Owned(e)));
    }
    if species.genus.is_none() {
        species.genus = genre;
    } else if let Some(g) = genre {
        p.map.insert("genre", PropValue::Str(Cow::Owned(g)));
    }
}

fn zone(mut p: Props<'_, '_>, geometry: geo::Geometry<f64>) -> Result<ZoneRecord, FeatureError> {
    if !matches!(
        geometry,
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
    ) {
        return Err(FeatureError {
            index: p.index,
            id: p.label(),
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
        geometry: Some(geometry),
        tags: into_tags(p.map),
    })
}

/// osmtogeojson puts OSM tags under `properties.tags` and adds `type`, `id`, `relations`, `meta`.
/// Returns whether it did.
fn flatten_osm_tags(map: &mut Map<String, Value>) -> bool {
    if !matches!(map.get("tags"), Some(Value::Object(_))) {
        return false;
    }
    let Some(Value::Object(tags)) = map.remove("tags") else {
        return false;
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
    true
}

fn infer_kind(map: &PropMap<'_>, g: &geo::Geometry<f64>) -> Option<AssetKind> {
    let tag = |k: &str| map.get(k).and_then(PropValue::as_str);
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
    // A point that names a genus or species (OSM, ours, Paris `genre`/`espece`) or gives a trunk
    // size is a tree.
    let tree_like = [
        "species",
        "genus",
        "taxon",
        "dbh_cm",
        "species:en",
        "species:zh",
        "species:fr",
        "circumference",
        "genre",
        "espece",
        "libellefrancais",
        "circonferenceencm",
    ]
    .iter()
    .any(|k| map.contains_key(k));
    (tree_like && matches!(g, geo::Geometry::Point(_))).then_some(AssetKind::Tree)
}

fn into_tags(map: PropMap<'_>) -> BTreeMap<String, String> {
    map.0
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let s = match v {
                PropValue::Str(s) => s.into_owned(),
                other => other.to_string(),
            };
            (k.into_owned(), s)
        })
        .collect()
}

/// The text without surrounding white space, reusing an owned string when it has none.
fn trimmed(s: Cow<'_, str>) -> String {
    match s {
        Cow::Owned(o) if o.trim().len() == o.len() => o,
        other => other.trim().to_string(),
    }
}

#[cfg(test)]
mod fast_path_tests {
    //! The fast reader (no JSON tree) must read every feature it accepts exactly as the tree
    //! reader does; whatever it declines goes to the tree reader.
    use super::*;
    use crate::interchange::geojson_read::{ScanItem, fast_feature, scan_features, slow_feature};
    use crate::interchange::validate_feature;

    /// Reads every feature both ways; returns how many the fast reader took.
    fn compare(text: &str, opts: &ModelOptions) -> usize {
        let mut fast_taken = 0;
        let mut n = 0;
        scan_features("t.geojson", text.as_bytes(), &mut |item| {
            let i = n;
            n += 1;
            let raw = match item {
                ScanItem::Raw(raw) => raw,
                ScanItem::Value(v) => {
                    let _ = validate_feature(i, v);
                    return true;
                }
            };
            let slow = slow_feature(i, raw)
                .expect("JSON")
                .and_then(|f| read_feature(f, opts, "src"));
            if let Some(f) = fast_feature(raw) {
                fast_taken += 1;
                let fast = read_fast_feature(f, i, opts, "src");
                assert_eq!(
                    format!("{fast:?}"),
                    format!("{slow:?}"),
                    "feature {i}: {}",
                    raw.get()
                );
            }
            true
        })
        .unwrap();
        fast_taken
    }

    fn all_options() -> Vec<ModelOptions> {
        vec![
            ModelOptions::default(),
            ModelOptions {
                kind: Some(AssetKind::Tree),
                date_order: Some(DateOrder::Dmy),
            },
            ModelOptions {
                kind: Some(AssetKind::WaterFeature),
                date_order: Some(DateOrder::Mdy),
            },
        ]
    }

    #[test]
    fn shipped_datasets_read_the_same_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        crate::synth::city::synth_city(3000, 42, dir.path()).unwrap();
        let synth_assets = std::fs::read_to_string(dir.path().join("assets.geojson")).unwrap();
        let synth_zones = std::fs::read_to_string(dir.path().join("zones.geojson")).unwrap();
        let files = [
            include_str!("../../geodata/barkhor/barkhor.geojson").to_string(),
            include_str!("../../tests/fixtures/every_kind.geojson").to_string(),
            synth_assets,
            synth_zones,
        ];
        for opts in all_options() {
            for text in &files {
                let taken = compare(text, &opts);
                assert!(taken > 0, "the fast reader took none");
            }
        }
    }

    #[test]
    fn quirky_features_read_the_same_both_ways() {
        let g = r#""geometry":{"type":"Point","coordinates":[91.1,29.6]}"#;
        let props = [
            r#"{"kind":"tree","ref":" T\"1\u0041 ","dbh_cm":"  12.5 ","height_m":7,"crown_m":0}"#,
            r#"{"kind":"tree","ref":12,"dbh_cm":1e1,"height_m":-0,"crown_m":null,"note":true,"n2":false}"#,
            r#"{"kind":"tree","ref":"T2","dbh_cm":"abc"}"#,
            r#"{"kind":"tree","ref":"T3","dbh_cm":-4}"#,
            r#"{"kind":"tree","ref":"","name":"  ","name:zh":"树","species":"Ulmus pumila","planted":"03/04/2010"}"#,
            r#"{"kind":"tree","planted":"1900-01-01","condition":"good","heritage_grade":2}"#,
            r#"{"kind":"tree","heritage_grade":4}"#,
            r#"{"kind":"tree","condition":"shiny"}"#,
            r#"{"kind":"zone","name":"z"}"#,
            r#"{"kind":"Tree"}"#,
            r#"{"kind":"flower_box_group","box_count":2.5}"#,
            r#"{"kind":"flower_box_group","box_count":"3","box_length_m":"1.5","planting":" Viola ","planted":"2026"}"#,
            r#"{"natural":"tree","height":"20 ft","circumference":"6.28 inches","diameter_crown":6,"start_date":"~1950"}"#,
            r#"{"natural":"tree","height":"7'4\"","circumference":1.2,"start_date":"1987"}"#,
            r#"{"natural":"tree","height":"tall"}"#,
            r#"{"natural":"tree","height":true}"#,
            r#"{"natural":"tree","height":-3}"#,
            r#"{"idbase":2001,"genre":"Tilia","espece":"tomentosa","libellefrancais":"Tilleul","circonferenceencm":95,"hauteurenm":12,"domanialite":"Jardin"}"#,
            r#"{"idbase":"2002","genre":"Prunus","espece":"sp.","libellefrancais":null}"#,
            r#"{"espece":"alba","species:fr":"x","libellefrancais":"Saule"}"#,
            r#"{"genre":"Sorbus","genus":"Malus","species":"Malus domestica","espece":"aria"}"#,
            r#"{"species":"Pinus"}"#,
            r#"{"site_state":"dead","species":"Acer"}"#,
            r#"{"site_state":"vacant","kind":"tree"}"#,
            r#"{"leisure":"park","park_type":"garden"}"#,
            r#"{"amenity":"fountain"}"#,
            r#"{"waterway":"canal","volume_m3":"5"}"#,
            r#"{"water":"lake"}"#,
            r#"{"landuse":"grass","area_m2":0}"#,
            r#"{"zone":"north","kind":"tree","tags":"a string"}"#,
            r#"{"kind":"tree","tags":{"natural":"tree"}}"#,
            r#"{"kind":"tree","list":[1,2]}"#,
            r#"{"kind":"tree","ref":"A","ref":"B"}"#,
            r#"{"unknown":"x"}"#,
            r#"{}"#,
            r#"null"#,
            r#"[1]"#,
            r#"{"k\u00e9y":"v\n","kind":"tree","big":18446744073709551615,"neg":-9223372036854775808,"f":1.5e300}"#,
        ];
        let ids = [
            r#""id":"a1","#,
            r#""id":7,"#,
            r#""id":-2.5,"#,
            r#""id":null,"#,
            "",
            r#""id":[1],"#,
        ];
        let mut features = Vec::new();
        for p in props {
            for id in ids {
                features.push(format!(r#"{{"type":"Feature",{id}"properties":{p},{g}}}"#));
            }
        }
        let geometries = [
            r#"{"type":"Point","coordinates":[91.1,29.6,3650]}"#,
            r#"{"type":"Point","coordinates":[91,29]}"#,
            r#"{"type":"Point","coordinates":[181,29]}"#,
            r#"{"type":"Point","coordinates":[91,-91]}"#,
            r#"{"type":"Point","coordinates":[91]}"#,
            r#"{"type":"Point","coordinates":[91,29,1,2]}"#,
            r#"{"type":"Point","coordinates":[91,"29"]}"#,
            r#"{"type":"Point","coordinates":[91,29,"z"]}"#,
            r#"{"coordinates":[91,29],"type":"Point","extra":{"a":1}}"#,
            r#"{"type":"Point"}"#,
            r#"{"type":"point","coordinates":[91,29]}"#,
            r#"{"type":"Point","coordinates":[91,29],"bbox":[1,2,3,4]}"#,
            r#"{"type":"MultiPoint","coordinates":[[91,29],[91.1,29.1]]}"#,
            r#"{"type":"MultiPoint","coordinates":[]}"#,
            r#"{"type":"LineString","coordinates":[[91,29],[91.1,29.1]]}"#,
            r#"{"type":"LineString","coordinates":[[91,29]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[[91,29],[91.1,29.1]],[[91.2,29],[91.3,29.1]]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[]]}"#,
            r#"{"type":"Polygon","coordinates":[[[91,29],[91.1,29],[91.1,29.1],[91,29]],[[91.01,29.01],[91.02,29.01],[91.02,29.02],[91.01,29.01]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[91,29],[91.1,29],[91.1,29.1],[91,29.1]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[91,29],[91.1,29],[91,29]]]}"#,
            r#"{"type":"Polygon","coordinates":[]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[91,29],[91.1,29],[91.1,29.1],[91,29]]],[[[92,29],[92.1,29],[92.1,29.1],[92,29]]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[]]}"#,
            r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[91,29]}]}"#,
            r#"null"#,
        ];
        for geom in geometries {
            for p in [
                r#"{"kind":"tree"}"#,
                r#"{"kind":"zone","name":"z"}"#,
                r#"{"kind":"park"}"#,
            ] {
                features.push(format!(
                    r#"{{"type":"Feature","properties":{p},"geometry":{geom}}}"#
                ));
            }
        }
        for other in [
            r#"{"type":"Feature","properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[1,2]},"bbox":[0,1,2,3]}"#,
            r#"{"type":"Feature","type":"Feature","properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"type":"feature","properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"tree"},"type":"Feature","id":"late"}"#,
            r#"{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"type":"Feature","properties":[1],"geometry":{"type":"Point","coordinates":[1,2]}}"#,
            r#"{"type":"Feature","properties":{"kind":"tree"}}"#,
            r#"{"type":"Fe\u0061ture","properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
        ] {
            features.push(other.to_string());
        }
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",\n")
        );
        for opts in all_options() {
            let taken = compare(&text, &opts);
            assert!(taken > features.len() / 3, "fast reader took only {taken}");
        }
        // Newline-delimited: the first feature is read as a tree, the others scanned.
        let ndjson = features.join("\n");
        compare(&ndjson, &ModelOptions::default());
    }
}
