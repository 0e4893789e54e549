//! The scheduling reader: every asset as the scheduler and the plan need it, in id order, from
//! the `assets` rows (two halves read on two threads) or from the scheduling snapshot, a compact
//! copy of those records kept beside the register.
//!
//! Owns the snapshot's encoding and its validity: a snapshot is used only when its generation
//! equals the register's (`register_generation`, bumped by triggers on every change to
//! `assets`); reading the rows builds a new one, which the caller stores inside its own write
//! transaction ([`Tx::save_scheduling_snapshot`]). Never decides what to do with the records.
//!
//! Why: a scheduling run of a million-asset city read and decoded a million wide rows (GeoJSON,
//! names, import stamps) on every run, about 2 s of CPU here; the snapshot holds ~60 bytes per
//! asset and decodes several times faster (BENCHMARKS.md).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::assets::ZoneNames;
use super::{MMAP, Reader, Result, Store, StoreError, Tx};
use crate::model::{
    AssetRecord, BoxGroup, Condition, KindData, ParkSubtype, SiteState, SpeciesInfo, TreeOccupant,
    WaterKind,
};

/// Version of the encoding below; a snapshot of another format is ignored (and replaced by the
/// next run). Raise it whenever [`SnapshotAsset`] changes.
pub(crate) const FORMAT: i64 = 1;

/// Each stored chunk holds the assets of 2^15 = 32,768 consecutive ids (chunk `k`: ids
/// `k << 15` to `(k + 1) << 15` - 1): small enough that a change to one asset makes the next run
/// read 32,768 rows again, not a million; large enough that a million assets are a few dozen
/// rows. The triggers of migration 0007 compute the same number.
const CHUNK_BITS: u32 = 15;

fn chunk_of(id: i64) -> i64 {
    id >> CHUNK_BITS
}

/// The ids of chunk `k`.
fn ids_of(k: i64) -> std::ops::RangeInclusive<i64> {
    (k << CHUNK_BITS)..=((k + 1) << CHUNK_BITS) - 1
}

/// Records handed from a reading thread to the caller at once.
const BATCH: usize = 1024;

/// What [`Store::each_asset_for_scheduling_parallel`] read: the register generation its records
/// belong to, and the chunks of the snapshot it had to make from the rows.
#[derive(Debug, Default)]
pub struct SchedulingRead {
    /// The register generation every record was read at; `None` when it is not one (a change
    /// committed between the reads of the two halves).
    pub generation: Option<i64>,
    /// Chunks made from the rows (they were missing or stale), to store with
    /// [`Tx::save_scheduling_snapshot`]; `None` when every chunk was current.
    pub snapshot: Option<SchedulingSnapshot>,
}

/// Chunks of the scheduling records, encoded, as read at one register generation.
#[derive(Debug, Default)]
pub struct SchedulingSnapshot {
    generation: i64,
    /// The highest chunk number of the register when read: stored chunks above it are gone.
    last_chunk: i64,
    chunks: Vec<Chunk>,
}

impl SchedulingSnapshot {
    /// Assets in its chunks.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.rows as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Chunks it holds.
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
}

#[derive(Debug, Default)]
struct Chunk<D = Vec<u8>> {
    /// Its number (the ids it covers: [`ids_of`]).
    index: i64,
    rows: u32,
    data: D,
}

/// Encodes records, in id order, into the chunks of the ids they fall in; chunks without an
/// asset are made too (empty), so that every chunk of a range read is known.
struct ChunkWriter {
    chunks: Vec<Chunk>,
    current: Chunk,
}

impl ChunkWriter {
    /// A writer whose first chunk is `first`.
    fn new(first: i64) -> Self {
        ChunkWriter {
            chunks: Vec::new(),
            current: Chunk {
                index: first,
                ..Default::default()
            },
        }
    }

    /// Closes the chunks before chunk `k` (empty ones included) and makes `k` the current one.
    fn advance_to(&mut self, k: i64) {
        while self.current.index < k {
            let next = Chunk {
                index: self.current.index + 1,
                ..Default::default()
            };
            self.chunks.push(std::mem::replace(&mut self.current, next));
        }
    }

    fn push(&mut self, rec: &AssetRecord) -> Result<()> {
        self.advance_to(chunk_of(rec.id));
        let data = std::mem::take(&mut self.current.data);
        self.current.data = postcard::to_extend(&SnapshotAsset::of(rec), data)
            .map_err(|e| corrupt(format!("encoding asset {}: {e}", rec.asset_ref)))?;
        self.current.rows += 1;
        Ok(())
    }

    /// The chunks, through chunk `last`.
    fn finish(mut self, last: i64) -> Vec<Chunk> {
        self.advance_to(last);
        self.chunks.push(self.current);
        self.chunks
    }
}

/// What the snapshot keeps of a scheduling record ([`Reader::each_asset_for_scheduling`]): every
/// field it fills, nothing else. Text codes are stored as their stable spelling.
#[derive(Serialize, Deserialize)]
struct SnapshotAsset<'a> {
    id: i64,
    asset_ref: &'a str,
    lon: f64,
    lat: f64,
    zone_id: Option<i64>,
    site_state: &'a str,
    data: SnapshotData<'a>,
    tags: Cow<'a, BTreeMap<String, String>>,
    retired: Option<&'a str>,
}

#[derive(Serialize, Deserialize)]
enum SnapshotData<'a> {
    Tree {
        latin: Option<&'a str>,
        genus: Option<&'a str>,
        /// Days since 0001-01-01 (`NaiveDate::num_days_from_ce`).
        planted: Option<i32>,
        condition: Option<&'a str>,
        heritage_grade: Option<u8>,
    },
    Boxes {
        box_count: u32,
        box_length_m: f64,
        box_width_m: f64,
        box_depth_m: f64,
        planting: Option<&'a str>,
        planted: Option<i32>,
    },
    TreeRow {
        tree_count: Option<u32>,
        latin: Option<&'a str>,
        genus: Option<&'a str>,
    },
    GreenArea {
        plant: Option<&'a str>,
        area_m2: Option<f64>,
    },
    Park {
        subtype: &'a str,
        area_m2: Option<f64>,
    },
    WaterFeature {
        water: &'a str,
        area_m2: Option<f64>,
        volume_m3: Option<f64>,
    },
}

fn days(d: Option<chrono::NaiveDate>) -> Option<i32> {
    use chrono::Datelike;
    d.map(|d| d.num_days_from_ce())
}

fn date(days: Option<i32>) -> Result<Option<chrono::NaiveDate>> {
    days.map(|n| {
        chrono::NaiveDate::from_num_days_from_ce_opt(n)
            .ok_or_else(|| corrupt(format!("day number {n} out of range")))
    })
    .transpose()
}

fn code<T: std::str::FromStr<Err = String>>(text: &str) -> Result<T> {
    text.parse().map_err(corrupt)
}

fn corrupt(detail: String) -> StoreError {
    StoreError::Corrupt {
        what: "scheduling snapshot".into(),
        detail: format!(
            "{detail}; it is rebuilt by deleting its rows (DELETE FROM scheduling_snapshot)"
        ),
    }
}

impl<'a> SnapshotAsset<'a> {
    fn of(r: &'a AssetRecord) -> SnapshotAsset<'a> {
        let (lon, lat) = r.anchor();
        let data = match &r.data {
            KindData::Tree(t) => SnapshotData::Tree {
                latin: t.species.latin.as_deref(),
                genus: t.species.genus.as_deref(),
                planted: days(t.planted),
                condition: t.condition.map(Condition::as_str),
                heritage_grade: t.heritage_grade,
            },
            KindData::FlowerBoxGroup(b) => SnapshotData::Boxes {
                box_count: b.box_count,
                box_length_m: b.box_length_m,
                box_width_m: b.box_width_m,
                box_depth_m: b.box_depth_m,
                planting: b.planting.as_deref(),
                planted: days(b.planted),
            },
            KindData::TreeRow {
                tree_count,
                species,
            } => SnapshotData::TreeRow {
                tree_count: *tree_count,
                latin: species.latin.as_deref(),
                genus: species.genus.as_deref(),
            },
            KindData::GreenArea { plant, area_m2 } => SnapshotData::GreenArea {
                plant: plant.as_deref(),
                area_m2: *area_m2,
            },
            KindData::Park { subtype, area_m2 } => SnapshotData::Park {
                subtype: subtype.as_str(),
                area_m2: *area_m2,
            },
            KindData::WaterFeature {
                water,
                area_m2,
                volume_m3,
            } => SnapshotData::WaterFeature {
                water: water.as_str(),
                area_m2: *area_m2,
                volume_m3: *volume_m3,
            },
        };
        SnapshotAsset {
            id: r.id,
            asset_ref: &r.asset_ref,
            lon,
            lat,
            zone_id: r.zone_id,
            site_state: r.site_state.as_str(),
            data,
            tags: Cow::Borrowed(&r.tags),
            retired: r.retired.as_deref(),
        }
    }

    /// The record as the row reader makes it: names, sizes, common names and provenance empty,
    /// the geometry the anchor point, the zone name from `zone_names`.
    fn record(self, zone_names: &ZoneNames, species: &mut SharedSpecies) -> Result<AssetRecord> {
        let owned = |s: Option<&str>| s.map(str::to_string);
        let mut species = |latin: Option<&str>, genus: Option<&str>| species.get(latin, genus);
        let data = match self.data {
            SnapshotData::Tree {
                latin,
                genus,
                planted,
                condition,
                heritage_grade,
            } => KindData::Tree(TreeOccupant {
                species: species(latin, genus),
                dbh_cm: None,
                height_m: None,
                crown_m: None,
                planted: date(planted)?,
                condition: condition.map(code::<Condition>).transpose()?,
                heritage_grade,
            }),
            SnapshotData::Boxes {
                box_count,
                box_length_m,
                box_width_m,
                box_depth_m,
                planting,
                planted,
            } => KindData::FlowerBoxGroup(BoxGroup {
                box_count,
                box_length_m,
                box_width_m,
                box_depth_m,
                planting: owned(planting),
                planted: date(planted)?,
            }),
            SnapshotData::TreeRow {
                tree_count,
                latin,
                genus,
            } => KindData::TreeRow {
                tree_count,
                species: species(latin, genus),
            },
            SnapshotData::GreenArea { plant, area_m2 } => KindData::GreenArea {
                plant: owned(plant),
                area_m2,
            },
            SnapshotData::Park { subtype, area_m2 } => KindData::Park {
                subtype: code::<ParkSubtype>(subtype)?,
                area_m2,
            },
            SnapshotData::WaterFeature {
                water,
                area_m2,
                volume_m3,
            } => KindData::WaterFeature {
                water: code::<WaterKind>(water)?,
                area_m2,
                volume_m3,
            },
        };
        Ok(AssetRecord {
            id: self.id,
            asset_ref: self.asset_ref.to_string(),
            names: Default::default(),
            geometry: geo::Geometry::Point(geo::Point::new(self.lon, self.lat)),
            zone: self.zone_id.and_then(|z| zone_names.get(&z)).cloned(),
            zone_id: self.zone_id,
            site_state: code::<SiteState>(self.site_state)?,
            data,
            tags: self.tags.into_owned(),
            provenance: Default::default(),
            retired: owned(self.retired),
        })
    }
}

/// The species of decoded records, one copy each ([`TreeOccupant::species`] is shared): a city
/// has a few hundred species, and a copy of the names per tree cost an allocation or two on the
/// decoding thread and ~150 bytes per tree of the world (a million trees: ~150 MB to fault in).
#[derive(Default)]
struct SharedSpecies {
    /// By a hash of (latin, genus): the snapshot keeps no common names.
    by_hash: rustc_hash::FxHashMap<u64, Vec<Arc<SpeciesInfo>>>,
}

impl SharedSpecies {
    fn get(&mut self, latin: Option<&str>, genus: Option<&str>) -> Arc<SpeciesInfo> {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        (latin, genus).hash(&mut h);
        let same = self.by_hash.entry(h.finish()).or_default();
        if let Some(s) = same
            .iter()
            .find(|s| s.latin.as_deref() == latin && s.genus.as_deref() == genus)
        {
            return s.clone();
        }
        let s = Arc::new(SpeciesInfo {
            latin: latin.map(str::to_string),
            genus: genus.map(str::to_string),
            zh: None,
            en: None,
        });
        same.push(s.clone());
        s
    }
}

/// Decodes one chunk, handing its records to `f` in batches of [`BATCH`]; `f` returning false
/// stops it.
fn decode_chunk(
    chunk: &Chunk<&[u8]>,
    zone_names: &ZoneNames,
    species: &mut SharedSpecies,
    f: &mut dyn FnMut(Vec<AssetRecord>) -> bool,
) -> Result<bool> {
    let mut rest = chunk.data;
    let mut batch = Vec::with_capacity(BATCH);
    for _ in 0..chunk.rows {
        let (asset, tail) = postcard::take_from_bytes::<SnapshotAsset<'_>>(rest)
            .map_err(|e| corrupt(format!("decoding: {e}")))?;
        rest = tail;
        batch.push(asset.record(zone_names, species)?);
        if batch.len() == BATCH && !f(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))) {
            return Ok(false);
        }
    }
    if !rest.is_empty() {
        return Err(corrupt(format!(
            "{} bytes after the last asset",
            rest.len()
        )));
    }
    Ok(batch.is_empty() || f(batch))
}

impl Reader<'_> {
    /// The register's generation: it changes with every change to the `assets` table.
    pub fn register_generation(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT generation FROM register_generation WHERE id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// The chunk numbers of the register (lowest and highest id's), if it has assets.
    fn chunk_range(&self) -> Result<Option<std::ops::RangeInclusive<i64>>> {
        let (first, last): (Option<i64>, Option<i64>) = self
            .conn
            // Two subqueries: each is one seek to an end of the rowid tree, where
            // `SELECT min(id), max(id)` reads every row.
            .query_row(
                "SELECT (SELECT min(id) FROM assets), (SELECT max(id) FROM assets)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(first.zip(last).map(|(f, l)| chunk_of(f)..=chunk_of(l)))
    }

    /// The stored chunks of this format, by number.
    fn current_chunks(&self) -> Result<std::collections::BTreeSet<i64>> {
        Ok(self
            .conn
            .prepare("SELECT chunk FROM scheduling_snapshot WHERE format = ?1")?
            .query_map([FORMAT], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// How many of the register's chunks are stored and current, and how many it has.
    pub fn scheduling_snapshot_chunks(&self) -> Result<(usize, usize)> {
        let Some(range) = self.chunk_range()? else {
            return Ok((0, 0));
        };
        let current = self.current_chunks()?;
        let all = range.clone().count();
        Ok((range.filter(|k| current.contains(k)).count(), all))
    }

    /// Hands every record to `f` in batches, in id order, chunk by chunk: a current chunk is
    /// decoded, a missing or stale one read from the rows and encoded anew. Returns the
    /// generation read at and the new chunks. `f` returning false stops it.
    fn read_chunks(&self, f: &mut dyn FnMut(Vec<AssetRecord>) -> bool) -> Result<SchedulingRead> {
        self.read_chunks_where(&|_| true, &mut |_, batch| batch.is_none_or(&mut *f))
    }

    /// [`Reader::read_chunks`] for the chunks `take` accepts, `f` getting each batch with its
    /// chunk's number, and `None` after each chunk (so that readers of other shares of the
    /// chunks can be merged in order).
    fn read_chunks_where(
        &self,
        take: &dyn Fn(i64) -> bool,
        f: &mut dyn FnMut(i64, Option<Vec<AssetRecord>>) -> bool,
    ) -> Result<SchedulingRead> {
        let generation = self.register_generation()?;
        let Some(range) = self.chunk_range()? else {
            return Ok(SchedulingRead {
                generation: Some(generation),
                snapshot: None,
            });
        };
        let zone_names = self.zone_names()?;
        let mut species = SharedSpecies::default();
        let current = self.current_chunks()?;
        let mut made = Vec::new();
        // One chunk in memory at a time: the whole snapshot of a big city is ~80 MB.
        let mut st = self
            .conn
            .prepare("SELECT rows, data FROM scheduling_snapshot WHERE chunk = ?1")?;
        for k in range.clone().filter(|&k| take(k)) {
            let mut batches = |b: Vec<AssetRecord>| f(k, Some(b));
            let went_on = if current.contains(&k) {
                let mut rows = st.query([k])?;
                match rows.next()? {
                    Some(r) => {
                        let chunk = Chunk {
                            index: k,
                            rows: r.get(0)?,
                            data: r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?,
                        };
                        decode_chunk(&chunk, &zone_names, &mut species, &mut batches)?
                    }
                    None => true,
                }
            } else {
                match self.rows_into_chunks(k..=k, &mut batches)? {
                    Some(chunks) => {
                        made.extend(chunks);
                        true
                    }
                    None => false,
                }
            };
            if !went_on || !f(k, None) {
                break;
            }
        }
        Ok(SchedulingRead {
            generation: Some(generation),
            snapshot: (!made.is_empty()).then(|| SchedulingSnapshot {
                generation,
                last_chunk: *range.end(),
                chunks: made,
            }),
        })
    }

    /// Reads the rows of the chunks `chunks` in id order, handing the records to `f` in
    /// batches and encoding them into those chunks (empty ones included). `None` when `f`
    /// stopped it.
    fn rows_into_chunks(
        &self,
        chunks: std::ops::RangeInclusive<i64>,
        f: &mut dyn FnMut(Vec<AssetRecord>) -> bool,
    ) -> Result<Option<Vec<Chunk>>> {
        let mut writer = ChunkWriter::new(*chunks.start());
        let mut batch = Vec::with_capacity(BATCH);
        let mut failed = None;
        let mut open = true;
        let ids = *ids_of(*chunks.start()).start()..=*ids_of(*chunks.end()).end();
        self.each_asset_for_scheduling_in(ids, |rec| {
            if !open {
                return;
            }
            if let Err(e) = writer.push(&rec) {
                failed = Some(e);
                open = false;
                return;
            }
            batch.push(rec);
            if batch.len() == BATCH {
                open = f(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        if !open || (!batch.is_empty() && !f(batch)) {
            return Ok(None);
        }
        Ok(Some(writer.finish(*chunks.end())))
    }
}

impl Tx<'_> {
    /// Stores the chunks of `snapshot` in place of the stored ones of the same numbers (and
    /// drops chunks past the register's last), when the register has not changed since they
    /// were read (else nothing is written: the next run reads those rows again). Returns
    /// whether they were stored.
    pub fn save_scheduling_snapshot(&self, snapshot: &SchedulingSnapshot) -> Result<bool> {
        if snapshot.chunks.is_empty() || self.read().register_generation()? != snapshot.generation {
            return Ok(false);
        }
        self.tx.execute(
            "DELETE FROM scheduling_snapshot WHERE chunk > ?1 OR format <> ?2",
            [snapshot.last_chunk, FORMAT],
        )?;
        let mut st = self.tx.prepare(
            "INSERT OR REPLACE INTO scheduling_snapshot (chunk, format, rows, data)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for c in &snapshot.chunks {
            st.execute(rusqlite::params![c.index, FORMAT, c.rows, c.data])?;
        }
        Ok(true)
    }
}

/// Opens a read-only connection for a reading thread.
pub(super) fn open_reader(path: &Path) -> Result<Connection> {
    super::configure_sqlite();
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    conn.execute_batch("PRAGMA cache_size = -131072;")?;
    conn.execute_batch(MMAP)?;
    Ok(conn)
}

impl Store {
    /// As [`Reader::each_asset_for_scheduling`], with the reading on other threads while `f`
    /// (building the scheduler's world) runs on this one; records reach `f` in id order.
    ///
    /// The snapshot is kept in chunks of 32,768 ids, each dropped by the triggers on `assets`
    /// when one of its assets changes. When at most half of the register's chunks are missing,
    /// two threads, each taking every other chunk, decode the stored chunks and read the rows
    /// of the missing ones, and this one takes their records chunk by chunk in turn. Otherwise
    /// (the first run after an import) the rows are read: the id range is split in two halves
    /// at a chunk boundary, each read by its own read-only connection (the first half's records
    /// handed on as they come, the second half's read ahead meanwhile and handed on after). The
    /// chunks made from rows are returned for the caller to store in its write transaction. A
    /// small register, or an in-memory store (tests), is read on this thread.
    pub fn each_asset_for_scheduling_parallel(
        &self,
        mut f: impl FnMut(AssetRecord),
    ) -> Result<SchedulingRead> {
        self.each_asset_for_scheduling_prepared(
            |r| r,
            |batch: Vec<AssetRecord>| batch.into_iter().for_each(&mut f),
        )
    }

    /// [`Store::each_asset_for_scheduling_parallel`], each record passed through `prepare` on
    /// the thread that read it (a decoding or reading thread when there is one) and handed to
    /// `f` in batches: work that does not need this thread's state (making a record ready for
    /// the world) is done off it.
    pub fn each_asset_for_scheduling_prepared<P: Send>(
        &self,
        prepare: impl Fn(AssetRecord) -> P + Sync,
        mut f: impl FnMut(Vec<P>),
    ) -> Result<SchedulingRead> {
        let prepared =
            |batch: Vec<AssetRecord>| -> Vec<P> { batch.into_iter().map(&prepare).collect() };
        /// Below this many ids a second thread costs more than it saves.
        const SPLIT_FROM: i64 = 20_000;
        let (range, (current, all)) = {
            let read = self.conn.unchecked_transaction()?;
            let reader = Reader { conn: &read };
            (reader.chunk_range()?, reader.scheduling_snapshot_chunks()?)
        };
        let Some(range) = range else {
            return Ok(SchedulingRead {
                generation: Some(self.read().register_generation()?),
                snapshot: None,
            });
        };
        let (first, last) = (
            (range.start() << CHUNK_BITS),
            (range.end() + 1) << CHUNK_BITS,
        );
        let in_memory = self.path == Path::new(":memory:");
        if in_memory || last - first < SPLIT_FROM {
            let read = self.conn.unchecked_transaction()?;
            return Reader { conn: &read }.read_chunks(&mut |batch| {
                f(prepared(batch));
                true
            });
        }
        if current * 2 >= all || range.start() == range.end() {
            return read_chunks_on_a_thread(&self.path, &prepared, &mut f);
        }
        // Split at a chunk boundary: each half makes whole chunks.
        let middle_chunk = range.start() + (range.end() - range.start()) / 2;
        let halves = [
            *range.start()..=middle_chunk,
            middle_chunk + 1..=*range.end(),
        ];
        type Batch<P> = Vec<P>;
        // The first half is handed on as it is read (a few batches in flight); the second half
        // is read ahead without bound while the first is handed on.
        let (send_first, receive_first) = std::sync::mpsc::sync_channel::<Batch<P>>(16);
        let (send_second, receive_second) = std::sync::mpsc::channel::<Batch<P>>();
        let path = self.path.clone();
        let path = &path;
        // Each half is read in a read transaction of its own, and says the generation it saw:
        // the chunks are kept only if both saw the same one.
        let prepared = &prepared;
        let read_half = move |chunks: std::ops::RangeInclusive<i64>,
                              send: &dyn Fn(Batch<P>) -> bool|
              -> Result<(i64, Vec<Chunk>)> {
            let mut conn = open_reader(path)?;
            let read = conn.transaction()?;
            let reader = Reader { conn: &read };
            let seen = reader.register_generation()?;
            // `None`: the channel closed, the caller stopped; nothing left to do.
            let made = reader.rows_into_chunks(chunks, &mut |b| send(prepared(b)))?;
            Ok((seen, made.unwrap_or_default()))
        };
        let (first_half, second_half) = std::thread::scope(|scope| {
            let [first_half, second_half] = halves;
            let read_half = &read_half;
            let reader_first = std::thread::Builder::new()
                .name("read-assets".into())
                .spawn_scoped(scope, move || {
                    read_half(first_half, &|b| send_first.send(b).is_ok())
                })
                .map_err(StoreError::Thread)?;
            let reader_second = std::thread::Builder::new()
                .name("read-assets-2".into())
                .spawn_scoped(scope, move || {
                    read_half(second_half, &|b| send_second.send(b).is_ok())
                })
                .map_err(StoreError::Thread)?;
            // Owned here, so that if `f` panics the receivers are dropped while unwinding and
            // the readers' next sends fail instead of waiting forever on a full channel.
            let (receive_first, receive_second) = (receive_first, receive_second);
            for batch in receive_first.iter() {
                f(batch);
            }
            drop(receive_first);
            let joined = |h: std::thread::ScopedJoinHandle<'_, Result<(i64, Vec<Chunk>)>>| {
                h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
            };
            // A bad row in the first half: nothing after it is handed on.
            let first_half = match joined(reader_first) {
                Ok(done) => done,
                Err(e) => {
                    drop(receive_second);
                    let _ = joined(reader_second);
                    return Err(e);
                }
            };
            for batch in receive_second.iter() {
                f(batch);
            }
            drop(receive_second);
            Ok((first_half, joined(reader_second)?))
        })?;
        let ((seen_first, mut chunks), (seen_second, second_chunks)) = (first_half, second_half);
        if seen_first != seen_second {
            return Ok(SchedulingRead::default());
        }
        chunks.extend(second_chunks);
        Ok(SchedulingRead {
            generation: Some(seen_first),
            snapshot: Some(SchedulingSnapshot {
                generation: seen_first,
                last_chunk: *range.end(),
                chunks,
            }),
        })
    }
}

/// [`Reader::read_chunks`] on two threads of their own (each with its own connection and read
/// transaction, taking every other chunk), handing the records to `f` on this one in id
/// order: decoding a million records is more work than spawning them, so one decoding thread
/// kept this one waiting.
fn read_chunks_on_a_thread<P: Send>(
    path: &Path,
    prepared: &(dyn Fn(Vec<AssetRecord>) -> Vec<P> + Sync),
    f: &mut dyn FnMut(Vec<P>),
) -> Result<SchedulingRead> {
    /// A batch of records of a chunk, or (`None`) the end of the chunk.
    type Piece<P> = (i64, Option<Vec<P>>);
    const DECODERS: i64 = 2;
    std::thread::scope(|scope| {
        let mut receivers = Vec::new();
        let mut decoders = Vec::new();
        for share in 0..DECODERS {
            let (send, receive) = std::sync::mpsc::sync_channel::<Piece<P>>(8);
            receivers.push(receive);
            let decoder = std::thread::Builder::new()
                .name("decode-assets".into())
                .spawn_scoped(scope, move || -> Result<SchedulingRead> {
                    let mut conn = open_reader(path)?;
                    let read = conn.transaction()?;
                    Reader { conn: &read }.read_chunks_where(
                        &|k| k.rem_euclid(DECODERS) == share,
                        &mut |k, records| send.send((k, records.map(prepared))).is_ok(),
                    )
                })
                .map_err(StoreError::Thread)?;
            decoders.push(decoder);
        }
        // Owned here, so that if `f` panics the receivers are dropped while unwinding and the
        // decoders' next sends fail instead of waiting forever on a full channel.
        let receivers = receivers;
        // Merged by chunk: each decoder sends its chunks in order, so the one whose next piece
        // is of the lowest chunk goes on, to the end of that chunk.
        let mut heads: Vec<Option<Piece<P>>> = receivers.iter().map(|r| r.recv().ok()).collect();
        while let Some(d) = (0..heads.len())
            .filter(|&d| heads[d].is_some())
            .min_by_key(|&d| heads[d].as_ref().map(|(k, _)| *k))
        {
            while let Some((_, piece)) = heads[d].take() {
                heads[d] = receivers[d].recv().ok();
                match piece {
                    Some(batch) => f(batch),
                    None => break,
                }
            }
        }
        drop(receivers);
        let mut reads = Vec::new();
        for decoder in decoders {
            reads.push(
                decoder
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))?,
            );
        }
        // Each share was read at the generation its transaction saw: the records are of one
        // generation only if they all saw the same.
        let generations: std::collections::BTreeSet<Option<i64>> =
            reads.iter().map(|r| r.generation).collect();
        let [Some(generation)] = generations.into_iter().collect::<Vec<_>>()[..] else {
            return Ok(SchedulingRead::default());
        };
        let made: Vec<SchedulingSnapshot> = reads.into_iter().filter_map(|r| r.snapshot).collect();
        let last_chunk = made.iter().map(|s| s.last_chunk).max();
        let mut chunks: Vec<Chunk> = made.into_iter().flat_map(|s| s.chunks).collect();
        chunks.sort_by_key(|c| c.index);
        Ok(SchedulingRead {
            generation: Some(generation),
            snapshot: last_chunk.map(|last_chunk| SchedulingSnapshot {
                generation,
                last_chunk,
                chunks,
            }),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A register of `n` assets of every kind, with tags, plantings, retirements and two zones.
    fn register(s: &Store, n: i64) {
        s.conn
            .execute_batch(&format!(
                "INSERT INTO zones (id, name, created_at) VALUES (1, 'north', 'x'), (2, 'south', 'x');
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
                 INSERT INTO assets (id, ref, kind, zone_id, site_state, lon, lat, geometry,
                     species, genus, species_zh, dbh_cm, planted_on, condition, heritage_grade,
                     box_count, box_length_m, box_width_m, box_depth_m, planting, tree_count,
                     plant, park_type, water, area_m2, volume_m3, tags, retired_reason,
                     created_at, updated_at)
                 SELECT i, 'A-' || i,
                     CASE i % 6 WHEN 0 THEN 'flower_box_group' WHEN 1 THEN 'tree'
                         WHEN 2 THEN 'tree_row' WHEN 3 THEN 'green_area' WHEN 4 THEN 'park'
                         ELSE 'water_feature' END,
                     1 + i % 2, CASE WHEN i % 7 = 0 THEN 'vacant' ELSE 'occupied' END,
                     91.0 + i / 1e5, 29.6 - i / 1e6, '{{\"type\":\"Point\"}}',
                     CASE WHEN i % 5 = 0 THEN NULL ELSE 'Salix matsudana' END,
                     CASE WHEN i % 4 = 0 THEN 'Salix' END, '旱柳', 30.5,
                     CASE WHEN i % 3 = 0 THEN '2019-04-0' || (1 + i % 9) END,
                     CASE i % 4 WHEN 0 THEN 'good' WHEN 1 THEN 'poor' END,
                     CASE WHEN i % 11 = 0 THEN 2 END,
                     1 + i % 5, 1.2, 0.4, 0.35, CASE WHEN i % 2 = 0 THEN 'Tagetes erecta' END,
                     CASE WHEN i % 8 = 0 THEN 12 END, 'lawn',
                     CASE WHEN i % 2 = 0 THEN 'pocket_park' END,
                     CASE WHEN i % 2 = 0 THEN 'fountain' END,
                     CASE WHEN i % 3 = 0 THEN 250.5 END, CASE WHEN i % 3 = 1 THEN 80.0 END,
                     CASE WHEN i % 13 = 0 THEN '{{\"owner\":\"city\",\"note\":\"β\"}}' ELSE '{{}}' END,
                     CASE WHEN i % 17 = 0 THEN 'storm damage' END, 'x', 'x'
                 FROM n;"
            ))
            .unwrap();
    }

    fn read_all(s: &Store) -> (Vec<AssetRecord>, Option<SchedulingSnapshot>) {
        let mut out = Vec::new();
        let read = s
            .each_asset_for_scheduling_parallel(|r| out.push(r))
            .unwrap();
        assert_eq!(
            read.generation,
            Some(s.read().register_generation().unwrap()),
            "read at the register's generation"
        );
        (out, read.snapshot)
    }

    fn save(s: &mut Store, snapshot: &SchedulingSnapshot) -> bool {
        s.write(|tx| tx.save_scheduling_snapshot(snapshot)).unwrap()
    }

    /// A file store with a register of `n` assets whose snapshot is stored.
    fn stored(n: i64) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.db")).unwrap();
        register(&s, n);
        let (_, snapshot) = read_all(&s);
        assert!(save(&mut s, &snapshot.unwrap()));
        (dir, s)
    }

    /// The decoding threads take every other chunk; their records are merged back in id order
    /// whichever chunk the register starts at, with the rows of dropped chunks in their place.
    #[test]
    fn chunks_decoded_on_two_threads_come_back_in_id_order() {
        let (_dir, s) = stored(4 * 32_768 + 10);
        // The register now starts in chunk 1 (the second decoder's), and chunks 1 and 3 (both
        // that decoder's) are read from the rows; 2 and 4 are decoded.
        s.conn
            .execute_batch(
                "DELETE FROM assets WHERE id < 40000;
                 UPDATE assets SET site_state = 'vacant' WHERE id = 100000;",
            )
            .unwrap();
        assert_eq!(s.read().scheduling_snapshot_chunks().unwrap(), (2, 4));
        let (records, made) = read_all(&s);
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");
        assert_eq!(records, s.read().assets_for_scheduling().unwrap());
        let made = made.expect("the dropped chunks are made again");
        assert_eq!((made.chunk_count(), made.len()), (2, 25_536 + 32_768));
    }

    /// Records decoded from the snapshot share one copy of each species (a world of a million
    /// trees held a copy of the names per tree), and are still equal to the rows' records.
    #[test]
    fn decoded_trees_of_one_species_share_it() {
        let (_dir, s) = stored(2_000);
        let (records, _) = read_all(&s);
        let mut by_names: std::collections::HashMap<SpeciesInfo, Vec<Arc<SpeciesInfo>>> =
            Default::default();
        for r in &records {
            if let KindData::Tree(TreeOccupant { species, .. })
            | KindData::TreeRow { species, .. } = &r.data
            {
                by_names
                    .entry((**species).clone())
                    .or_default()
                    .push(species.clone());
            }
        }
        // Latin name or none, genus or none: four species among the trees and rows.
        assert_eq!(by_names.len(), 4, "{:?}", by_names.keys());
        for (names, copies) in &by_names {
            assert!(copies.len() > 20, "{names:?}");
            assert!(
                copies.iter().all(|c| Arc::ptr_eq(c, &copies[0])),
                "{names:?}: one copy shared"
            );
        }
        assert_eq!(records, s.read().assets_for_scheduling().unwrap());
    }

    #[test]
    fn the_snapshot_gives_the_records_the_rows_give_and_a_change_drops_only_its_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.db")).unwrap();
        // Ids 1 to 70,000: chunks 0, 1 and 2 (32,768 ids each).
        register(&s, 70_000);
        let plain = s.read().assets_for_scheduling().unwrap();
        assert_eq!(plain.len(), 70_000);
        let kinds: std::collections::BTreeSet<_> = plain.iter().map(|r| r.kind()).collect();
        assert_eq!(kinds.len(), 6, "every kind is in the register");
        let chunks = |s: &Store| s.read().scheduling_snapshot_chunks().unwrap();
        let stored = |s: &Store| -> i64 {
            s.conn
                .query_row("SELECT count(*) FROM scheduling_snapshot", [], |r| r.get(0))
                .unwrap()
        };

        // Nothing stored: the rows are read (two halves on two threads) and make every chunk.
        let (from_rows, snapshot) = read_all(&s);
        assert_eq!(from_rows, plain);
        let snapshot = snapshot.expect("the rows make the chunks");
        assert_eq!((snapshot.len(), snapshot.chunk_count()), (70_000, 3));
        assert_eq!(chunks(&s), (0, 3));
        assert!(save(&mut s, &snapshot));
        assert_eq!(chunks(&s), (3, 3));

        // Read again: from the snapshot, nothing new to store, the same records.
        let (from_snapshot, none) = read_all(&s);
        assert!(none.is_none());
        assert_eq!(from_snapshot, plain);
        // Zone names are looked up when read: renaming a zone needs no new chunk.
        s.conn
            .execute("UPDATE zones SET name = 'upper' WHERE id = 1", [])
            .unwrap();
        assert_eq!(chunks(&s), (3, 3));
        let (renamed, _) = read_all(&s);
        assert_eq!(renamed[0].zone.as_deref(), Some("south"));
        assert_eq!(renamed[1].zone.as_deref(), Some("upper"));

        // A change to an asset, even by hand in an SQLite tool, drops its chunk only; the next
        // read decodes the others and reads that chunk's rows.
        s.conn
            .execute(
                "UPDATE assets SET species = 'Ulmus pumila' WHERE id = 40003",
                [],
            )
            .unwrap();
        assert_eq!(chunks(&s), (2, 3));
        let (changed, fresh) = read_all(&s);
        let tree = changed.iter().find(|r| r.id == 40_003).unwrap();
        match &tree.data {
            KindData::Tree(t) => assert_eq!(t.species.latin.as_deref(), Some("Ulmus pumila")),
            other => panic!("asset 40003 is a tree: {other:?}"),
        }
        assert_eq!(changed.len(), 70_000);
        let fresh = fresh.unwrap();
        assert_eq!((fresh.chunk_count(), fresh.len()), (1, 32_768));
        // Chunks read before another change are not stored after it.
        s.conn
            .execute("DELETE FROM assets WHERE id = 7", [])
            .unwrap();
        assert_eq!(chunks(&s), (1, 3));
        assert!(!save(&mut s, &fresh));
        let (fewer, again) = read_all(&s);
        assert_eq!(fewer.len(), 69_999);
        // Two chunks of three missing: more than half, so every row was read again (in two
        // halves) and every chunk made anew.
        assert_eq!(again.as_ref().unwrap().chunk_count(), 3);
        assert!(save(&mut s, &again.unwrap()));
        assert_eq!(chunks(&s), (3, 3));
        let (cached, none) = read_all(&s);
        assert!(none.is_none());
        assert_eq!(cached, fewer);
        assert_eq!(cached, s.read().assets_for_scheduling().unwrap());

        // The register shrinks: the emptied chunk went with its assets, the others are current.
        s.conn
            .execute("DELETE FROM assets WHERE id >= 65536", [])
            .unwrap();
        let (shorter, made) = read_all(&s);
        assert_eq!(shorter.len(), 69_999 - (70_000 - 65_535));
        assert!(made.is_none());
        assert_eq!((chunks(&s), stored(&s)), ((2, 2), 2));
        // An id far beyond: the chunks between hold no asset and are stored empty.
        s.conn
            .execute_batch(
                "INSERT INTO assets (id, ref, kind, zone_id, lon, lat, geometry, created_at, updated_at)
                 VALUES (200000, 'FAR', 'tree', 1, 91.5, 29.5, '{\"type\":\"Point\"}', 'x', 'x')",
            )
            .unwrap();
        let (far, made) = read_all(&s);
        assert_eq!(far.last().unwrap().asset_ref, "FAR");
        assert_eq!(far, s.read().assets_for_scheduling().unwrap());
        assert!(save(&mut s, &made.unwrap()));
        assert_eq!(chunks(&s), (7, 7));
        let (cached, none) = read_all(&s);
        assert!(none.is_none());
        assert_eq!(cached, far);
    }

    #[test]
    fn a_write_at_a_generation_is_refused_once_the_register_moved_and_checks_keys_again_after() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("t.db")).unwrap();
        register(&s, 10);
        let (_, _) = read_all(&s);
        let read_at = s.read().register_generation().unwrap();
        let foreign_keys = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap()
        };
        let water = |s: &Store| -> i64 {
            s.conn
                .query_row("SELECT count(*) FROM water_balance", [], |r| r.get(0))
                .unwrap()
        };
        let write = |s: &mut Store, at: Option<i64>| {
            s.write_at_generation(at, |tx| {
                tx.tx.execute(
                    "INSERT INTO water_balance (asset_id, depletion_mm, as_of) VALUES (3, 1.5, '2027-05-01')",
                    [],
                )?;
                Ok::<_, StoreError>(())
            })
        };
        // Another command changes an asset after the read: nothing is written, and the
        // foreign-key checks are on again.
        s.conn
            .execute("UPDATE assets SET condition = 'dead' WHERE id = 3", [])
            .unwrap();
        let err = write(&mut s, Some(read_at)).unwrap_err();
        assert!(matches!(err, StoreError::RegisterChanged), "{err}");
        assert!(err.to_string().contains("run the command again"), "{err}");
        assert_eq!(water(&s), 0);
        assert_eq!(foreign_keys(&s), 1);
        // At the register's generation it is written, and the checks are back on after.
        let now = s.read().register_generation().unwrap();
        write(&mut s, Some(now)).unwrap();
        assert_eq!(water(&s), 1);
        assert_eq!(foreign_keys(&s), 1);
        let dangling = s.conn.execute(
            "INSERT INTO water_balance (asset_id, depletion_mm, as_of) VALUES (99, 1.5, '2027-05-01')",
            [],
        );
        assert!(dangling.is_err(), "an asset that does not exist is refused");
        // Without a generation it is a plain write, keys checked.
        s.conn.execute("DELETE FROM water_balance", []).unwrap();
        write(&mut s, None).unwrap();
        assert_eq!(water(&s), 1);
    }

    #[test]
    fn triggers_suspended_for_an_import_drop_the_whole_snapshot_when_resumed() {
        let (_dir, mut s) = stored(70_000);
        let before = s.read().register_generation().unwrap();
        s.write(|tx| {
            let suspended = tx.suspend_asset_triggers()?;
            tx.tx.execute(
                "UPDATE assets SET species = 'Ulmus pumila' WHERE id BETWEEN 40000 AND 50000",
                [],
            )?;
            tx.resume_asset_triggers(suspended)
        })
        .unwrap();
        assert_eq!(s.read().register_generation().unwrap(), before + 1);
        assert_eq!(s.read().scheduling_snapshot_chunks().unwrap(), (0, 3));
        assert_eq!(s.read().trigger_names("assets").unwrap().len(), 3);
        let (records, _) = read_all(&s);
        assert_eq!(records, s.read().assets_for_scheduling().unwrap());
    }

    #[test]
    fn an_in_memory_store_keeps_a_snapshot_too() {
        let mut s = Store::open_in_memory().unwrap();
        register(&s, 500);
        let (from_rows, snapshot) = read_all(&s);
        assert_eq!(from_rows.len(), 500);
        assert!(save(&mut s, &snapshot.unwrap()));
        let (from_snapshot, none) = read_all(&s);
        assert!(none.is_none());
        assert_eq!(from_snapshot, from_rows);
    }

    #[test]
    fn an_unreadable_snapshot_is_an_error_that_says_how_to_rebuild_it() {
        let (_dir, s) = stored(100);
        s.conn
            .execute("UPDATE scheduling_snapshot SET data = x'ff00ff'", [])
            .unwrap();
        let err = s.each_asset_for_scheduling_parallel(|_| {}).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("scheduling snapshot"), "{msg}");
        assert!(msg.contains("DELETE FROM scheduling_snapshot"), "{msg}");
        s.conn
            .execute("DELETE FROM scheduling_snapshot", [])
            .unwrap();
        let (records, _) = read_all(&s);
        assert_eq!(records.len(), 100);
    }
}
