//! CSV reader for city tree inventories as they are published.
//!
//! The delimiter (comma, semicolon or tab) is detected from the header row; quoted fields, a
//! UTF-8 byte-order mark and CRLF line ends are read. Header names are matched against the
//! aliases of the common formats (NYC street tree census, Paris "les arbres", generic
//! `lon`/`lat`, `species`, `dbh_cm`, ..., and our own export) case-insensitively, ignoring
//! spaces, underscores, hyphens, brackets and French accents; `--map COLUMN=FIELD` names the
//! columns the aliases miss. Every other column is kept as a tag.
//!
//! Each row is turned into properties with our keys, in our units (sizes converted here, see
//! [`super::units`]), and goes through the same mapping as a GeoJSON feature
//! ([`super::properties`]). A bad row is reported with its line and column; the caller refuses
//! the file or skips the row.

use std::fmt;
use std::str::FromStr;

use geo::{Coord, Geometry, Point};
use serde_json::{Map, Value};

use super::dates::{is_blank, parse_date};
use super::geojson_read::{RawFeature, parse_geometry};
use super::properties::{MODEL_KEYS, ModelOptions, Parsed, read_feature};
use super::units::{LengthUnit, circumference_to_dbh_cm, parse_length, parse_number, tidy};
use crate::model::AssetKind;

/// A problem with the file as a whole (or with how it was described on the command line).
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{file}: the file is empty; a CSV import needs a header row")]
    Empty { file: String },
    #[error("{file}: column {column} of the header row is not UTF-8 text; save the file as UTF-8")]
    HeaderNotUtf8 { file: String, column: usize },
    #[error(
        "{file}: no coordinate columns (lon/lat, longitude/latitude, x/y, geo_point_2d, geometry); the columns are: {columns}\n  name them with --map, e.g. --map COLUMN=lon,COLUMN=lat"
    )]
    NoCoordinates { file: String, columns: String },
    #[error(
        "{file}: column {have} gives {what} but no column gives {missing}; name it with --map COLUMN={missing}"
    )]
    HalfPair {
        file: String,
        have: String,
        what: &'static str,
        missing: &'static str,
    },
    #[error("{file}: --map {entry}: {reason}")]
    BadMap {
        file: String,
        entry: String,
        reason: String,
    },
    #[error("{file}: not readable as CSV: {source}")]
    Csv { file: String, source: csv::Error },
}

/// One `--map COLUMN=FIELD` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub column: String,
    pub field: String,
}

impl FromStr for ColumnMap {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some((c, f)) if !c.trim().is_empty() && !f.trim().is_empty() => Ok(ColumnMap {
                column: c.trim().to_string(),
                field: f.trim().to_string(),
            }),
            _ => Err(format!(
                "'{s}' must be written COLUMN=FIELD, e.g. girth=circumference_cm"
            )),
        }
    }
}

impl fmt::Display for ColumnMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.column, self.field)
    }
}

/// A row that cannot be imported: its line in the file, the column (or what is wrong), why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// 1-based line where the row starts.
    pub line: u64,
    /// `column tree_dbh`, or what the problem is about when no one column is (`fields`, `kind`).
    pub field: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

/// What a size column measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Size {
    Dbh,
    Circumference,
    Height,
    Crown,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Id,
    Lon,
    Lat,
    /// "lat, lon" in one cell (Paris `geo_point_2d`).
    LatLon,
    /// A GeoJSON geometry object or a WKT `POINT` in one cell.
    Geometry,
    /// Text handed to the model under this property key.
    Text(&'static str),
    /// A plain number under this property key.
    Number(&'static str),
    /// A length; bare numbers are in this unit, a suffix (`12 in`) overrides it.
    Size(Size, LengthUnit),
    /// A date under this property key.
    Date(&'static str),
    /// Dropped (`--map COLUMN=ignore`).
    Ignore,
    /// Kept as a tag even if its name is an alias (`--map COLUMN=tag`).
    Tag,
}

impl Field {
    /// Fields competing for the same slot: one column fills it, the others stay tags.
    fn slot(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Lon => "lon",
            Field::Lat => "lat",
            Field::LatLon => "latlon",
            Field::Geometry => "geometry",
            Field::Text(k) | Field::Number(k) | Field::Date(k) => k,
            Field::Size(Size::Dbh, _) => "dbh",
            Field::Size(Size::Circumference, _) => "circumference",
            Field::Size(Size::Height, _) => "height",
            Field::Size(Size::Crown, _) => "crown",
            Field::Ignore | Field::Tag => "",
        }
    }

    /// The model property this field becomes.
    fn key(self) -> &'static str {
        match self {
            Field::Size(Size::Dbh | Size::Circumference, _) => "dbh_cm",
            Field::Size(Size::Height, _) => "height_m",
            Field::Size(Size::Crown, _) => "crown_m",
            other => other.slot(),
        }
    }

    fn is_location(self) -> bool {
        matches!(
            self,
            Field::Lon | Field::Lat | Field::LatLon | Field::Geometry
        )
    }

    fn is_tree_like(self) -> bool {
        matches!(
            self,
            Field::Size(Size::Dbh | Size::Circumference, _)
                | Field::Text(
                    "species" | "genus" | "genre" | "espece" | "libellefrancais" | "species:en"
                )
        )
    }
}

use LengthUnit::{Centimetre as Cm, Foot as Ft, Inch as In, Metre as M, Millimetre as Mm};

/// Header aliases, normalized (lowercase, no spaces, underscores, hyphens, brackets, dots or
/// accents). Within a slot, the earlier alias wins when a file has several.
const ALIASES: &[(&str, Field)] = &[
    // Ids: NYC tree_id, Paris idbase, generic, our export's source_id.
    ("treeid", Field::Id),
    ("idbase", Field::Id),
    ("assetid", Field::Id),
    ("id", Field::Id),
    ("sourceid", Field::Id),
    ("objectid", Field::Id),
    ("fid", Field::Id),
    // Location.
    ("lon", Field::Lon),
    ("longitude", Field::Lon),
    ("lng", Field::Lon),
    ("long", Field::Lon),
    ("x", Field::Lon),
    ("lat", Field::Lat),
    ("latitude", Field::Lat),
    ("y", Field::Lat),
    ("geopoint2d", Field::LatLon),
    ("geopoint", Field::LatLon),
    ("latlon", Field::LatLon),
    ("latlong", Field::LatLon),
    ("latlng", Field::LatLon),
    ("geoshape", Field::Geometry),
    ("geometry", Field::Geometry),
    ("geom", Field::Geometry),
    ("thegeom", Field::Geometry),
    ("wkt", Field::Geometry),
    ("geojson", Field::Geometry),
    // Our own property keys (and the export's spellings).
    ("kind", Field::Text("kind")),
    ("ref", Field::Text("ref")),
    ("assetref", Field::Text("ref")),
    ("name", Field::Text("name")),
    ("name:zh", Field::Text("name:zh")),
    ("namezh", Field::Text("name:zh")),
    ("name:bo", Field::Text("name:bo")),
    ("namebo", Field::Text("name:bo")),
    ("name:en", Field::Text("name:en")),
    ("nameen", Field::Text("name:en")),
    ("zone", Field::Text("zone")),
    ("sitestate", Field::Text("site_state")),
    ("status", Field::Text("site_state")),
    ("condition", Field::Text("condition")),
    ("health", Field::Text("condition")),
    ("planting", Field::Text("planting")),
    ("plant", Field::Text("plant")),
    ("parktype", Field::Text("park_type")),
    ("water", Field::Text("water")),
    ("heritagegrade", Field::Number("heritage_grade")),
    ("boxcount", Field::Number("box_count")),
    ("boxlengthm", Field::Number("box_length_m")),
    ("boxwidthm", Field::Number("box_width_m")),
    ("boxdepthm", Field::Number("box_depth_m")),
    ("treecount", Field::Number("tree_count")),
    ("aream2", Field::Number("area_m2")),
    ("volumem3", Field::Number("volume_m3")),
    // Species.
    ("species", Field::Text("species")),
    ("scientificname", Field::Text("species")),
    ("spclatin", Field::Text("species")),
    ("latinname", Field::Text("species")),
    ("botanicalname", Field::Text("species")),
    ("specieslatin", Field::Text("species")),
    ("taxon", Field::Text("species")),
    ("genus", Field::Text("genus")),
    ("genre", Field::Text("genre")),
    ("espece", Field::Text("espece")),
    ("libellefrancais", Field::Text("libellefrancais")),
    ("nomfrancais", Field::Text("libellefrancais")),
    ("species:en", Field::Text("species:en")),
    ("speciesen", Field::Text("species:en")),
    ("commonname", Field::Text("species:en")),
    ("spccommon", Field::Text("species:en")),
    ("species:zh", Field::Text("species:zh")),
    ("specieszh", Field::Text("species:zh")),
    // Dates.
    ("planted", Field::Date("planted")),
    ("dateplanted", Field::Date("planted")),
    ("plantingdate", Field::Date("planted")),
    ("planteddate", Field::Date("planted")),
    ("plantdate", Field::Date("planted")),
    ("dateplantation", Field::Date("planted")),
    ("yearplanted", Field::Date("planted")),
    ("plantingyear", Field::Date("planted")),
    ("startdate", Field::Date("planted")),
    // Trunk diameter at breast height.
    ("dbhcm", Field::Size(Size::Dbh, Cm)),
    ("dbh", Field::Size(Size::Dbh, Cm)),
    ("dbhmm", Field::Size(Size::Dbh, Mm)),
    ("dbhin", Field::Size(Size::Dbh, In)),
    ("dbhinch", Field::Size(Size::Dbh, In)),
    ("dbhinches", Field::Size(Size::Dbh, In)),
    ("treedbh", Field::Size(Size::Dbh, In)),
    // Trunk circumference: Paris in cm; the OSM key in metres.
    ("circumferencecm", Field::Size(Size::Circumference, Cm)),
    ("circonferenceencm", Field::Size(Size::Circumference, Cm)),
    ("circonferencecm", Field::Size(Size::Circumference, Cm)),
    ("circonference", Field::Size(Size::Circumference, Cm)),
    ("girthcm", Field::Size(Size::Circumference, Cm)),
    ("circumferencem", Field::Size(Size::Circumference, M)),
    ("circumference", Field::Size(Size::Circumference, M)),
    ("circumferencein", Field::Size(Size::Circumference, In)),
    // Height.
    ("heightm", Field::Size(Size::Height, M)),
    ("height", Field::Size(Size::Height, M)),
    ("hauteurenm", Field::Size(Size::Height, M)),
    ("hauteurm", Field::Size(Size::Height, M)),
    ("hauteur", Field::Size(Size::Height, M)),
    ("heightft", Field::Size(Size::Height, Ft)),
    ("heightfeet", Field::Size(Size::Height, Ft)),
    // Crown diameter.
    ("crownm", Field::Size(Size::Crown, M)),
    ("crown", Field::Size(Size::Crown, M)),
    ("diametercrown", Field::Size(Size::Crown, M)),
    ("crowndiameterm", Field::Size(Size::Crown, M)),
    ("crowndiameter", Field::Size(Size::Crown, M)),
    ("crownwidthm", Field::Size(Size::Crown, M)),
    ("crownwidth", Field::Size(Size::Crown, M)),
    ("crownft", Field::Size(Size::Crown, Ft)),
    ("crowndiameterft", Field::Size(Size::Crown, Ft)),
    ("crownwidthft", Field::Size(Size::Crown, Ft)),
];

/// The field names `--map` accepts, for its error message (every alias above is accepted too).
const MAP_FIELDS: &str = "id, ref, kind, lon, lat, latlon, geometry, species, genus, common_name, name, zone, status, condition, planted, dbh_cm, dbh_in, dbh_mm, circumference_cm, circumference_m, circumference_in, height_m, height_ft, crown_m, crown_ft, box_count, tree_count, area_m2, ignore, tag";

/// Header normal form: lowercase, French accents folded, without spaces, underscores, hyphens,
/// brackets and dots. `CIRCONFÉRENCE (cm)` → `circonferencecm`.
pub fn normalize_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' | '_' | '-' | '(' | ')' | '[' | ']' | '.' => None,
            'à' | 'á' | 'â' | 'ä' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'í' | 'î' | 'ï' => Some('i'),
            'ó' | 'ô' | 'ö' => Some('o'),
            'ú' | 'ù' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            'ñ' => Some('n'),
            c => Some(c),
        })
        .collect()
}

fn alias(norm: &str) -> Option<(usize, Field)> {
    ALIASES
        .iter()
        .position(|(a, _)| *a == norm)
        .map(|i| (i, ALIASES[i].1))
}

/// A field name given to `--map`: an alias, or `ignore`, or `tag`.
fn map_target(name: &str) -> Option<Field> {
    match normalize_header(name).as_str() {
        "ignore" | "skip" => Some(Field::Ignore),
        "tag" => Some(Field::Tag),
        n => alias(n).map(|(_, f)| f),
    }
}

/// Picks the delimiter from the header row: the most frequent of comma, semicolon and tab
/// outside quotes (comma on a tie or when there is none).
fn detect_delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// How each column of a file is read.
struct Columns {
    /// Header names as written (trimmed), for messages and tag keys.
    names: Vec<String>,
    /// The field of each column; `Field::Tag` for unknown columns.
    fields: Vec<Field>,
    /// Column index of each location field, by priority.
    lon: Option<usize>,
    lat: Option<usize>,
    latlon: Option<usize>,
    geometry: Option<usize>,
    /// Tag key of each column (unique).
    tag_keys: Vec<String>,
    /// The default kind for rows that do not say: `--kind`, else tree when the header has tree
    /// columns (species, dbh, ...).
    default_kind: Option<AssetKind>,
}

impl Columns {
    fn resolve(
        file: &str,
        names: Vec<String>,
        map: &[ColumnMap],
        kind: Option<AssetKind>,
    ) -> Result<Columns, CsvError> {
        let norms: Vec<String> = names.iter().map(|n| normalize_header(n)).collect();
        let mut fields = vec![Field::Tag; names.len()];
        // Explicit --map entries first: they take their slot.
        let mut explicit = vec![false; names.len()];
        for m in map {
            let bad = |reason: String| CsvError::BadMap {
                file: file.to_string(),
                entry: m.to_string(),
                reason,
            };
            let col = norms
                .iter()
                .position(|n| *n == normalize_header(&m.column))
                .ok_or_else(|| {
                    bad(format!(
                        "no column '{}'; the columns are: {}",
                        m.column,
                        names.join(", ")
                    ))
                })?;
            let field = map_target(&m.field).ok_or_else(|| {
                bad(format!(
                    "'{}' is not a field greenward reads; use one of: {MAP_FIELDS}",
                    m.field
                ))
            })?;
            if let Some(other) = (0..names.len())
                .find(|&i| explicit[i] && i != col && fields[i].slot() == field.slot())
                .filter(|_| !field.slot().is_empty())
            {
                return Err(bad(format!(
                    "column {} is already mapped to {}",
                    names[other], m.field
                )));
            }
            fields[col] = field;
            explicit[col] = true;
        }
        // Then aliases: within each slot the best-ranked alias wins; an explicit --map entry
        // beats every alias. The losers stay tags.
        let mut best: Vec<(&'static str, usize, usize)> = Vec::new(); // (slot, rank, column)
        for (i, f) in fields.iter().enumerate() {
            if explicit[i] && !matches!(f, Field::Ignore | Field::Tag) {
                best.push((f.slot(), 0, i));
            }
        }
        for (i, n) in norms.iter().enumerate() {
            let Some((rank, f)) = alias(n).filter(|_| !explicit[i]) else {
                continue;
            };
            let (slot, rank) = (f.slot(), rank + 1);
            match best.iter_mut().find(|(s, _, _)| *s == slot) {
                None => best.push((slot, rank, i)),
                Some(entry) if entry.1 > rank => *entry = (slot, rank, i),
                Some(_) => {}
            }
        }
        for &(_, rank, i) in &best {
            if rank > 0 {
                fields[i] = alias(&norms[i]).map_or(Field::Tag, |(_, f)| f);
            }
        }
        // Our own CSV export: its `source` column is the provenance of the `source_id` beside
        // it, not a property of the asset.
        if norms.iter().any(|n| n == "sourceid")
            && let Some(i) = norms.iter().position(|n| n == "source")
            && !explicit[i]
        {
            fields[i] = Field::Ignore;
        }
        let find = |want: Field| fields.iter().position(|f| *f == want);
        let lon = find(Field::Lon);
        let lat = find(Field::Lat);
        let half = |have: usize, what, missing| CsvError::HalfPair {
            file: file.to_string(),
            have: names[have].clone(),
            what,
            missing,
        };
        match (lon, lat) {
            (Some(i), None) => return Err(half(i, "longitudes", "lat")),
            (None, Some(i)) => return Err(half(i, "latitudes", "lon")),
            _ => {}
        }
        let latlon = find(Field::LatLon);
        let geometry = find(Field::Geometry);
        if lon.is_none() && latlon.is_none() && geometry.is_none() {
            return Err(CsvError::NoCoordinates {
                file: file.to_string(),
                columns: names.join(", "),
            });
        }
        let mut tag_keys: Vec<String> = Vec::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            let base = if n.is_empty() {
                format!("column {}", i + 1)
            } else {
                n.clone()
            };
            // A column kept as a tag although its name is one the model reads (`--map
            // species=tag`, or the loser of two `height` columns) must not be read after all.
            let base = if fields[i] == Field::Tag
                && alias(&norms[i]).is_some()
                && MODEL_KEYS.contains(&base.as_str())
            {
                format!("{base} (column {})", i + 1)
            } else {
                base
            };
            let mut key = base.clone();
            let mut k = 2;
            while tag_keys.contains(&key) {
                key = format!("{base} ({k})");
                k += 1;
            }
            tag_keys.push(key);
        }
        let default_kind = kind.or_else(|| {
            fields
                .iter()
                .any(|f| f.is_tree_like())
                .then_some(AssetKind::Tree)
        });
        Ok(Columns {
            names,
            fields,
            lon,
            lat,
            latlon,
            geometry,
            tag_keys,
            default_kind,
        })
    }

    /// The header name of the column that fed a model property, for messages.
    fn column_of(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .position(|f| !matches!(f, Field::Tag | Field::Ignore) && f.key() == key)
            .map(|i| self.names[i].as_str())
    }

    /// The location columns, for "no coordinates" messages.
    fn location_label(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for i in [self.lon, self.lat, self.latlon, self.geometry]
            .into_iter()
            .flatten()
        {
            parts.push(&self.names[i]);
        }
        parts.join(", ")
    }
}

/// Reads CSV bytes, calling `sink` with each row (as a model record, or why not) in file order.
pub fn read_rows(
    file: &str,
    source: &str,
    bytes: &[u8],
    model: &ModelOptions,
    map: &[ColumnMap],
    sink: &mut dyn FnMut(Result<Parsed, RowError>),
) -> Result<(), CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = detect_delimiter(bytes);
    let decimal_comma = delimiter == b';';
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let csv_err = |source| CsvError::Csv {
        file: file.to_string(),
        source,
    };
    let header = rdr.byte_headers().map_err(csv_err)?.clone();
    if header.is_empty() || header.iter().all(|h| h.iter().all(u8::is_ascii_whitespace)) {
        return Err(CsvError::Empty {
            file: file.to_string(),
        });
    }
    let names = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h)
                .map(|s| s.trim().to_string())
                .map_err(|_| CsvError::HeaderNotUtf8 {
                    file: file.to_string(),
                    column: i + 1,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cols = Columns::resolve(file, names, map, model.kind)?;
    let opts = ModelOptions {
        kind: cols.default_kind,
        ..*model
    };
    let mut record = csv::ByteRecord::new();
    let mut index = 0usize;
    while rdr.read_byte_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line());
        let row = Row {
            cols: &cols,
            record: &record,
            line,
            decimal_comma,
            opts: &opts,
            source,
        };
        sink(row.read(index));
        index += 1;
    }
    Ok(())
}

/// One data row being read.
struct Row<'a> {
    cols: &'a Columns,
    record: &'a csv::ByteRecord,
    line: u64,
    decimal_comma: bool,
    opts: &'a ModelOptions,
    source: &'a str,
}

impl Row<'_> {
    fn err(&self, column: usize, message: String) -> RowError {
        RowError {
            line: self.line,
            field: format!("column {}", self.cols.names[column]),
            message,
        }
    }

    /// The trimmed text of a cell ("" when the row is short).
    fn cell(&self, i: usize) -> Result<&str, RowError> {
        let bytes = self.record.get(i).unwrap_or_default();
        std::str::from_utf8(bytes).map(str::trim).map_err(|e| {
            self.err(
                i,
                format!(
                    "not UTF-8 text (byte {} of the value); save the file as UTF-8",
                    e.valid_up_to() + 1
                ),
            )
        })
    }

    fn number(&self, i: usize, text: &str) -> Result<f64, RowError> {
        parse_number(text, self.decimal_comma)
            .ok_or_else(|| self.err(i, format!("'{text}' is not a number")))
    }

    fn read(&self, index: usize) -> Result<Parsed, RowError> {
        let cols = self.cols;
        let n = cols.names.len();
        if self.record.len() != n {
            let extra_empty = self.record.len() > n
                && self
                    .record
                    .iter()
                    .skip(n)
                    .all(|f| f.iter().all(u8::is_ascii_whitespace));
            if !extra_empty {
                return Err(RowError {
                    line: self.line,
                    field: "fields".into(),
                    message: format!(
                        "{} values, but the header has {} columns (a missing delimiter, or a delimiter inside an unquoted value?)",
                        self.record.len(),
                        n
                    ),
                });
            }
        }
        let mut props = Map::new();
        let mut id = None;
        let mut sizes: [Option<f64>; 4] = [None; 4];
        for (i, field) in cols.fields.iter().enumerate() {
            if matches!(field, Field::Ignore) {
                continue;
            }
            let text = self.cell(i)?;
            if text.is_empty() || field.is_location() {
                continue;
            }
            match *field {
                Field::Id => id = Some(text.to_string()),
                // A null marker in a column of set values (n/a in `health`) is unknown.
                Field::Text("kind" | "site_state" | "condition" | "park_type" | "water")
                    if is_blank(text) => {}
                Field::Text(key) => {
                    props.insert(key.to_string(), Value::String(text.to_string()));
                }
                Field::Number(key) => {
                    if !is_blank(text) {
                        let v = self.number(i, text)?;
                        props.insert(key.to_string(), Value::from(v));
                    }
                }
                Field::Date(key) => {
                    if let Some(d) = parse_date(text, self.opts.date_order)
                        .map_err(|e| self.err(i, e.to_string()))?
                    {
                        props.insert(key.to_string(), Value::String(d.to_string()));
                    }
                }
                Field::Size(size, unit) => {
                    if is_blank(text) {
                        continue;
                    }
                    let metres = parse_length(text, unit, self.decimal_comma)
                        .map_err(|e| self.err(i, e.to_string()))?;
                    // 0 means "not measured".
                    if metres > 0.0 {
                        sizes[size as usize] = Some(metres);
                    }
                }
                Field::Tag => {
                    props.insert(cols.tag_keys[i].clone(), Value::String(text.to_string()));
                }
                Field::Ignore | Field::Lon | Field::Lat | Field::LatLon | Field::Geometry => {}
            }
        }
        let dbh_cm = sizes[Size::Dbh as usize]
            .map(|m| m * 100.0)
            .or_else(|| sizes[Size::Circumference as usize].map(circumference_to_dbh_cm));
        for (key, v) in [
            ("dbh_cm", dbh_cm),
            ("height_m", sizes[Size::Height as usize]),
            ("crown_m", sizes[Size::Crown as usize]),
        ] {
            if let Some(v) = v {
                props.insert(key.into(), Value::from(tidy(v)));
            }
        }
        let geometry = self.location()?;
        let raw = RawFeature {
            index,
            id,
            geometry,
            properties: props,
        };
        read_feature(raw, self.opts, self.source).map_err(|e| {
            let key = e
                .field
                .strip_prefix("properties.")
                .unwrap_or(e.field.as_str());
            let field = if key.starts_with("geometry") {
                format!("column {}", cols.location_label())
            } else {
                match cols.column_of(key) {
                    Some(c) => format!("column {c}"),
                    None => key.to_string(),
                }
            };
            RowError {
                line: self.line,
                field,
                message: e.message,
            }
        })
    }

    /// The row's location: lon/lat columns, else a "lat, lon" cell, else a geometry cell.
    fn location(&self) -> Result<Geometry<f64>, RowError> {
        let cols = self.cols;
        if let (Some(x), Some(y)) = (cols.lon, cols.lat) {
            let (tx, ty) = (self.cell(x)?, self.cell(y)?);
            match (tx.is_empty(), ty.is_empty()) {
                (false, false) => {
                    let lon = self.number(x, tx)?;
                    let lat = self.number(y, ty)?;
                    return self.point(lon, lat, x, y);
                }
                (true, false) => {
                    return Err(self.err(x, "empty, but the row has a latitude".into()));
                }
                (false, true) => {
                    return Err(self.err(y, "empty, but the row has a longitude".into()));
                }
                (true, true) => {}
            }
        }
        if let Some(c) = cols.latlon {
            let t = self.cell(c)?;
            if !t.is_empty() {
                let mut parts = t.split([',', ';']).map(str::trim).filter(|s| !s.is_empty());
                let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(self.err(c, format!("'{t}' is not 'latitude, longitude'")));
                };
                let lat = parse_number(a, false);
                let lon = parse_number(b, false);
                let (Some(lat), Some(lon)) = (lat, lon) else {
                    return Err(self.err(c, format!("'{t}' is not 'latitude, longitude'")));
                };
                return self.point(lon, lat, c, c);
            }
        }
        if let Some(c) = cols.geometry {
            let t = self.cell(c)?;
            if !t.is_empty() {
                return self.geometry_cell(c, t);
            }
        }
        Err(RowError {
            line: self.line,
            field: format!("column {}", cols.location_label()),
            message: "no coordinates; every row needs a location".into(),
        })
    }

    fn point(&self, lon: f64, lat: f64, x: usize, y: usize) -> Result<Geometry<f64>, RowError> {
        if !(-180.0..=180.0).contains(&lon) {
            return Err(self.err(
                x,
                format!(
                    "longitude {lon} is outside -180..180 (projected coordinates? greenward needs WGS84 longitude/latitude)"
                ),
            ));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(self.err(
                y,
                format!(
                    "latitude {lat} is outside -90..90 (projected coordinates, or are longitude and latitude swapped?)"
                ),
            ));
        }
        if lon == 0.0 && lat == 0.0 {
            return Err(RowError {
                line: self.line,
                field: format!("column {}", self.cols.location_label()),
                message: "0, 0 is a placeholder, not a location; every row needs a location".into(),
            });
        }
        Ok(Geometry::Point(Point(Coord { x: lon, y: lat })))
    }

    /// A GeoJSON geometry object (`{"type": "Point", ...}`) or a WKT `POINT (lon lat)`.
    fn geometry_cell(&self, c: usize, t: &str) -> Result<Geometry<f64>, RowError> {
        if t.starts_with('{') {
            let v: Value = serde_json::from_str(t)
                .map_err(|e| self.err(c, format!("not a GeoJSON geometry: {e}")))?;
            return parse_geometry(&v, "geometry")
                .map_err(|(path, m)| self.err(c, format!("{path}: {m}")));
        }
        let upper = t.to_ascii_uppercase();
        let body = upper
            .strip_prefix("POINT")
            .map(|r| r.trim_start())
            .map(|r| {
                r.strip_prefix('Z')
                    .or_else(|| r.strip_prefix('M'))
                    .unwrap_or(r)
            })
            .map(str::trim)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'));
        let Some(body) = body else {
            return Err(self.err(
                c,
                format!(
                    "'{}' is neither a GeoJSON geometry nor a WKT POINT (lines and polygons: use GeoJSON)",
                    shorten(t)
                ),
            ));
        };
        let nums: Vec<f64> = body
            .split_whitespace()
            .map(|s| parse_number(s, false))
            .collect::<Option<_>>()
            .filter(|v: &Vec<f64>| v.len() >= 2 && v.len() <= 4)
            .ok_or_else(|| self.err(c, format!("'{}' is not a WKT POINT", shorten(t))))?;
        self.point(nums[0], nums[1], c, c)
    }
}

fn shorten(t: &str) -> String {
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssetRecord, Condition, KindData, SiteState, TreeOccupant};

    fn read(
        text: &str,
        opts: &ModelOptions,
        map: &[ColumnMap],
    ) -> Vec<Result<AssetRecord, String>> {
        let mut out = Vec::new();
        read_rows("t.csv", "t.csv", text.as_bytes(), opts, map, &mut |r| {
            out.push(match r {
                Ok(Parsed::Asset(a)) => Ok(*a),
                Ok(Parsed::Zone(z)) => Err(format!("zone {}", z.name)),
                Err(e) => Err(e.to_string()),
            })
        })
        .unwrap();
        out
    }

    fn one(text: &str) -> AssetRecord {
        let mut rows = read(text, &ModelOptions::default(), &[]);
        assert_eq!(rows.len(), 1, "{rows:?}");
        rows.remove(0).unwrap()
    }

    fn tree(a: &AssetRecord) -> &TreeOccupant {
        match &a.data {
            KindData::Tree(t) => t,
            other => panic!("not a tree: {other:?}"),
        }
    }

    /// Converted sizes are kept to 4 decimals.
    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= 0.5e-4)
    }

    fn row_error(text: &str, opts: &ModelOptions) -> String {
        let rows = read(text, opts, &[]);
        rows.into_iter()
            .find_map(Result::err)
            .expect("a rejected row")
    }

    #[test]
    fn headers_normalize_across_case_spaces_underscores_and_accents() {
        assert_eq!(normalize_header("CIRCONFÉRENCE (cm)"), "circonferencecm");
        assert_eq!(normalize_header(" Tree_DBH "), "treedbh");
        assert_eq!(normalize_header("\u{feff}tree_id"), "treeid");
        assert_eq!(normalize_header("name:zh"), "name:zh");
        assert_eq!(normalize_header("HAUTEUR (m)"), "hauteurm");
        assert_eq!(normalize_header("LIBELLÉ FRANÇAIS"), "libellefrancais");
    }

    #[test]
    fn delimiters_are_detected_from_the_header() {
        assert_eq!(detect_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc\r\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"a;b\",c\n"), b',');
        assert_eq!(detect_delimiter(b"single\n"), b',');
    }

    #[test]
    fn nyc_census_columns() {
        let a = one(
            "tree_id,tree_dbh,status,health,spc_latin,spc_common,latitude,longitude,curb_loc\n\
             180683,3,Alive,Fair,Acer rubrum,red maple,40.72309177,-73.84421522,OnCurb\n",
        );
        let t = tree(&a);
        assert_eq!(a.provenance.source_id.as_deref(), Some("180683"));
        assert!(close(t.dbh_cm, 3.0 * 2.54));
        assert_eq!(t.condition, Some(Condition::Fair));
        assert_eq!(t.species.latin.as_deref(), Some("Acer rubrum"));
        assert_eq!(t.species.en.as_deref(), Some("red maple"));
        assert_eq!(a.site_state, SiteState::Occupied);
        assert_eq!(a.tags.get("curb_loc").map(String::as_str), Some("OnCurb"));
        assert_eq!(a.anchor(), (-73.84421522, 40.72309177));
        // Stumps and dead trees; a 0 dbh is unknown.
        let rows = read(
            "tree_id,tree_dbh,status,health,latitude,longitude\n1,0,Stump,,40.7,-73.9\n2,5,Dead,,40.7,-73.9\n",
            &ModelOptions::default(),
            &[],
        );
        let stump = rows[0].as_ref().unwrap();
        assert_eq!(stump.site_state, SiteState::Stump);
        assert_eq!(tree(stump).dbh_cm, None);
        let dead = rows[1].as_ref().unwrap();
        assert_eq!(dead.site_state, SiteState::Occupied);
        assert_eq!(tree(dead).condition, Some(Condition::Dead));
    }

    #[test]
    fn paris_columns_with_semicolons_and_a_combined_point() {
        let a = one(
            "IDBASE;GENRE;ESPÈCE;LIBELLÉ FRANÇAIS;CIRCONFÉRENCE (cm);HAUTEUR (m);geo_point_2d\n\
             2018169;Pyrus;communis;Poirier à fruits;20;2,5;48.880550606575184, 2.378886075305886\n",
        );
        let t = tree(&a);
        assert_eq!(a.provenance.source_id.as_deref(), Some("2018169"));
        assert_eq!(t.species.latin.as_deref(), Some("Pyrus communis"));
        assert_eq!(t.species.genus.as_deref(), Some("Pyrus"));
        assert_eq!(
            a.tags.get("species:fr").map(String::as_str),
            Some("Poirier à fruits")
        );
        assert!(close(t.dbh_cm, 20.0 / std::f64::consts::PI));
        assert!(close(t.height_m, 2.5), "decimal comma in a semicolon file");
        assert_eq!(a.anchor(), (2.378886075305886, 48.880550606575184));
    }

    #[test]
    fn generic_columns_units_in_names_and_suffixes() {
        let a = one(
            "x,y,scientific_name,common_name,height_ft,crown (m),dbh_cm,date_planted\n\
             91.1,29.6,Salix matsudana,Chinese willow,20,5,12 in,2010-04-03\n",
        );
        let t = tree(&a);
        assert!(close(t.height_m, 6.096));
        assert!(close(t.crown_m, 5.0));
        assert!(
            close(t.dbh_cm, 30.48),
            "a suffix beats the unit in the name"
        );
        assert_eq!(t.planted, chrono::NaiveDate::from_ymd_opt(2010, 4, 3));
        assert_eq!(t.species.en.as_deref(), Some("Chinese willow"));
    }

    #[test]
    fn map_names_columns_the_aliases_miss() {
        let text = "easting,northing,girth,what\n91.1,29.6,100,tree\n";
        let map: Vec<ColumnMap> = [
            "easting=lon",
            "northing=lat",
            "girth=circumference_cm",
            "what=kind",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let rows = read(text, &ModelOptions::default(), &map);
        let a = rows[0].as_ref().unwrap();
        assert!(close(tree(a).dbh_cm, 100.0 / std::f64::consts::PI));
        let mut out = Vec::new();
        let e = read_rows(
            "t.csv",
            "t.csv",
            text.as_bytes(),
            &ModelOptions::default(),
            &[],
            &mut |r| out.push(r),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("t.csv: no coordinate columns"), "{e}");
        let bad: ColumnMap = "girth=wingspan".parse().unwrap();
        let e = read_rows(
            "t.csv",
            "t.csv",
            text.as_bytes(),
            &ModelOptions::default(),
            &[bad],
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("--map girth=wingspan: 'wingspan' is not a field"),
            "{e}"
        );
        assert!("girth".parse::<ColumnMap>().is_err());
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let o = ModelOptions::default();
        assert_eq!(
            row_error(
                "tree_id,tree_dbh,latitude,longitude\n1,abc,40.7,-73.9\n",
                &o
            ),
            "line 2: column tree_dbh: 'abc' is not a number"
        );
        assert_eq!(
            row_error("id,species,lat,lon\n1,Acer,,\n", &o),
            "line 2: column lon, lat: no coordinates; every row needs a location"
        );
        assert_eq!(
            row_error("id,species,lat,lon\n1,Acer,40.7,\n", &o),
            "line 2: column lon: empty, but the row has a latitude"
        );
        assert_eq!(
            row_error("id,species,x,y\n1,Acer,651234.5,6862000\n", &o),
            "line 2: column x: longitude 651234.5 is outside -180..180 (projected coordinates? greenward needs WGS84 longitude/latitude)"
        );
        assert_eq!(
            row_error(
                "id,species,lat,lon,health\n1,Acer,40.7,-73.9,splendid\n",
                &o
            ),
            "line 2: column health: 'splendid' is not one of: excellent, very_good, good, fair, poor, critical, dead"
        );
        assert_eq!(
            row_error(
                "id,species,lat,lon,planted\n1,Acer,40.7,-73.9,03/04/2010\n",
                &o
            ),
            "line 2: column planted: '03/04/2010' is ambiguous: 3 April 2010 (day first) or March 4, 2010 (month first); pass --date-format dmy or --date-format mdy"
        );
        assert_eq!(
            row_error("id,species,lat,lon\n1,Acer,40.7\n", &o),
            "line 2: fields: 3 values, but the header has 4 columns (a missing delimiter, or a delimiter inside an unquoted value?)"
        );
        assert_eq!(
            row_error("id,note,lat,lon\n1,hello,40.7,-73.9\n", &o),
            "line 2: kind: missing, and nothing else tells what it is (natural=tree, leisure=park, a species, ...); add a `kind` property or pass --kind"
        );
    }

    #[test]
    fn null_markers_in_set_value_columns_are_unknown() {
        let a = one("id,species,lat,lon,health,status\n1,Acer,40.7,-73.9,n/a,unknown\n");
        assert_eq!(tree(&a).condition, None);
        assert_eq!(a.site_state, SiteState::Occupied);
    }

    #[test]
    fn a_column_mapped_to_tag_is_not_read_as_its_name() {
        let map: Vec<ColumnMap> = vec!["species=tag".parse().unwrap()];
        let rows = read(
            "id,species,genus,lat,lon\n1,unsure,Acer,40.7,-73.9\n",
            &ModelOptions::default(),
            &map,
        );
        let a = rows[0].as_ref().unwrap();
        assert_eq!(tree(a).species.latin, None);
        assert_eq!(
            a.tags.get("species (column 2)").map(String::as_str),
            Some("unsure")
        );
        let twice: Vec<ColumnMap> = vec!["lat=lon".parse().unwrap(), "lon=lon".parse().unwrap()];
        let e = read_rows(
            "t.csv",
            "t.csv",
            b"id,lat,lon\n",
            &ModelOptions::default(),
            &twice,
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "t.csv: --map lon=lon: column lat is already mapped to lon"
        );
    }

    #[test]
    fn geometry_cells_read_geojson_and_wkt_points() {
        let a = one(
            "id,species,geo_shape\n1,Acer,\"{\"\"type\"\": \"\"Point\"\", \"\"coordinates\"\": [2.35, 48.85]}\"\n",
        );
        assert_eq!(a.anchor(), (2.35, 48.85));
        let a = one("id,species,the_geom\n1,Acer,POINT (-73.84421522 40.72309177)\n");
        assert_eq!(a.anchor(), (-73.84421522, 40.72309177));
    }
}
