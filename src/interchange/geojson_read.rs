//! Streaming GeoJSON reader with RFC 7946 validation.
//!
//! Reads a FeatureCollection (its `features` array streamed one feature at a time, so a million
//! features never sit in memory as one JSON tree), a single Feature, or newline-delimited
//! Features. Root-level problems (not JSON, a projected `crs`, a bad `bbox`) reject the file;
//! feature-level problems are reported per feature with its index and id, so the caller can
//! refuse the import or skip the feature.

use std::borrow::Cow;
use std::fmt;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

/// A problem with the file as a whole.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{file}: not valid JSON: {source}")]
    Json {
        file: String,
        source: serde_json::Error,
    },
    #[error("{file}: {message}")]
    Root { file: String, message: String },
    #[error(
        "{file}: the file is projected (crs {crs}); GeoJSON must be WGS84 lon/lat (RFC 7946)\n  convert it first, e.g.: ogr2ogr -t_srs EPSG:4326 out.geojson {file}"
    )]
    Projected { file: String, crs: String },
}

/// A problem with one feature: which one, which field, what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureError {
    /// 0-based position of the feature in the file.
    pub index: usize,
    /// The feature's `id`, or its `ref` property, when it has one.
    pub id: Option<String>,
    /// The JSON path of the bad field (`geometry.coordinates[0][3]`, `properties.dbh_cm`).
    pub field: String,
    pub message: String,
}

impl fmt::Display for FeatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "feature {}", self.index)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}: {}", self.field, self.message)
    }
}

/// A feature whose structure and geometry are valid.
#[derive(Debug, Clone)]
pub struct RawFeature {
    pub index: usize,
    /// The `id` member as text.
    pub id: Option<String>,
    pub geometry: Geometry<f64>,
    pub properties: Map<String, Value>,
}

impl RawFeature {
    /// The id or ref to name this feature in messages.
    pub fn label(&self) -> Option<String> {
        self.id.clone().or_else(|| {
            self.properties.get("ref").map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
        })
    }
}

/// Reads GeoJSON bytes, calling `sink` with each feature (valid or not) in file order.
pub fn read_features(
    file: &str,
    bytes: &[u8],
    sink: &mut dyn FnMut(Result<RawFeature, FeatureError>),
) -> Result<(), FileError> {
    let mut count = 0usize;
    let mut on_feature = |f: ScanItem<'_>| {
        let v = match f {
            ScanItem::Value(v) => v,
            ScanItem::Raw(_) => unreachable!("the value reader yields values"),
        };
        sink(validate_feature(count, v));
        count += 1;
        true
    };
    read_root(file, bytes, false, &mut on_feature)
}

/// One feature as [`scan_features`] finds it.
pub enum ScanItem<'de> {
    /// A feature's JSON text, borrowed from the input: parse it with [`fast_feature`], and with
    /// [`slow_feature`] when that declines.
    Raw(&'de RawValue),
    /// A feature already read as a JSON tree (the first one of a newline-delimited file).
    Value(Value),
}

/// Like [`read_features`], but hands each feature over unparsed (its JSON text), so the caller
/// can read the common shape without building a JSON tree. `sink` returns false to stop early,
/// which ends the scan with an error.
///
/// The JSON is checked as it is scanned; the file-level rules are those of [`read_features`].
/// Where the two could differ (a number out of range is caught by the tree reader only), the
/// caller meets an error here or in [`slow_feature`]: it then re-reads the file with
/// [`read_features`], whose message is the reference.
pub fn scan_features<'de>(
    file: &str,
    bytes: &'de [u8],
    sink: &mut dyn FnMut(ScanItem<'de>) -> bool,
) -> Result<(), FileError> {
    read_root(file, bytes, true, sink)
}

fn read_root<'de>(
    file: &str,
    bytes: &'de [u8],
    raw: bool,
    on_feature: &mut dyn FnMut(ScanItem<'de>) -> bool,
) -> Result<(), FileError> {
    let json_err = |source| FileError::Json {
        file: file.to_string(),
        source,
    };
    let root_err = |message: String| FileError::Root {
        file: file.to_string(),
        message,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut count = 0usize;
    let members = RootSeed {
        on_feature: &mut *on_feature,
        raw,
        count: &mut count,
    }
    .deserialize(&mut de)
    .map_err(json_err)?;
    let root_type = match members.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => {
            return Err(root_err(format!(
                "root member \"type\" must be a string, found {other}"
            )));
        }
        None => return Err(root_err("root object has no \"type\" member".into())),
    };
    check_crs(file, &members)?;
    if let Some(b) = members.get("bbox") {
        check_bbox(b).map_err(|m| root_err(format!("root bbox: {m}")))?;
    }
    match root_type.as_str() {
        "FeatureCollection" => {
            if !members.contains_key("features") && count == 0 {
                return Err(root_err(
                    "FeatureCollection has no \"features\" array".into(),
                ));
            }
            de.end()
                .map_err(|_| root_err("unexpected content after the FeatureCollection".into()))?;
        }
        "Feature" => {
            if members.contains_key("features") {
                return Err(root_err(
                    "a Feature must not have a \"features\" member".into(),
                ));
            }
            if !on_feature(ScanItem::Value(Value::Object(members))) {
                return Err(json_err(serde_json::Error::custom(STOPPED)));
            }
            // Newline-delimited GeoJSON: more Features may follow, one per line.
            while de.end().is_err() {
                let item = if raw {
                    ScanItem::Raw(serde::Deserialize::deserialize(&mut de).map_err(json_err)?)
                } else {
                    ScanItem::Value(serde::Deserialize::deserialize(&mut de).map_err(json_err)?)
                };
                if !on_feature(item) {
                    return Err(json_err(serde_json::Error::custom(STOPPED)));
                }
            }
        }
        other => {
            let hint = match other.to_ascii_lowercase().as_str() {
                "featurecollection" => " (type names are case-sensitive: FeatureCollection)",
                "feature" => " (type names are case-sensitive: Feature)",
                _ => "",
            };
            return Err(root_err(format!(
                "root \"type\" is \"{other}\"; greenward reads a FeatureCollection, a Feature, or newline-delimited Features{hint}"
            )));
        }
    }
    Ok(())
}

/// The message of the error that ends a scan its sink stopped.
const STOPPED: &str = "stopped by the reader";

/// Streams the root object: `features` elements go to the callback, other members are kept.
struct RootSeed<'a, 'de> {
    on_feature: &'a mut dyn FnMut(ScanItem<'de>) -> bool,
    /// Hand features over as raw JSON text instead of JSON trees.
    raw: bool,
    count: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, 'de> {
    type Value = Map<String, Value>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, 'de> {
    type Value = Map<String, Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GeoJSON object (FeatureCollection or Feature)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" {
                map.next_value_seed(FeaturesSeed {
                    on_feature: &mut *self.on_feature,
                    raw: self.raw,
                    count: &mut *self.count,
                })?;
                members.insert(key, Value::Null);
            } else {
                let v: Value = map.next_value()?;
                members.insert(key, v);
            }
        }
        Ok(members)
    }
}

struct FeaturesSeed<'a, 'de> {
    on_feature: &'a mut dyn FnMut(ScanItem<'de>) -> bool,
    raw: bool,
    count: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"features\" to be an array of Feature objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let item = if self.raw {
                match seq.next_element::<&'de RawValue>()? {
                    Some(r) => ScanItem::Raw(r),
                    None => break,
                }
            } else {
                match seq.next_element::<Value>()? {
                    Some(v) => ScanItem::Value(v),
                    None => break,
                }
            };
            *self.count += 1;
            if !(self.on_feature)(item) {
                return Err(A::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

const WGS84_NAMES: &[&str] = &[
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG:4326",
    "EPSG:4326",
    "CRS84",
    "WGS84",
];

fn check_crs(file: &str, members: &Map<String, Value>) -> Result<(), FileError> {
    let Some(crs) = members.get("crs") else {
        return Ok(());
    };
    if crs.is_null() {
        return Ok(());
    }
    let name = crs
        .pointer("/properties/name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| crs.to_string());
    if WGS84_NAMES.iter().any(|w| w.eq_ignore_ascii_case(&name)) {
        return Ok(());
    }
    Err(FileError::Projected {
        file: file.to_string(),
        crs: name,
    })
}

fn check_bbox(b: &Value) -> Result<(), String> {
    let arr = b.as_array().ok_or("must be an array of numbers")?;
    if arr.len() != 4 && arr.len() != 6 {
        return Err(format!("must have 4 or 6 numbers, found {}", arr.len()));
    }
    let nums: Vec<f64> = arr
        .iter()
        .map(|v| v.as_f64().ok_or_else(|| format!("{v} is not a number")))
        .collect::<Result<_, _>>()?;
    let half = nums.len() / 2;
    // RFC 7946 §5.2: west may exceed east across the antimeridian; south must not exceed north.
    if nums[1] > nums[half + 1] {
        return Err(format!(
            "south {} is greater than north {}",
            nums[1],
            nums[half + 1]
        ));
    }
    Ok(())
}

/// Checks one feature read as a JSON tree (RFC 7946 structure and geometry).
pub fn validate_feature(index: usize, v: Value) -> Result<RawFeature, FeatureError> {
    let Value::Object(mut obj) = v else {
        return Err(FeatureError {
            index,
            id: None,
            field: "feature".into(),
            message: format!("must be a JSON object, found {}", kind_of(&v)),
        });
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(FeatureError {
                index,
                id: None,
                field: "id".into(),
                message: format!("must be a string or a number, found {}", kind_of(other)),
            });
        }
    };
    let label = id.clone().or_else(|| {
        obj.get("properties")
            .and_then(|p| p.get("ref"))
            .and_then(|r| {
                r.as_str()
                    .map(str::to_string)
                    .or_else(|| r.as_number().map(|n| n.to_string()))
            })
    });
    let err = |field: &str, message: String| FeatureError {
        index,
        id: label.clone(),
        field: field.to_string(),
        message,
    };
    match obj.get("type") {
        Some(Value::String(t)) if t == "Feature" => {}
        Some(Value::String(t)) => {
            let hint = if t.eq_ignore_ascii_case("feature") {
                " (case-sensitive)"
            } else {
                ""
            };
            return Err(err(
                "type",
                format!("must be \"Feature\", found \"{t}\"{hint}"),
            ));
        }
        Some(other) => {
            return Err(err(
                "type",
                format!("must be the string \"Feature\", found {}", kind_of(other)),
            ));
        }
        None => {
            return Err(err(
                "type",
                "missing; every feature needs \"type\": \"Feature\"".into(),
            ));
        }
    }
    if let Some(b) = obj.get("bbox") {
        check_bbox(b).map_err(|m| err("bbox", m))?;
    }
    let properties = match obj.remove("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(err(
                "properties",
                format!("must be an object or null, found {}", kind_of(&other)),
            ));
        }
    };
    let geometry = match obj.get("geometry") {
        None | Some(Value::Null) => {
            return Err(err(
                "geometry",
                "missing or null; greenward needs every asset's location".into(),
            ));
        }
        Some(g) => parse_geometry(g, "geometry").map_err(|(f, m)| err(&f, m))?,
    };
    Ok(RawFeature {
        index,
        id,
        geometry,
        properties,
    })
}

/// Reads a feature handed over by [`scan_features`] as a JSON tree and checks it, as
/// [`read_features`] does. An `Err` means the text is JSON the tree reader refuses (the scan
/// only skims it): re-read the file with [`read_features`] for the reference message.
pub fn slow_feature(
    index: usize,
    raw: &RawValue,
) -> Result<Result<RawFeature, FeatureError>, serde_json::Error> {
    let v: Value = serde_json::from_str(raw.get())?;
    Ok(validate_feature(index, v))
}

/// A property value read without a JSON tree; arrays and objects only come from the tree reader.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    /// An array or an object.
    Json(Value),
}

impl PropValue<'_> {
    pub fn from_value(v: Value) -> PropValue<'static> {
        match v {
            Value::Null => PropValue::Null,
            Value::Bool(b) => PropValue::Bool(b),
            Value::Number(n) => PropValue::Number(n),
            Value::String(s) => PropValue::Str(Cow::Owned(s)),
            other => PropValue::Json(other),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, PropValue::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The JSON text of the value, as `serde_json::Value` prints it.
impl fmt::Display for PropValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropValue::Null => f.write_str("null"),
            PropValue::Bool(b) => write!(f, "{b}"),
            PropValue::Number(n) => write!(f, "{n}"),
            PropValue::Str(s) => write!(f, "{}", Value::String(s.to_string())),
            PropValue::Json(v) => write!(f, "{v}"),
        }
    }
}

/// A feature of the common shape, read straight from its JSON text: valid structure and
/// geometry, properties whose values are strings, numbers, booleans or null.
#[derive(Debug, Clone)]
pub struct FastFeature<'a> {
    pub id: Option<String>,
    pub geometry: Geometry<f64>,
    /// In file order; no key twice.
    pub properties: Vec<(Cow<'a, str>, PropValue<'a>)>,
}

/// Reads a feature of the common shape without building a JSON tree. `None` when the feature is
/// anything else: invalid, a `bbox`, a GeometryCollection, nested property values, a key given
/// twice. The caller then reads it with [`slow_feature`], which decides and words any error;
/// whenever this returns a feature, [`slow_feature`] accepts it and reads the same one.
pub fn fast_feature<'a>(raw: &'a RawValue) -> Option<FastFeature<'a>> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let parts = serde::Deserializer::deserialize_map(&mut de, FeatureVisitor).ok()?;
    if parts.kind.as_deref() != Some("Feature") {
        return None;
    }
    let (gtype, coords) = parts.geometry?;
    let geometry = fast_geometry(&gtype, coords?)?;
    Some(FastFeature {
        id: parts.id,
        geometry,
        properties: parts.properties,
    })
}

#[derive(Default)]
struct FeatureParts<'a> {
    kind: Option<Cow<'a, str>>,
    id: Option<String>,
    properties: Vec<(Cow<'a, str>, PropValue<'a>)>,
    /// Geometry type and coordinates (`None` when the geometry has no coordinates).
    geometry: Option<(Cow<'a, str>, Option<&'a RawValue>)>,
}

/// A string, borrowed when it has no escapes.
struct CowStr<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A scalar property value (null, boolean, number, string); arrays and objects are refused.
struct Scalar<'a>(PropValue<'a>);

impl<'de> serde::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar(PropValue::Null))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar(PropValue::Bool(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar(PropValue::Number(v.into())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar(PropValue::Number(v.into())))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
                // As serde_json::Value reads it.
                Ok(Scalar(
                    Number::from_f64(v).map_or(PropValue::Null, PropValue::Number),
                ))
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Scalar(PropValue::Str(Cow::Borrowed(v))))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar(PropValue::Str(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar(PropValue::Str(Cow::Owned(v))))
            }
        }
        d.deserialize_any(V)
    }
}

/// The feature `id`: a string or a number (as text), or null.
struct FeatureId(Option<String>);

impl<'de> serde::Deserialize<'de> for FeatureId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Scalar::deserialize(d)?.0 {
            PropValue::Null => Ok(FeatureId(None)),
            PropValue::Number(n) => Ok(FeatureId(Some(n.to_string()))),
            PropValue::Str(s) => Ok(FeatureId(Some(s.into_owned()))),
            _ => Err(D::Error::custom("id")),
        }
    }
}

/// Properties: an object of scalars, or null.
struct Properties<'a>(Vec<(Cow<'a, str>, PropValue<'a>)>);

impl<'de> serde::Deserialize<'de> for Properties<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Properties<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or null")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Properties(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(Cow<'de, str>, PropValue<'de>)> = Vec::with_capacity(16);
                while let Some(CowStr(k)) = map.next_key::<CowStr<'de>>()? {
                    if out.iter().any(|(have, _)| *have == k) {
                        return Err(A::Error::custom("duplicate key"));
                    }
                    let Scalar(v) = map.next_value()?;
                    out.push((k, v));
                }
                Ok(Properties(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A geometry object: its type and coordinates, kept as text until the type is known.
struct GeometryParts<'a>(Option<(Cow<'a, str>, Option<&'a RawValue>)>);

impl<'de> serde::Deserialize<'de> for GeometryParts<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GeometryParts<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a geometry object or null")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(GeometryParts(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut kind: Option<Cow<'de, str>> = None;
                let mut coords: Option<&'de RawValue> = None;
                while let Some(CowStr(k)) = map.next_key::<CowStr<'de>>()? {
                    match k.as_ref() {
                        "type" if kind.is_none() => kind = Some(map.next_value::<CowStr<'de>>()?.0),
                        "coordinates" if coords.is_none() => coords = Some(map.next_value()?),
                        "type" | "coordinates" | "bbox" | "geometries" => {
                            return Err(A::Error::custom("not the common shape"));
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let kind = kind.ok_or_else(|| A::Error::custom("no type"))?;
                Ok(GeometryParts(Some((kind, coords))))
            }
        }
        d.deserialize_any(V)
    }
}

struct FeatureVisitor;

impl<'de> Visitor<'de> for FeatureVisitor {
    type Value = FeatureParts<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Feature object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = FeatureParts::default();
        let (mut id, mut props, mut geom) = (false, false, false);
        let twice = || A::Error::custom("member given twice");
        while let Some(CowStr(k)) = map.next_key::<CowStr<'de>>()? {
            match k.as_ref() {
                "type" => {
                    if out.kind.is_some() {
                        return Err(twice());
                    }
                    out.kind = Some(map.next_value::<CowStr<'de>>()?.0);
                }
                "id" => {
                    if std::mem::replace(&mut id, true) {
                        return Err(twice());
                    }
                    out.id = map.next_value::<FeatureId>()?.0;
                }
                "properties" => {
                    if std::mem::replace(&mut props, true) {
                        return Err(twice());
                    }
                    out.properties = map.next_value::<Properties<'de>>()?.0;
                }
                "geometry" => {
                    if std::mem::replace(&mut geom, true) {
                        return Err(twice());
                    }
                    out.geometry = map.next_value::<GeometryParts<'de>>()?.0;
                }
                "bbox" => return Err(A::Error::custom("bbox is checked by the tree reader")),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// A position: 2 or 3 numbers, longitude and latitude in range.
struct Pos(Coord<f64>);

impl<'de> serde::Deserialize<'de> for Pos {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a position")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                let bad = || A::Error::custom("not a valid position");
                let x: f64 = seq.next_element()?.ok_or_else(bad)?;
                let y: f64 = seq.next_element()?.ok_or_else(bad)?;
                if seq.next_element::<f64>()?.is_some()
                    && seq.next_element::<IgnoredAny>()?.is_some()
                {
                    return Err(bad());
                }
                if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                    return Err(bad());
                }
                Ok(Pos(Coord { x, y }))
            }
        }
        d.deserialize_seq(V)
    }
}

fn fast_geometry(kind: &str, coords: &RawValue) -> Option<Geometry<f64>> {
    fn parse<'a, T: serde::Deserialize<'a>>(c: &'a RawValue) -> Option<T> {
        serde_json::from_str(c.get()).ok()
    }
    fn line(c: Vec<Pos>) -> Option<LineString<f64>> {
        (c.len() >= 2).then(|| LineString(c.into_iter().map(|p| p.0).collect()))
    }
    fn polygon(rings: Vec<Vec<Pos>>) -> Option<Polygon<f64>> {
        if rings.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(rings.len());
        for r in rings {
            let ring = line(r)?;
            if ring.0.len() < 4 || ring.0.first() != ring.0.last() {
                return None;
            }
            out.push(ring);
        }
        let exterior = out.remove(0);
        Some(Polygon::new(exterior, out))
    }
    fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
        (!v.is_empty()).then_some(v)
    }
    Some(match kind {
        "Point" => Geometry::Point(Point(parse::<Pos>(coords)?.0)),
        "Polygon" => Geometry::Polygon(polygon(parse(coords)?)?),
        "LineString" => Geometry::LineString(line(non_empty(parse(coords)?)?)?),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(
            non_empty(parse::<Vec<Pos>>(coords)?)?
                .into_iter()
                .map(|p| Point(p.0))
                .collect(),
        )),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(
            non_empty(parse::<Vec<Vec<Pos>>>(coords)?)?
                .into_iter()
                .map(|l| non_empty(l).and_then(line))
                .collect::<Option<_>>()?,
        )),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(
            non_empty(parse::<Vec<Vec<Vec<Pos>>>>(coords)?)?
                .into_iter()
                .map(polygon)
                .collect::<Option<_>>()?,
        )),
        _ => return None,
    })
}

type GeomResult<T> = Result<T, (String, String)>;

/// Parses and checks a GeoJSON geometry object (RFC 7946 §3.1).
pub fn parse_geometry(g: &Value, path: &str) -> GeomResult<Geometry<f64>> {
    let obj = g.as_object().ok_or_else(|| {
        (
            path.to_string(),
            format!("must be an object, found {}", kind_of(g)),
        )
    })?;
    let t = match obj.get("type") {
        Some(Value::String(t)) => t.as_str(),
        _ => return Err((format!("{path}.type"), "missing or not a string".into())),
    };
    if let Some(b) = obj.get("bbox") {
        check_bbox(b).map_err(|m| (format!("{path}.bbox"), m))?;
    }
    if t == "GeometryCollection" {
        let geoms = obj
            .get("geometries")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                (
                    format!("{path}.geometries"),
                    "missing or not an array".into(),
                )
            })?;
        if geoms.is_empty() {
            return Err((format!("{path}.geometries"), "is empty".into()));
        }
        let parts = geoms
            .iter()
            .enumerate()
            .map(|(i, g)| parse_geometry(g, &format!("{path}.geometries[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Geometry::GeometryCollection(geo::GeometryCollection(parts)));
    }
    let cpath = format!("{path}.coordinates");
    let c = obj
        .get("coordinates")
        .ok_or_else(|| (cpath.clone(), "missing".to_string()))?;
    Ok(match t {
        "Point" => Geometry::Point(Point(position(c, &cpath)?)),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(
            non_empty(c, &cpath)?
                .iter()
                .enumerate()
                .map(|(i, p)| position(p, &format!("{cpath}[{i}]")).map(Point))
                .collect::<Result<_, _>>()?,
        )),
        "LineString" => Geometry::LineString(line(c, &cpath)?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(
            non_empty(c, &cpath)?
                .iter()
                .enumerate()
                .map(|(i, l)| line(l, &format!("{cpath}[{i}]")))
                .collect::<Result<_, _>>()?,
        )),
        "Polygon" => Geometry::Polygon(polygon(c, &cpath)?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(
            non_empty(c, &cpath)?
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("{cpath}[{i}]")))
                .collect::<Result<_, _>>()?,
        )),
        other => {
            return Err((
                format!("{path}.type"),
                format!(
                    "\"{other}\" is not a GeoJSON geometry type (Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon, GeometryCollection; case-sensitive)"
                ),
            ));
        }
    })
}

fn non_empty<'v>(c: &'v Value, path: &str) -> GeomResult<&'v Vec<Value>> {
    let arr = c.as_array().ok_or_else(|| {
        (
            path.to_string(),
            format!("must be an array, found {}", kind_of(c)),
        )
    })?;
    if arr.is_empty() {
        return Err((
            path.to_string(),
            "is empty (empty geometries are not accepted)".into(),
        ));
    }
    Ok(arr)
}

fn position(c: &Value, path: &str) -> GeomResult<Coord<f64>> {
    let arr = c.as_array().ok_or_else(|| {
        (
            path.to_string(),
            format!(
                "a position must be an array of numbers, found {}",
                kind_of(c)
            ),
        )
    })?;
    if arr.len() < 2 || arr.len() > 3 {
        return Err((
            path.to_string(),
            format!("a position needs 2 or 3 numbers, found {}", arr.len()),
        ));
    }
    let mut n = [0.0f64; 3];
    for (i, v) in arr.iter().enumerate() {
        n[i] = v
            .as_f64()
            .ok_or_else(|| (format!("{path}[{i}]"), format!("{v} is not a number")))?;
    }
    if !(-180.0..=180.0).contains(&n[0]) {
        return Err((
            path.to_string(),
            format!(
                "longitude {} is outside -180..180 (is the file projected, or are lon and lat swapped?)",
                n[0]
            ),
        ));
    }
    if !(-90.0..=90.0).contains(&n[1]) {
        return Err((
            path.to_string(),
            format!(
                "latitude {} is outside -90..90 (is the file projected, or are lon and lat swapped?)",
                n[1]
            ),
        ));
    }
    Ok(Coord { x: n[0], y: n[1] })
}

fn line(c: &Value, path: &str) -> GeomResult<LineString<f64>> {
    let arr = non_empty(c, path)?;
    if arr.len() < 2 {
        return Err((
            path.to_string(),
            format!("a line needs at least 2 positions, found {}", arr.len()),
        ));
    }
    Ok(LineString(
        arr.iter()
            .enumerate()
            .map(|(i, p)| position(p, &format!("{path}[{i}]")))
            .collect::<Result<_, _>>()?,
    ))
}

fn polygon(c: &Value, path: &str) -> GeomResult<Polygon<f64>> {
    let rings = non_empty(c, path)?;
    let mut out = Vec::with_capacity(rings.len());
    for (i, r) in rings.iter().enumerate() {
        let rpath = format!("{path}[{i}]");
        let ring = line(r, &rpath)?;
        if ring.0.len() < 4 {
            return Err((
                rpath,
                format!(
                    "a linear ring needs at least 4 positions, found {}",
                    ring.0.len()
                ),
            ));
        }
        if ring.0.first() != ring.0.last() {
            return Err((
                rpath,
                "linear ring is not closed (first and last positions differ)".into(),
            ));
        }
        out.push(ring);
    }
    let exterior = out.remove(0);
    Ok(Polygon::new(exterior, out))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<RawFeature>, Vec<FeatureError>) {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        read_features("t.geojson", text.as_bytes(), &mut |r| match r {
            Ok(f) => ok.push(f),
            Err(e) => bad.push(e),
        })
        .unwrap();
        (ok, bad)
    }

    fn first_error(feature: &str) -> String {
        let text = format!(r#"{{"type":"FeatureCollection","features":[{feature}]}}"#);
        let (_, bad) = read(&text);
        assert_eq!(bad.len(), 1, "expected one error for {feature}");
        bad[0].to_string()
    }

    #[test]
    fn collection_single_feature_and_ndjson_all_read() {
        let f = r#"{"type":"Feature","id":7,"properties":{"kind":"tree"},"geometry":{"type":"Point","coordinates":[91.1,29.6]}}"#;
        assert_eq!(
            read(&format!(
                r#"{{"type":"FeatureCollection","features":[{f},{f}]}}"#
            ))
            .0
            .len(),
            2
        );
        assert_eq!(read(f).0.len(), 1);
        let (ok, _) = read(&format!("{f}\n{f}\n{f}\n"));
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[2].index, 2);
        assert_eq!(ok[0].id.as_deref(), Some("7"));
    }

    #[test]
    fn invalid_features_name_index_id_and_field() {
        let p = r#""properties":{"ref":"T1"}"#;
        let cases = [
            (format!(r#"{{"type":"feature",{p},"geometry":{{"type":"Point","coordinates":[1,2]}}}}"#), "feature 0 (T1): type: must be \"Feature\", found \"feature\" (case-sensitive)"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"Point","coordinates":[200,2]}}}}"#), "feature 0 (T1): geometry.coordinates: longitude 200 is outside -180..180"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"Point","coordinates":[1,2,3,4]}}}}"#), "feature 0 (T1): geometry.coordinates: a position needs 2 or 3 numbers, found 4"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"Point","coordinates":[1,"2"]}}}}"#), "feature 0 (T1): geometry.coordinates[1]: \"2\" is not a number"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"LineString","coordinates":[[1,2]]}}}}"#), "feature 0 (T1): geometry.coordinates: a line needs at least 2 positions, found 1"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}}}"#), "feature 0 (T1): geometry.coordinates[0]: linear ring is not closed"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}}}"#), "feature 0 (T1): geometry.coordinates[0]: a linear ring needs at least 4 positions, found 3"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"MultiPoint","coordinates":[]}}}}"#), "feature 0 (T1): geometry.coordinates: is empty"),
            (format!(r#"{{"type":"Feature",{p},"geometry":null}}"#), "feature 0 (T1): geometry: missing or null"),
            (format!(r#"{{"type":"Feature",{p},"geometry":{{"type":"point","coordinates":[1,2]}}}}"#), "feature 0 (T1): geometry.type: \"point\" is not a GeoJSON geometry type"),
            (format!(r#"{{"type":"Feature",{p},"bbox":[0,5,1,2],"geometry":{{"type":"Point","coordinates":[1,2]}}}}"#), "feature 0 (T1): bbox: south 5 is greater than north 2"),
            (r#"{"type":"Feature","properties":[1],"geometry":{"type":"Point","coordinates":[1,2]}}"#.to_string(), "feature 0: properties: must be an object or null, found an array"),
            (r#"{"type":"Feature","id":[1],"geometry":{"type":"Point","coordinates":[1,2]}}"#.to_string(), "feature 0: id: must be a string or a number, found an array"),
            ("[1,2]".to_string(), "feature 0: feature: must be a JSON object, found an array"),
        ];
        for (feature, expect) in cases {
            let got = first_error(&feature);
            assert!(
                got.starts_with(expect),
                "got: {got}\nexpected to start with: {expect}"
            );
        }
    }

    #[test]
    fn winding_order_and_extra_precision_are_accepted() {
        // Clockwise exterior ring (RFC 7946 says parsers must not reject it) and 15 decimals.
        let f = r#"{"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1.123456789012345],[1,1],[1,0],[0,0]]]}}"#;
        let (ok, bad) = read(f);
        assert_eq!((ok.len(), bad.len()), (1, 0));
    }

    #[test]
    fn root_problems_reject_the_file() {
        let e = |t: &str| {
            read_features("x.geojson", t.as_bytes(), &mut |_| {})
                .unwrap_err()
                .to_string()
        };
        assert!(e(r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32646"}},"features":[]}"#)
            .contains("the file is projected (crs urn:ogc:def:crs:EPSG::32646)"));
        assert!(e(r#"{"type":"featurecollection","features":[]}"#).contains("case-sensitive"));
        assert!(e(r#"{"type":"FeatureCollection","features":{}}"#).contains("not valid JSON"));
        assert!(
            e(r#"{"type":"FeatureCollection","features":[]} x"#).contains("unexpected content")
        );
        assert!(
            e(r#"{"type":"FeatureCollection","bbox":[1,2],"features":[]}"#).contains("root bbox")
        );
        assert!(e("[]").contains("not valid JSON"));
        // WGS84 named explicitly is fine.
        read_features("x", br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}"#, &mut |_| {}).unwrap();
    }
}
