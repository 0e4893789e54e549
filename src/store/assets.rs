//! The `assets` and `occupants` tables, and the row ↔ [`AssetRecord`] mapping.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use geo::Geometry;
use rusqlite::{OptionalExtension, Row, params};

use super::{Reader, Result, StoreError, Tx};
use crate::model::{
    AssetKind, AssetRecord, BoxGroup, KindData, Names, Provenance, SiteState, SpeciesInfo,
    TreeOccupant,
};

/// Which assets to load.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub kind: Option<AssetKind>,
    /// Zone name.
    pub zone: Option<String>,
    /// Include retired assets.
    pub include_retired: bool,
}

const COLUMNS: &str =
    "a.id, a.ref, a.kind, a.zone_id, z.name, a.site_state, a.name, a.name_zh, a.name_bo, a.name_en,
    a.geometry, a.species, a.genus, a.species_zh, a.species_en, a.dbh_cm, a.height_m, a.crown_m,
    a.planted_on, a.condition, a.heritage_grade, a.box_count, a.box_length_m, a.box_width_m,
    a.box_depth_m, a.planting, a.tree_count, a.plant, a.park_type, a.water, a.area_m2, a.volume_m3,
    a.tags, a.source, a.source_id, a.import_id, a.imported_at, a.retired_reason, a.lon, a.lat";

/// GeoJSON text of a geometry (RFC 7946 geometry object).
pub fn geometry_to_json(g: &Geometry<f64>) -> String {
    if let Geometry::Point(p) = g {
        // The common case at a million rows: skip building a JSON tree.
        let mut s = String::with_capacity(64);
        s.push_str("{\"type\":\"Point\",\"coordinates\":[");
        push_f64(&mut s, p.x());
        s.push(',');
        push_f64(&mut s, p.y());
        s.push_str("]}");
        return s;
    }
    let gj = geojson::Geometry::new(geojson::GeometryValue::from(g));
    serde_json::to_string(&gj).expect("a geometry always serialises")
}

fn push_f64(s: &mut String, v: f64) {
    use std::fmt::Write;
    let _ = write!(s, "{v}");
}

/// Parses a stored GeoJSON geometry.
pub fn geometry_from_json(text: &str) -> std::result::Result<Geometry<f64>, String> {
    let gj: geojson::Geometry = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Geometry::<f64>::try_from(&gj.value).map_err(|e| e.to_string())
}

/// Parses an optional text column in place: a million rows are read without allocating a
/// `String` for each coded value.
fn opt_parse<T: std::str::FromStr<Err = String>>(
    r: &Row<'_>,
    i: usize,
    what: &str,
) -> rusqlite::Result<Option<T>> {
    let Some(text) = r.get_ref(i)?.as_str_or_null()? else {
        return Ok(None);
    };
    text.parse::<T>().map(Some).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("{what}: {e}").into(),
        )
    })
}

/// Where the kind-specific columns stand in a row; `None`: the query does not read it (left
/// empty).
struct KindColumns {
    species: [Option<usize>; 4],
    dbh_height_crown: Option<[usize; 3]>,
    planted: usize,
    condition: usize,
    heritage: usize,
    /// Box count, length, width, depth, planting.
    boxes: [usize; 5],
    tree_count: usize,
    plant: usize,
    park_type: usize,
    water: usize,
    area: usize,
    volume: usize,
}

/// The columns of [`COLUMNS`].
const FULL_ROW: KindColumns = KindColumns {
    species: [Some(11), Some(12), Some(13), Some(14)],
    dbh_height_crown: Some([15, 16, 17]),
    planted: 18,
    condition: 19,
    heritage: 20,
    boxes: [21, 22, 23, 24, 25],
    tree_count: 26,
    plant: 27,
    park_type: 28,
    water: 29,
    area: 30,
    volume: 31,
};

/// The columns of the scheduling query ([`Reader::each_asset_for_scheduling_in`]).
const SCHEDULING_ROW: KindColumns = KindColumns {
    species: [Some(5), Some(6), None, None],
    dbh_height_crown: None,
    planted: 7,
    condition: 8,
    heritage: 9,
    boxes: [10, 11, 12, 13, 14],
    tree_count: 15,
    plant: 16,
    park_type: 17,
    water: 18,
    area: 19,
    volume: 20,
};

/// The kind data of a row: only the columns of its kind are decoded.
fn kind_data(r: &Row<'_>, kind: AssetKind, c: &KindColumns) -> rusqlite::Result<KindData> {
    let text =
        |i: Option<usize>| -> rusqlite::Result<Option<String>> { i.map_or(Ok(None), |i| r.get(i)) };
    let species = || -> rusqlite::Result<Arc<SpeciesInfo>> {
        let [latin, genus, zh, en] = c.species;
        Ok(Arc::new(SpeciesInfo {
            latin: text(latin)?,
            genus: text(genus)?,
            zh: text(zh)?,
            en: text(en)?,
        }))
    };
    // `str::parse` reads ISO dates without interpreting a format string.
    let planted = || -> rusqlite::Result<Option<NaiveDate>> {
        Ok(r.get_ref(c.planted)?
            .as_str_or_null()?
            .and_then(|d| d.parse::<NaiveDate>().ok()))
    };
    Ok(match kind {
        AssetKind::Tree => {
            let (dbh_cm, height_m, crown_m) = match c.dbh_height_crown {
                Some([d, h, w]) => (r.get(d)?, r.get(h)?, r.get(w)?),
                None => (None, None, None),
            };
            KindData::Tree(TreeOccupant {
                species: species()?,
                dbh_cm,
                height_m,
                crown_m,
                planted: planted()?,
                condition: opt_parse(r, c.condition, "condition")?,
                heritage_grade: r.get(c.heritage)?,
            })
        }
        AssetKind::FlowerBoxGroup => {
            let [count, length, width, depth, planting] = c.boxes;
            KindData::FlowerBoxGroup(BoxGroup {
                box_count: r.get::<_, Option<u32>>(count)?.unwrap_or(1),
                box_length_m: r.get::<_, Option<f64>>(length)?.unwrap_or(0.0),
                box_width_m: r.get::<_, Option<f64>>(width)?.unwrap_or(0.0),
                box_depth_m: r.get::<_, Option<f64>>(depth)?.unwrap_or(0.0),
                planting: r.get(planting)?,
                planted: planted()?,
            })
        }
        AssetKind::TreeRow => KindData::TreeRow {
            tree_count: r.get(c.tree_count)?,
            species: species()?,
        },
        AssetKind::GreenArea => KindData::GreenArea {
            plant: r.get(c.plant)?,
            area_m2: r.get(c.area)?,
        },
        AssetKind::Park => KindData::Park {
            subtype: opt_parse(r, c.park_type, "park_type")?
                .unwrap_or(crate::model::ParkSubtype::Park),
            area_m2: r.get(c.area)?,
        },
        AssetKind::WaterFeature => KindData::WaterFeature {
            water: opt_parse(r, c.water, "water")?.unwrap_or(crate::model::WaterKind::Pond),
            area_m2: r.get(c.area)?,
            volume_m3: r.get(c.volume)?,
        },
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<(AssetRecord, String)> {
    let kind: AssetKind = r.get_ref(2)?.as_str()?.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
    })?;
    let data = kind_data(r, kind, &FULL_ROW)?;
    let tags = r.get_ref(32)?.as_str()?;
    // Most assets are points: their geometry is their anchor, stored as lon/lat columns, so
    // loading a million of them needs no JSON parsing.
    let geom: String = r.get(10)?;
    let point = geom
        .starts_with("{\"type\":\"Point\"")
        .then(|| -> rusqlite::Result<Geometry<f64>> {
            Ok(Geometry::Point(geo::Point::new(r.get(38)?, r.get(39)?)))
        })
        .transpose()?;
    let rec = AssetRecord {
        id: r.get(0)?,
        asset_ref: r.get(1)?,
        names: Names {
            name: r.get(6)?,
            zh: r.get(7)?,
            bo: r.get(8)?,
            en: r.get(9)?,
        },
        geometry: point
            .clone()
            .unwrap_or(Geometry::Point(geo::Point::new(0.0, 0.0))),
        zone_id: r.get(3)?,
        zone: r.get(4)?,
        site_state: opt_parse(r, 5, "site_state")?.unwrap_or(SiteState::Occupied),
        data,
        tags: if tags == "{}" {
            BTreeMap::new()
        } else {
            serde_json::from_str(tags).unwrap_or_default()
        },
        provenance: Provenance {
            source: r.get(33)?,
            source_id: r.get(34)?,
            import_id: r.get(35)?,
            imported_at: r.get(36)?,
        },
        retired: r.get(37)?,
    };
    Ok((rec, if point.is_some() { String::new() } else { geom }))
}

/// A row of the scheduling query ([`Reader::each_asset_for_scheduling_in`]): the fields
/// [`from_row`] fills from the full row, except the names, DBH, height, crown, common species
/// names and provenance, which stay empty; the geometry is the anchor point. Only the columns
/// of the asset's kind are decoded: a million rows are read at every scheduling run.
fn scheduling_from_row(r: &Row<'_>) -> rusqlite::Result<AssetRecord> {
    let kind: AssetKind = r.get_ref(2)?.as_str()?.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
    })?;
    let data = kind_data(r, kind, &SCHEDULING_ROW)?;
    let tags = r.get_ref(21)?.as_str()?;
    Ok(AssetRecord {
        id: r.get(0)?,
        asset_ref: r.get(1)?,
        names: Names::default(),
        geometry: Geometry::Point(geo::Point::new(r.get(23)?, r.get(24)?)),
        zone_id: r.get(3)?,
        zone: None,
        site_state: opt_parse(r, 4, "site_state")?.unwrap_or(SiteState::Occupied),
        data,
        tags: if tags == "{}" {
            BTreeMap::new()
        } else {
            serde_json::from_str(tags).unwrap_or_default()
        },
        provenance: Provenance::default(),
        retired: r.get(22)?,
    })
}

fn finish(raw: (AssetRecord, String)) -> Result<AssetRecord> {
    let (mut rec, geom) = raw;
    if geom.is_empty() {
        return Ok(rec);
    }
    rec.geometry = geometry_from_json(&geom).map_err(|detail| StoreError::Corrupt {
        what: format!("geometry of asset {}", rec.asset_ref),
        detail,
    })?;
    Ok(rec)
}

/// Column values of a record, in the order of [`INSERT`].
struct Row31<'a> {
    r: &'a AssetRecord,
    /// The record's anchor point (`AssetRecord::anchor`), when the caller has it already.
    anchor: Option<(f64, f64)>,
    /// Import stamp (audit id, time) written instead of the record's provenance stamp.
    stamp: Option<(i64, &'a str)>,
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it, without a format string to interpret.
fn iso_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut s = String::with_capacity(10);
    for n in [
        y as u32 / 1000,
        y as u32 / 100 % 10,
        y as u32 / 10 % 10,
        y as u32 % 10,
    ] {
        s.push(char::from(b'0' + n as u8));
    }
    for n in [m, day] {
        s.push('-');
        s.push(char::from(b'0' + (n / 10) as u8));
        s.push(char::from(b'0' + (n % 10) as u8));
    }
    s
}

impl Row31<'_> {
    /// Binds the row to `st` (its parameters numbered as in [`INSERT`] and [`UPDATE`]) and runs
    /// it. With `held`, what the statement's parameters hold from the row before, only the
    /// parameters whose value changed are bound again (SQLite keeps bindings from one run of a
    /// statement to the next): a tree leaves the dozen columns of the other kinds NULL, and the
    /// source and import stamp are the same for a whole import.
    fn bind(
        &self,
        st: &mut rusqlite::Statement<'_>,
        now: &str,
        held: Option<&mut Held>,
    ) -> rusqlite::Result<usize> {
        use rusqlite::types::ValueRef;
        fn text(s: Option<&str>) -> ValueRef<'_> {
            s.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes()))
        }
        fn int(i: Option<i64>) -> ValueRef<'static> {
            i.map_or(ValueRef::Null, ValueRef::Integer)
        }
        fn real(x: Option<f64>) -> ValueRef<'static> {
            x.map_or(ValueRef::Null, ValueRef::Real)
        }
        let r = self.r;
        let (lon, lat) = self.anchor.unwrap_or_else(|| r.anchor());
        let empty = SpeciesInfo::default();
        let (species, tree, boxes) = match &r.data {
            KindData::Tree(t) => (&*t.species, Some(t), None),
            KindData::FlowerBoxGroup(b) => (&empty, None, Some(b)),
            KindData::TreeRow { species, .. } => (&**species, None, None),
            _ => (&empty, None, None),
        };
        let planted = tree
            .and_then(|t| t.planted)
            .or(boxes.and_then(|b| b.planted))
            .map(iso_date);
        let (tree_count, plant, park_type, water, area, volume) = match &r.data {
            KindData::TreeRow { tree_count, .. } => (*tree_count, None, None, None, None, None),
            KindData::GreenArea { plant, area_m2 } => {
                (None, plant.as_deref(), None, None, *area_m2, None)
            }
            KindData::Park { subtype, area_m2 } => {
                (None, None, Some(subtype.as_str()), None, *area_m2, None)
            }
            KindData::WaterFeature {
                water,
                area_m2,
                volume_m3,
            } => (None, None, None, Some(water.as_str()), *area_m2, *volume_m3),
            _ => (None, None, None, None, None, None),
        };
        let (import_id, imported_at) = match self.stamp {
            Some((id, at)) => (Some(id), Some(at)),
            None => (r.provenance.import_id, r.provenance.imported_at.as_deref()),
        };
        let tags: std::borrow::Cow<'_, str> = if r.tags.is_empty() {
            "{}".into()
        } else {
            serde_json::to_string(&r.tags)
                .unwrap_or_else(|_| "{}".into())
                .into()
        };
        let geometry = geometry_to_json(&r.geometry);
        let values: [ValueRef<'_>; PARAMS] = [
            ValueRef::Integer(r.id),
            ValueRef::Text(r.asset_ref.as_bytes()),
            ValueRef::Text(r.kind().as_str().as_bytes()),
            int(r.zone_id),
            text(r.kind().is_site().then(|| r.site_state.as_str())),
            text(r.names.name.as_deref()),
            text(r.names.zh.as_deref()),
            text(r.names.bo.as_deref()),
            text(r.names.en.as_deref()),
            ValueRef::Real(lon),
            ValueRef::Real(lat),
            ValueRef::Text(geometry.as_bytes()),
            text(species.latin.as_deref()),
            text(species.genus.as_deref()),
            text(species.zh.as_deref()),
            text(species.en.as_deref()),
            real(tree.and_then(|t| t.dbh_cm)),
            real(tree.and_then(|t| t.height_m)),
            real(tree.and_then(|t| t.crown_m)),
            text(planted.as_deref()),
            text(tree.and_then(|t| t.condition).map(|c| c.as_str())),
            int(tree.and_then(|t| t.heritage_grade).map(i64::from)),
            int(boxes.map(|b| i64::from(b.box_count))),
            real(boxes.map(|b| b.box_length_m)),
            real(boxes.map(|b| b.box_width_m)),
            real(boxes.map(|b| b.box_depth_m)),
            text(boxes.and_then(|b| b.planting.as_deref())),
            int(tree_count.map(i64::from)),
            text(plant),
            text(park_type),
            text(water),
            real(area),
            real(volume),
            ValueRef::Text(tags.as_bytes()),
            text(r.provenance.source.as_deref()),
            text(r.provenance.source_id.as_deref()),
            int(import_id),
            text(imported_at),
            text(r.retired.as_deref()),
            ValueRef::Text(now.as_bytes()),
        ];
        match held {
            None => {
                for (i, v) in values.into_iter().enumerate() {
                    st.raw_bind_parameter(i + 1, rusqlite::types::ToSqlOutput::Borrowed(v))?;
                }
            }
            Some(held) => {
                if let Err(e) = held.bind(st, &values) {
                    // What the parameters hold is no longer known: bind them all next time.
                    *held = Held::unknown();
                    return Err(e);
                }
            }
        }
        st.raw_execute()
    }
}

/// Parameters of [`INSERT`] and [`UPDATE`].
const PARAMS: usize = 40;

/// Parameters (bits by 0-based position) whose value is often the same as the row before's, which
/// are compared with it instead of being bound again: kind, site state, species names, condition,
/// tags,
/// source, import id, import time and `now` (the same for a whole import). The others (ids, refs, coordinates) change from row
/// to row, and keeping a copy of them would cost more than binding them.
const REPEATING: u64 = {
    let mut bits = 0u64;
    let mut i = 0;
    let list = [2, 4, 12, 13, 14, 15, 20, 33, 34, 36, 37, 39];
    while i < list.len() {
        bits |= 1 << list[i];
        i += 1;
    }
    bits
};

/// What the parameters of a statement hold, for binding only the values that changed.
struct Held {
    slots: Vec<Slot>,
}

/// One parameter: what it holds and, for a [`REPEATING`] text, a copy of it (the buffer is
/// reused from row to row, so keeping the copy allocates nothing once it is big enough).
struct Slot {
    state: State,
    text: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Null,
    /// Bound to a value that was not kept.
    Bound,
    Int(i64),
    /// Bound to the text in `Slot::text`.
    Text,
}

impl Held {
    /// A statement just prepared: every parameter is NULL.
    fn new() -> Held {
        Held::all(State::Null)
    }

    /// Nothing known: every parameter is bound on the next run.
    fn unknown() -> Held {
        Held::all(State::Bound)
    }

    fn all(state: State) -> Held {
        Held {
            slots: (0..PARAMS)
                .map(|_| Slot {
                    state,
                    text: Vec::new(),
                })
                .collect(),
        }
    }

    fn bind(
        &mut self,
        st: &mut rusqlite::Statement<'_>,
        values: &[rusqlite::types::ValueRef<'_>; PARAMS],
    ) -> rusqlite::Result<()> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        for (i, (&v, slot)) in values.iter().zip(self.slots.iter_mut()).enumerate() {
            let same = match (v, slot.state) {
                (ValueRef::Null, State::Null) => true,
                (ValueRef::Integer(n), State::Int(m)) => n == m,
                (ValueRef::Text(t), State::Text) => slot.text == t,
                _ => false,
            };
            if same {
                continue;
            }
            st.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(v))?;
            let repeating = REPEATING & (1 << i) != 0;
            slot.state = match v {
                ValueRef::Null => State::Null,
                ValueRef::Integer(n) if repeating => State::Int(n),
                ValueRef::Text(t) if repeating => {
                    slot.text.clear();
                    slot.text.extend_from_slice(t);
                    State::Text
                }
                _ => State::Bound,
            };
        }
        Ok(())
    }
}

const INSERT: &str = "INSERT INTO assets (id, ref, kind, zone_id, site_state, name, name_zh, name_bo, name_en,
    lon, lat, geometry, species, genus, species_zh, species_en, dbh_cm, height_m, crown_m, planted_on,
    condition, heritage_grade, box_count, box_length_m, box_width_m, box_depth_m, planting, tree_count,
    plant, park_type, water, area_m2, volume_m3, tags, source, source_id, import_id, imported_at,
    retired_reason, created_at, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
    ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?40)";

const UPDATE: &str = "UPDATE assets SET ref = ?2, kind = ?3, zone_id = ?4, site_state = ?5, name = ?6,
    name_zh = ?7, name_bo = ?8, name_en = ?9, lon = ?10, lat = ?11, geometry = ?12, species = ?13,
    genus = ?14, species_zh = ?15, species_en = ?16, dbh_cm = ?17, height_m = ?18, crown_m = ?19,
    planted_on = ?20, condition = ?21, heritage_grade = ?22, box_count = ?23, box_length_m = ?24,
    box_width_m = ?25, box_depth_m = ?26, planting = ?27, tree_count = ?28, plant = ?29, park_type = ?30,
    water = ?31, area_m2 = ?32, volume_m3 = ?33, tags = ?34, source = ?35, source_id = ?36,
    import_id = ?37, imported_at = ?38, retired_reason = ?39, updated_at = ?40,
    retired_at = CASE WHEN ?39 IS NULL THEN NULL ELSE coalesce(retired_at, ?40) END
    WHERE id = ?1";

fn insert_with(
    st: &mut rusqlite::Statement<'_>,
    row: Row31<'_>,
    now: &str,
    held: Option<&mut Held>,
) -> Result<std::result::Result<(), Conflict>> {
    match row.bind(st, now, held) {
        Ok(_) => Ok(Ok(())),
        Err(rusqlite::Error::SqliteFailure(e, Some(msg)))
            if e.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("assets.ref") =>
        {
            Ok(Err(Conflict::Ref))
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes assets with statements prepared once ([`Tx::asset_writer`]); the same rows as
/// [`Tx::insert_asset`] and [`Tx::update_asset`] would write for the record with its
/// provenance `import_id` and `imported_at` set to `stamp`. `anchor` is the record's anchor
/// point (`AssetRecord::anchor`), which the caller has already computed.
pub struct AssetWriter<'t> {
    insert: rusqlite::Statement<'t>,
    insert_held: Held,
    update: Option<(rusqlite::Statement<'t>, Held)>,
    conn: &'t rusqlite::Connection,
}

impl AssetWriter<'_> {
    /// As [`Tx::insert_asset`].
    pub fn insert(
        &mut self,
        r: &AssetRecord,
        anchor: (f64, f64),
        stamp: (i64, &str),
        now: &str,
    ) -> Result<std::result::Result<(), Conflict>> {
        let row = Row31 {
            r,
            anchor: Some(anchor),
            stamp: Some(stamp),
        };
        insert_with(&mut self.insert, row, now, Some(&mut self.insert_held))
    }

    /// As [`Tx::update_asset`].
    pub fn update(
        &mut self,
        r: &AssetRecord,
        anchor: (f64, f64),
        stamp: (i64, &str),
        now: &str,
    ) -> Result<()> {
        let (st, held) = match &mut self.update {
            Some(u) => u,
            None => self
                .update
                .insert((self.conn.prepare(UPDATE)?, Held::new())),
        };
        let row = Row31 {
            r,
            anchor: Some(anchor),
            stamp: Some(stamp),
        };
        row.bind(st, now, Some(held))?;
        Ok(())
    }
}

/// Id and ref of the assets of one source, by source id (FxHash: a million keys are hashed
/// once each during an import).
pub type SourceKeys = rustc_hash::FxHashMap<String, (i64, String)>;

/// The secondary indexes of the `assets` table while a large import runs without them
/// ([`Tx::drop_asset_indexes`]) or triggers ([`Tx::suspend_asset_triggers`]): their `CREATE`
/// text as stored, to be run again by
/// [`Tx::restore_indexes`] before the transaction commits.
#[derive(Debug)]
#[must_use = "recreate them (Tx::restore_indexes, Tx::resume_asset_triggers) before the transaction commits"]
pub struct DroppedSchema {
    sql: Vec<String>,
}

/// Zone names by zone id (a few hundred; looked up once per asset read).
pub(super) type ZoneNames = rustc_hash::FxHashMap<i64, String>;

/// An asset's id with its provenance key (source, source id).
pub type AssetKey = (i64, Option<String>, Option<String>);

/// Why an insert was refused by a uniqueness rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// Another asset already has this ref.
    Ref,
}

impl Tx<'_> {
    /// The highest asset id in use (0 when empty); new ids are assigned above it.
    pub fn max_asset_id(&self) -> Result<i64> {
        Ok(self
            .tx
            .query_row("SELECT coalesce(max(id), 0) FROM assets", [], |r| r.get(0))?)
    }

    /// Ids and refs of the assets of one source, by source id.
    pub fn source_keys(&self, source: &str) -> Result<SourceKeys> {
        let mut st = self.tx.prepare(
            "SELECT source_id, id, ref FROM assets WHERE source = ?1 AND source_id IS NOT NULL",
        )?;
        let rows = st
            .query_map([source], |r| {
                Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
            })?
            .collect::<rusqlite::Result<SourceKeys>>()?;
        Ok(rows)
    }

    /// Drops the explicit indexes of the `assets` table (its rowid and the `ref` UNIQUE
    /// constraint stay), for an import that inserts more rows than the table holds: building an
    /// index once over the finished table is quicker than updating it row by row. The indexes
    /// must be recreated with [`Tx::restore_indexes`] before the transaction commits; a
    /// transaction rolled back instead restores them with everything else (SQLite DDL is
    /// transactional). While they are gone, a query by source key, zone or kind scans the table.
    pub fn drop_asset_indexes(&self) -> Result<DroppedSchema> {
        self.drop_schema_of_assets("index")
    }

    /// Drops the triggers of the `assets` table (the register generation and the scheduling
    /// snapshot's chunks), for an import that writes many rows: firing them once per row costs
    /// about 3 us a row, a tenth of a re-import. Recreate them with
    /// [`Tx::resume_asset_triggers`] before the transaction commits (a rollback restores them).
    pub fn suspend_asset_triggers(&self) -> Result<DroppedSchema> {
        self.drop_schema_of_assets("trigger")
    }

    fn drop_schema_of_assets(&self, kind: &str) -> Result<DroppedSchema> {
        let objects: Vec<(String, String)> = self
            .tx
            .prepare(
                "SELECT name, sql FROM sqlite_master
                 WHERE type = ?1 AND tbl_name = 'assets' AND sql IS NOT NULL ORDER BY name",
            )?
            .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let statement = if kind == "trigger" {
            "TRIGGER"
        } else {
            "INDEX"
        };
        for (name, _) in &objects {
            self.tx.execute_batch(&format!(
                "DROP {statement} \"{}\"",
                name.replace('"', "\"\"")
            ))?;
        }
        Ok(DroppedSchema {
            sql: objects.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    /// Recreates indexes dropped by [`Tx::drop_asset_indexes`], as they were defined. A UNIQUE
    /// index refuses rows that break it here, with the error the insert would have given.
    pub fn restore_indexes(&self, dropped: DroppedSchema) -> Result<()> {
        for sql in &dropped.sql {
            self.tx.execute_batch(sql)?;
        }
        Ok(())
    }

    /// Recreates the triggers of [`Tx::suspend_asset_triggers`] and does once what they would
    /// have done for every row written meanwhile: the generation moves, and the scheduling
    /// snapshot is dropped whole.
    pub fn resume_asset_triggers(&self, suspended: DroppedSchema) -> Result<()> {
        self.restore_indexes(suspended)?;
        self.tx.execute_batch(
            "UPDATE register_generation SET generation = generation + 1 WHERE id = 1;
             DELETE FROM scheduling_snapshot;",
        )?;
        Ok(())
    }

    /// Inserts a new asset with the id it carries. A ref already taken is reported as a
    /// [`Conflict`] (the statement alone is undone; the transaction goes on).
    pub fn insert_asset(
        &mut self,
        r: &AssetRecord,
        now: &str,
    ) -> Result<std::result::Result<(), Conflict>> {
        let mut st = self.tx.prepare_cached(INSERT)?;
        let row = Row31 {
            r,
            anchor: None,
            stamp: None,
        };
        insert_with(&mut st, row, now, None)
    }

    /// Prepared insert and update statements for writing many assets (an import): preparing
    /// once saves looking the statement text up in the cache for every row.
    pub fn asset_writer(&self) -> Result<AssetWriter<'_>> {
        Ok(AssetWriter {
            insert: self.tx.prepare(INSERT)?,
            insert_held: Held::new(),
            update: None,
            conn: &self.tx,
        })
    }

    /// Id, source and source id of the asset holding a ref.
    pub fn asset_key_by_ref(&self, asset_ref: &str) -> Result<Option<AssetKey>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id, source, source_id FROM assets WHERE ref = ?1",
                [asset_ref],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Rewrites every column of a stored asset from the record.
    pub fn update_asset(&mut self, r: &AssetRecord, now: &str) -> Result<()> {
        let mut st = self.tx.prepare_cached(UPDATE)?;
        let row = Row31 {
            r,
            anchor: None,
            stamp: None,
        };
        row.bind(&mut st, now, None)?;
        Ok(())
    }

    /// Archives the current occupant of a site (a JSON snapshot) and bumps the occupant number.
    pub fn archive_occupant(
        &mut self,
        asset_id: i64,
        ended_on: NaiveDate,
        reason: &str,
        data: &str,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO occupants (asset_id, occupant_no, ended_on, end_reason, data)
             SELECT id, occupant_no, ?2, ?3, ?4 FROM assets WHERE id = ?1",
            params![
                asset_id,
                ended_on.format("%Y-%m-%d").to_string(),
                reason,
                data
            ],
        )?;
        self.tx.execute(
            "UPDATE assets SET occupant_no = occupant_no + 1 WHERE id = ?1",
            [asset_id],
        )?;
        Ok(())
    }
}

/// A past occupant of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct PastOccupant {
    pub occupant_no: i64,
    pub ended_on: String,
    pub end_reason: Option<String>,
    /// JSON snapshot of its fields.
    pub data: String,
}

impl Reader<'_> {
    /// Loads the assets matching the filter, ordered by ref.
    pub fn assets(&self, f: &AssetFilter) -> Result<Vec<AssetRecord>> {
        let mut sql =
            format!("SELECT {COLUMNS} FROM assets a JOIN zones z ON z.id = a.zone_id WHERE 1=1");
        let mut args: Vec<String> = Vec::new();
        if let Some(k) = f.kind {
            args.push(k.as_str().to_string());
            sql.push_str(&format!(" AND a.kind = ?{}", args.len()));
        }
        if let Some(z) = &f.zone {
            args.push(z.clone());
            sql.push_str(&format!(" AND z.name = ?{}", args.len()));
        }
        if !f.include_retired {
            sql.push_str(" AND a.retired_at IS NULL");
        }
        sql.push_str(" ORDER BY a.ref");
        let mut st = self.conn.prepare(&sql)?;
        let raw = st
            .query_map(rusqlite::params_from_iter(args.iter()), from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        raw.into_iter().map(finish).collect()
    }

    /// Every asset (retired ones included) as the scheduler and the plan need it, in id order:
    /// kind, zone, site state, species and genus, condition, heritage, box and row sizes,
    /// plantings, areas, tags and the retired reason. The geometry is the anchor point and the
    /// names, crown sizes and provenance are left empty: reading a million full rows (their
    /// GeoJSON text, names and import stamps) costs several times as long.
    pub fn assets_for_scheduling(&self) -> Result<Vec<AssetRecord>> {
        // Sized up front: growing a vector of a million records copies it again and again.
        let mut out = Vec::with_capacity(self.max_asset_id()?.max(0) as usize);
        self.each_asset_for_scheduling(|rec| out.push(rec))?;
        Ok(out)
    }

    /// As [`Reader::assets_for_scheduling`], handing each record to `f` as it is read: a caller
    /// that builds its own working set (the scheduler's ECS world) need not hold a million
    /// records of half a kilobyte at once.
    pub fn each_asset_for_scheduling(&self, f: impl FnMut(AssetRecord)) -> Result<()> {
        self.each_asset_for_scheduling_in(i64::MIN..=i64::MAX, f)
    }

    /// As [`Reader::each_asset_for_scheduling`], for the assets whose ids lie in `ids` (a range
    /// of the rowid: several threads can each read a part of the register).
    pub fn each_asset_for_scheduling_in(
        &self,
        ids: std::ops::RangeInclusive<i64>,
        mut f: impl FnMut(AssetRecord),
    ) -> Result<()> {
        let zone_names = self.zone_names()?;
        let mut st = self.conn.prepare(
            "SELECT id, ref, kind, zone_id, site_state, species, genus, planted_on, condition,
                heritage_grade, box_count, box_length_m, box_width_m, box_depth_m, planting,
                tree_count, plant, park_type, water, area_m2, volume_m3, tags, retired_reason,
                lon, lat
             FROM assets WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
        )?;
        let mut rows = st.query([ids.start(), ids.end()])?;
        while let Some(r) = rows.next()? {
            let mut rec = scheduling_from_row(r)?;
            rec.zone = zone_names.get(&rec.zone_id.unwrap_or_default()).cloned();
            f(rec);
        }
        Ok(())
    }

    /// Zone names by id: the scheduling records carry their zone's name.
    pub(super) fn zone_names(&self) -> Result<ZoneNames> {
        Ok(self
            .conn
            .prepare("SELECT id, name FROM zones")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The reference of a stored asset.
    pub fn asset_ref(&self, asset_id: i64) -> Result<Option<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT ref FROM assets WHERE id = ?1")?;
        Ok(st.query_row([asset_id], |r| r.get(0)).optional()?)
    }

    pub fn asset_by_ref(&self, asset_ref: &str) -> Result<Option<AssetRecord>> {
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM assets a JOIN zones z ON z.id = a.zone_id WHERE a.ref = ?1"),
                [asset_ref],
                from_row,
            )
            .optional()?;
        raw.map(finish).transpose()
    }

    /// Number of assets per kind (live ones unless `include_retired`).
    pub fn counts_by_kind(&self, include_retired: bool) -> Result<BTreeMap<String, i64>> {
        let sql = if include_retired {
            "SELECT kind, count(*) FROM assets GROUP BY kind"
        } else {
            "SELECT kind, count(*) FROM assets WHERE retired_at IS NULL GROUP BY kind"
        };
        let mut st = self.conn.prepare(sql)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<BTreeMap<String, i64>>>()?;
        Ok(rows)
    }

    /// The highest asset id (0 for none): at least the number of asset rows, and read from
    /// the end of the table instead of counting a million rows, for sizing a working set.
    pub fn max_asset_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM assets", [], |r| r.get(0))?)
    }

    /// Names of the indexes on a table, the automatic ones of its UNIQUE constraints included,
    /// sorted.
    pub fn index_names(&self, table: &str) -> Result<Vec<String>> {
        self.schema_names("index", table)
    }

    /// Names of the triggers on a table, sorted.
    pub fn trigger_names(&self, table: &str) -> Result<Vec<String>> {
        self.schema_names("trigger", table)
    }

    fn schema_names(&self, kind: &str, table: &str) -> Result<Vec<String>> {
        let mut st = self.conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = ?1 AND tbl_name = ?2 ORDER BY name",
        )?;
        let names = st
            .query_map([kind, table], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(names)
    }

    /// Total number of asset rows (retired included).
    pub fn asset_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM assets", [], |r| r.get(0))?)
    }

    /// Past occupants of a site, oldest first.
    pub fn past_occupants(&self, asset_id: i64) -> Result<Vec<PastOccupant>> {
        let mut st = self.conn.prepare(
            "SELECT occupant_no, ended_on, end_reason, data FROM occupants WHERE asset_id = ?1 ORDER BY occupant_no",
        )?;
        let rows = st
            .query_map([asset_id], |r| {
                Ok(PastOccupant {
                    occupant_no: r.get(0)?,
                    ended_on: r.get(1)?,
                    end_reason: r.get(2)?,
                    data: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The current occupant number of a site.
    pub fn occupant_no(&self, asset_id: i64) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT occupant_no FROM assets WHERE id = ?1",
            [asset_id],
            |r| r.get(0),
        )?)
    }
}
