//! Bulk import into the register: one transaction per file, all or nothing unless the caller
//! skips invalid features; upsert by (source, source id or ref); zone assignment; one audit row.
//!
//! Every format is read into a [`ReadBatch`] (GeoJSON features, CSV rows) and goes through the
//! same [`apply`], so the atomic rule, the `--skip-invalid` report and the upsert are shared.
//!
//! An import that inserts more rows than the assets table held (and at least
//! `INDEXES_REBUILT_AFTER`) builds the table's secondary indexes once at the end instead of
//! updating them row by row; it is still one transaction, and a failed import leaves the
//! indexes as they were.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use indicatif::ProgressBar;
use rustc_hash::FxHashMap;
use serde_json::json;

use crate::interchange::{self, ColumnMap, DateOrder, ModelOptions, Parsed, ScanItem};
use crate::model::{AssetKind, AssetRecord, UNZONED, ZoneRecord, zoning::ZoneIndex};
use crate::store::{
    AssetWriter, AuditEntry, Conflict, DroppedSchema, SourceKeys, Store, StoreError, Tx,
    now_rfc3339,
};

/// A record the import refused: where it was (feature index and id, or file and line), the
/// field (or column), and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub place: String,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.place, self.field, self.message)
    }
}

impl From<interchange::FeatureError> for Rejection {
    fn from(e: interchange::FeatureError) -> Self {
        let place = match &e.id {
            Some(id) => format!("feature {} ({id})", e.index),
            None => format!("feature {}", e.index),
        };
        Rejection {
            place,
            field: e.field,
            message: e.message,
        }
    }
}

impl Rejection {
    /// A CSV row: `trees.csv: line 41: column tree_dbh: 'abc' is not a number`.
    pub fn row(file: &str, e: interchange::RowError) -> Self {
        Rejection {
            place: format!("{file}: line {}", e.line),
            field: e.field,
            message: e.message,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Kind for features that do not say (`--kind`).
    pub kind: Option<AssetKind>,
    /// Order of dates written with the year last (`--date-format dmy|mdy`); without it an
    /// ambiguous date such as 03/04/2010 is refused.
    pub date_order: Option<DateOrder>,
    /// CSV columns the header aliases miss (`--map COLUMN=FIELD`).
    pub map: Vec<ColumnMap>,
    /// Source name (`--source`); default the file's base name.
    pub source: Option<String>,
    /// Import the valid features and report the others (`--skip-invalid`).
    pub skip_invalid: bool,
    /// Where to write rejected features with their reasons (default `<file>.rejected.txt`).
    pub report: Option<PathBuf>,
    pub actor: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub file: String,
    pub source: String,
    pub audit_id: i64,
    pub created: usize,
    pub updated: usize,
    pub zones_imported: usize,
    /// Zones created because an asset named a zone the store did not know.
    pub new_zones: Vec<String>,
    pub unzoned: usize,
    pub by_kind: BTreeMap<String, usize>,
    pub rejected: Vec<Rejection>,
    pub report: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    File(#[from] interchange::FileError),
    #[error(transparent)]
    Csv(#[from] interchange::CsvError),
    #[error("{file}: --map names CSV columns; GeoJSON properties are read by their keys")]
    MapNotCsv { file: String },
    #[error(
        "{file}: {count} invalid record(s); nothing was imported\n{list}\n  fix them, or pass --skip-invalid to import the valid ones and write the rest to a report"
    )]
    Rejected {
        file: String,
        count: usize,
        list: String,
    },
    #[error("cannot write the report {path}: {source}")]
    Report {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{0}: unsupported file type; greenward imports .geojson, .json, .ndjson, .csv and .tsv"
    )]
    UnknownFormat(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records read from a file, before they are applied.
#[derive(Debug, Default)]
pub struct ReadBatch {
    pub zones: Vec<ZoneRecord>,
    pub assets: Vec<AssetRecord>,
    pub rejected: Vec<Rejection>,
}

/// Reads a GeoJSON file into records.
pub fn read_geojson(
    path: &Path,
    opts: &ImportOptions,
    source: &str,
    bar: Option<&ProgressBar>,
) -> Result<ReadBatch, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    read_geojson_bytes(&path.display().to_string(), &bytes, opts, source, bar)
}

/// Reads GeoJSON already in memory (`file` names it in messages) into records.
pub fn read_geojson_bytes(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    source: &str,
    bar: Option<&ProgressBar>,
) -> Result<ReadBatch, ImportError> {
    let file = file.to_string();
    if !opts.map.is_empty() {
        return Err(ImportError::MapNotCsv { file });
    }
    let model = model_options(opts);
    let mut batch = ReadBatch::default();
    interchange::read_features(&file, bytes, &mut |r| {
        if let Some(b) = bar {
            b.inc(1);
        }
        match r.and_then(|raw| interchange::read_feature(raw, &model, source)) {
            Ok(Parsed::Zone(z)) => batch.zones.push(z),
            Ok(Parsed::Asset(a)) => batch.assets.push(*a),
            Err(e) => batch.rejected.push(e.into()),
        }
    })?;
    Ok(batch)
}

/// Reads a CSV file (a city tree inventory as published, or our own export) into records.
pub fn read_csv(
    path: &Path,
    opts: &ImportOptions,
    source: &str,
    bar: Option<&ProgressBar>,
) -> Result<ReadBatch, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file = path.display().to_string();
    let model = model_options(opts);
    let mut batch = ReadBatch::default();
    interchange::read_rows(&file, source, &bytes, &model, &opts.map, &mut |r| {
        if let Some(b) = bar {
            b.inc(1);
        }
        match r {
            Ok(Parsed::Zone(z)) => batch.zones.push(z),
            Ok(Parsed::Asset(a)) => batch.assets.push(*a),
            Err(e) => batch.rejected.push(Rejection::row(&file, e)),
        }
    })?;
    Ok(batch)
}

fn model_options(opts: &ImportOptions) -> ModelOptions {
    ModelOptions {
        kind: opts.kind,
        date_order: opts.date_order,
    }
}

/// The source name of a file: its base name.
pub fn default_source(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Imports a file (format by extension) in one transaction.
///
/// GeoJSON is read on a second thread while this one writes: features are parsed, checked,
/// mapped and placed in their zone as they are read, and stored in the same transaction as they
/// arrive, so reading and writing overlap and the records never pile up in memory. The outcome
/// is that of reading the whole file first and then applying it ([`read_geojson`] and
/// [`apply`]), which is what happens whenever streaming cannot be sure to give the same result
/// (a zone feature after the first asset, an unreadable file, a database error): the streamed
/// writes are rolled back and the file is imported the reference way.
pub fn import_file(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    bar: Option<&ProgressBar>,
) -> Result<ImportSummary, ImportError> {
    let source = opts.source.clone().unwrap_or_else(|| default_source(path));
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let started = std::time::Instant::now();
    let timing = std::env::var_os("GREENWARD_TIMING").is_some();
    let batch = match ext.as_str() {
        "geojson" | "json" | "ndjson" | "geojsonl" | "geojsons" => {
            let cpu_at_start = thread_cpu_s();
            let mut st = StreamTiming::default();
            if let Some(out) = stream_geojson(store, path, opts, &source, bar, &mut st)? {
                if timing {
                    let writer_cpu = thread_cpu_s().zip(cpu_at_start).map(|(b, a)| b - a);
                    let cpu = |s: Option<f64>| s.map_or("?".into(), |s| format!("{s:.3}"));
                    let total = started.elapsed().as_secs_f64();
                    eprintln!(
                        "timing: streamed {total:.3} s (reading thread {} s CPU, writing thread {} s CPU)",
                        cpu(st.reader_cpu),
                        cpu(writer_cpu),
                    );
                    eprintln!(
                        "timing: file read {:.3} s, writer waited for the reader {:.3} s, \
                         streaming ended at {:.3} s, then {:.3} s to the commit",
                        st.file_read,
                        st.writer_waited,
                        st.streamed,
                        total - st.streamed,
                    );
                }
                return out;
            }
            if let Some(b) = bar {
                b.set_position(0);
            }
            read_geojson(path, opts, &source, bar)?
        }
        "csv" | "tsv" => read_csv(path, opts, &source, bar)?,
        _ => return Err(ImportError::UnknownFormat(path.display().to_string())),
    };
    let read_s = started.elapsed().as_secs_f64();
    let out = apply(store, &path.display().to_string(), &source, batch, opts);
    if timing {
        eprintln!(
            "timing: read {read_s:.3} s, write {:.3} s",
            started.elapsed().as_secs_f64() - read_s
        );
    }
    out
}

/// CPU time of the calling thread so far, in seconds (Linux; for GREENWARD_TIMING).
fn thread_cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Where a streamed import's time went (GREENWARD_TIMING), in seconds from the start of
/// [`stream_geojson`].
#[derive(Debug, Default)]
struct StreamTiming {
    /// Reading the file into memory.
    file_read: f64,
    /// CPU time of the reading thread.
    reader_cpu: Option<f64>,
    /// Time the writer spent waiting for the next batch.
    writer_waited: f64,
    /// When the last item was written (the indexes are then rebuilt and the transaction
    /// committed).
    streamed: f64,
}

/// Features per message from the reading thread to the writing one.
const BATCH: usize = 1024;
/// Messages in flight: the reader runs at most this far ahead of the writer.
const BATCHES_IN_FLIGHT: usize = 16;

/// A record on its way to the store, in file order.
enum Item {
    Zone(ZoneRecord),
    Asset(Box<AssetRecord>, Placed),
    Rejected(Rejection),
}

/// What the reading thread worked out about an asset's place.
#[derive(Debug, Clone, Copy, Default)]
struct Placed {
    /// `AssetRecord::anchor`.
    anchor: Option<(f64, f64)>,
    /// The smallest zone containing the anchor (`None` inside: outside every zone), among the
    /// zones stored when the import began; `None` when not looked up.
    zone: Option<Option<i64>>,
}

/// How the writing of a stream of items ended. Anything but `Done` must be rolled back (the
/// assets table's indexes may be dropped, see [`INDEXES_REBUILT_AFTER`]).
enum Flow {
    Done(ImportSummary),
    /// Records were rejected without `--skip-invalid`: nothing may be kept.
    Refused(Vec<Rejection>),
    /// A zone came after assets, which were placed without it: apply the file the reference way.
    ZoneAfterAssets,
}

/// Why a streamed import did not commit.
enum StreamError {
    Import(ImportError),
    /// Roll back and import the file the reference way.
    Fallback,
}

impl From<StoreError> for StreamError {
    fn from(e: StoreError) -> Self {
        StreamError::Import(e.into())
    }
}

/// Streams a GeoJSON file into the store (see [`import_file`]). `Ok(None)`: nothing was
/// written; import the file the reference way.
fn stream_geojson(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    source: &str,
    bar: Option<&ProgressBar>,
    timing: &mut StreamTiming,
) -> Result<Option<Result<ImportSummary, ImportError>>, ImportError> {
    let started = std::time::Instant::now();
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    timing.file_read = started.elapsed().as_secs_f64();
    let file = path.display().to_string();
    if !opts.map.is_empty() {
        return Err(ImportError::MapNotCsv { file });
    }
    let model = model_options(opts);
    let now = now_rfc3339();
    let out = store.write(|tx| {
        // The zones stored now are those the assets are placed in, unless the file brings its
        // own (then the writer places every asset itself, after storing them).
        let index = ZoneIndex::new(&tx.read().zones()?);
        std::thread::scope(|s| {
            // Made inside the scope: should the writer panic, the receiver is dropped before the
            // scope waits for the reader, which then stops instead of blocking.
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Item>>(BATCHES_IN_FLIGHT);
            // Written records go back to the reader, which frees them; emptied batches go back to
            // be filled again (freeing a batch of a thousand items costs the writer a heap
            // consolidation each time).
            let (send_back, spent) = std::sync::mpsc::channel::<Spent>();
            let (send_empty, empties) = std::sync::mpsc::channel::<Vec<Item>>();
            let reading = Reading {
                file: &file,
                bytes: &bytes,
                model: &model,
                source,
                index: &index,
                bar,
            };
            let spawned = std::thread::Builder::new()
                .name("greenward-read".into())
                .spawn_scoped(s, move || {
                    let whole = read_items(&reading, send, spent, empties);
                    (whole, thread_cpu_s())
                });
            // No second thread to be had: import the reference way.
            let Ok(reader) = spawned else {
                return Err(StreamError::Fallback);
            };
            let run = Run {
                file: &file,
                source,
                opts,
                now: &now,
                expected_assets: features_in(&bytes),
            };
            let mut items = Batches {
                receive: &receive,
                batch: Vec::new(),
                empty: send_empty,
                waited: std::time::Duration::ZERO,
            };
            let flow = write_items(tx, &run, &mut items, Vec::new(), Some(&send_back));
            timing.writer_waited = items.waited.as_secs_f64();
            timing.streamed = started.elapsed().as_secs_f64();
            drop(items);
            // Stops the reader if the writer ended early.
            drop(receive);
            let read_whole = match reader.join() {
                Ok((read_whole, cpu)) => {
                    timing.reader_cpu = cpu;
                    read_whole
                }
                Err(panic) => std::panic::resume_unwind(panic),
            };
            match (read_whole, flow) {
                (true, Ok(Flow::Done(summary))) => Ok(summary),
                (true, Ok(Flow::Refused(rejected))) => {
                    Err(StreamError::Import(rejection_error(&file, &rejected)))
                }
                _ => Err(StreamError::Fallback),
            }
        })
    });
    match out {
        Ok(summary) => Ok(Some(Ok(summary))),
        Err(StreamError::Import(e)) => Ok(Some(Err(e))),
        Err(StreamError::Fallback) => Ok(None),
    }
}

/// About how many features a GeoJSON text holds: its `"Feature"` strings (one in each
/// feature's `"type"`), counted at memory speed. Sizes the keys map before the features come.
fn features_in(bytes: &[u8]) -> usize {
    memchr::memmem::find_iter(bytes, b"\"Feature\"").count()
}

/// The reading thread: features to items, in batches. False when the file was not read to its
/// end without error (the writer stopped it, the file is unreadable, or a feature is JSON only
/// the scan accepts), so the import must be done the reference way.
fn read_items(
    r: &Reading<'_>,
    out: SyncSender<Vec<Item>>,
    spent: Receiver<Spent>,
    empties: Receiver<Vec<Item>>,
) -> bool {
    let Reading {
        file,
        bytes,
        model,
        source,
        index,
        bar,
    } = *r;
    let fresh = || {
        empties
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH))
    };
    let mut batch = fresh();
    let mut n = 0usize;
    let mut whole = true;
    let send = |batch: Vec<Item>| {
        if let Some(b) = bar {
            b.inc(batch.len() as u64);
        }
        while let Ok(done) = spent.try_recv() {
            drop(done);
        }
        out.send(batch).is_ok()
    };
    let scanned = interchange::scan_features(file, bytes, &mut |item| {
        let i = n;
        n += 1;
        let parsed = match item {
            ScanItem::Raw(raw) => match interchange::fast_feature(raw)
                .map(|f| interchange::read_fast_feature(f, i, model, source))
            {
                Some(Ok(p)) => Ok(p),
                // The tree reader decides, and words the error.
                _ => match interchange::slow_feature(i, raw) {
                    Ok(r) => r.and_then(|f| interchange::read_feature(f, model, source)),
                    Err(_) => {
                        whole = false;
                        return false;
                    }
                },
            },
            ScanItem::Value(v) => interchange::validate_feature(i, v)
                .and_then(|f| interchange::read_feature(f, model, source)),
        };
        batch.push(match parsed {
            Ok(Parsed::Zone(z)) => Item::Zone(z),
            Ok(Parsed::Asset(rec)) => {
                let anchor = rec.anchor();
                let zone = rec.zone.is_none().then(|| index.locate(anchor.0, anchor.1));
                let placed = Placed {
                    anchor: Some(anchor),
                    zone,
                };
                Item::Asset(rec, placed)
            }
            Err(e) => Item::Rejected(e.into()),
        });
        if batch.len() == BATCH && !send(std::mem::replace(&mut batch, fresh())) {
            whole = false;
            return false;
        }
        true
    });
    whole && scanned.is_ok() && (batch.is_empty() || send(batch))
}

/// The items of the batches from the reading thread, in order; each batch, once emptied, goes
/// back to the reader to be filled again.
struct Batches<'a> {
    receive: &'a Receiver<Vec<Item>>,
    /// The batch being written, reversed (its next item last).
    batch: Vec<Item>,
    empty: Sender<Vec<Item>>,
    /// Time spent waiting for the reader (GREENWARD_TIMING).
    waited: std::time::Duration,
}

impl Iterator for Batches<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.batch.pop() {
                return Some(item);
            }
            let asked = std::time::Instant::now();
            let next = self.receive.recv();
            self.waited += asked.elapsed();
            let mut next = next.ok()?;
            next.reverse();
            let emptied = std::mem::replace(&mut self.batch, next);
            if emptied.capacity() > 0 {
                // A reader gone (it ended) leaves it to be freed here.
                let _ = self.empty.send(emptied);
            }
        }
    }
}

/// Applies a read batch: refuses the whole import when any record was rejected (unless
/// `skip_invalid`), else writes zones, assets and the audit row in one transaction.
pub fn apply(
    store: &mut Store,
    file: &str,
    source: &str,
    batch: ReadBatch,
    opts: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let ReadBatch {
        zones,
        assets,
        rejected,
    } = batch;
    if !rejected.is_empty() && !opts.skip_invalid {
        return Err(rejection_error(file, &rejected));
    }
    let now = now_rfc3339();
    store.write(|tx| {
        let expected_assets = assets.len();
        let mut items = zones.into_iter().map(Item::Zone).chain(
            assets
                .into_iter()
                .map(|a| Item::Asset(Box::new(a), Placed::default())),
        );
        let run = Run {
            file,
            source,
            opts,
            now: &now,
            expected_assets,
        };
        match write_items(tx, &run, &mut items, rejected, None)? {
            Flow::Done(summary) => Ok(summary),
            // Zones come first and nothing was rejected: neither can happen here.
            Flow::Refused(rejected) => Err(rejection_error(file, &rejected)),
            Flow::ZoneAfterAssets => Err(StoreError::Corrupt {
                what: "import order".into(),
                detail: "a zone after the assets".into(),
            }
            .into()),
        }
    })
}

/// What the writer needs to place and key assets; set up when the first asset comes, after the
/// file's zones (which come first) are stored.
struct Placing {
    index: ZoneIndex,
    zone_ids: FxHashMap<String, i64>,
    unzoned_id: i64,
    keys: SourceKeys,
    next_id: i64,
    /// The reader placed assets among the zones stored when the import began: right unless the
    /// file brought zones.
    trust_reader: bool,
    /// Asset rows when the first asset came (the highest id then: at least the row count).
    rows_before: i64,
    /// Rows this import inserted.
    inserted: usize,
    /// The assets table's secondary indexes, dropped once this import inserts more rows than the
    /// table held (see [`INDEXES_REBUILT_AFTER`]); recreated before [`Flow::Done`].
    dropped: Option<DroppedSchema>,
    /// The assets table's triggers, suspended once this import has written
    /// [`TRIGGERS_SUSPENDED_AFTER`] rows; resumed before [`Flow::Done`].
    suspended: Option<DroppedSchema>,
}

impl Placing {
    fn new(tx: &mut Tx<'_>, trust_reader: bool) -> Result<Placing, StoreError> {
        let unzoned_id = tx.upsert_zone(&ZoneRecord::named(UNZONED), None)?;
        let stored_zones = tx.read().zones()?;
        Ok(Placing {
            index: ZoneIndex::new(&stored_zones),
            zone_ids: stored_zones.into_iter().map(|z| (z.name, z.id)).collect(),
            unzoned_id,
            keys: SourceKeys::default(),
            next_id: 0,
            trust_reader,
            rows_before: 0,
            inserted: 0,
            dropped: None,
            suspended: None,
        })
    }
}

/// What the reading thread reads from.
#[derive(Clone, Copy)]
struct Reading<'a> {
    file: &'a str,
    bytes: &'a [u8],
    model: &'a ModelOptions,
    source: &'a str,
    /// The zones stored when the import began.
    index: &'a ZoneIndex,
    bar: Option<&'a ProgressBar>,
}

/// What every write of one import shares.
struct Run<'a> {
    file: &'a str,
    source: &'a str,
    opts: &'a ImportOptions,
    now: &'a str,
    /// About how many assets are coming (a hint for sizing the keys map).
    expected_assets: usize,
}

/// An import that has inserted more rows than the assets table held when it began, and at least
/// this many, drops the table's secondary indexes (source key, zone, kind) and builds them again
/// over the whole table before it commits: one sorted build is quicker than updating three
/// indexes row by row once the new rows are the larger part (a million rows into an empty
/// table: a build of 1.3 to 1.6 s instead of 2.5 s of upkeep, BENCHMARKS.md). Smaller imports
/// keep the indexes, whose upkeep costs them little.
/// Nothing the import reads while writing needs them: the keys of the source are loaded before
/// the first asset is written, and refs are looked up through the `ref` UNIQUE constraint.
const INDEXES_REBUILT_AFTER: usize = 4096;

/// An import that has written this many rows (inserted or updated) suspends the triggers of the
/// assets table (the register generation and the scheduling snapshot's chunks, migration 0007)
/// and does once at the end what they do per row: about 3 us a row otherwise, 3 s of a
/// million-row re-import.
const TRIGGERS_SUSPENDED_AFTER: usize = 4096;

/// Written records on their way back to the reading thread, which frees them: glibc frees of
/// another thread's memory lock that thread's arena, and the reader allocates all the time.
/// (Boxed as they came, so that handing them back moves no record.)
type Spent = Vec<Box<AssetRecord>>;

/// Counts kept while writing, and the written records to hand back.
struct Tally<'a> {
    created: usize,
    updated: usize,
    unzoned: usize,
    new_zones: BTreeSet<String>,
    by_kind: BTreeMap<&'static str, usize>,
    /// Assets seen, for the keys of those without a source id.
    assets: usize,
    spent: Spent,
    back: Option<&'a Sender<Spent>>,
}

/// Writes items in file order inside the import's transaction: the audit row, zones (before
/// any asset), then assets with their zone and upsert key.
fn write_items(
    tx: &mut Tx<'_>,
    run: &Run<'_>,
    items: &mut dyn Iterator<Item = Item>,
    mut rejected: Vec<Rejection>,
    back: Option<&Sender<Spent>>,
) -> Result<Flow, ImportError> {
    let &Run {
        file,
        source,
        opts,
        now,
        expected_assets,
    } = run;
    let audit_id = tx.insert_audit(&AuditEntry {
        at: now.to_string(),
        actor: opts.actor.clone(),
        action: "import".into(),
        ..Default::default()
    })?;
    let mut summary = ImportSummary {
        file: file.to_string(),
        source: source.to_string(),
        audit_id,
        ..Default::default()
    };
    let mut tally = Tally {
        created: 0,
        updated: 0,
        unzoned: 0,
        new_zones: BTreeSet::new(),
        by_kind: BTreeMap::new(),
        assets: 0,
        spent: Vec::with_capacity(BATCH),
        back,
    };
    let mut placing: Option<Placing> = None;
    // Without --skip-invalid one rejection refuses the import: nothing more is written, the
    // rest is read for the full list.
    let mut refusing = false;
    // An item that needs the transaction itself (a zone, the first asset, an asset naming a new
    // zone), taken out of the loop that holds the prepared statements.
    let mut pending: Option<Item> = None;
    loop {
        {
            let mut writer = match &placing {
                Some(_) if !refusing => Some(tx.asset_writer()?),
                _ => None,
            };
            while let Some(item) = pending.take().or_else(|| items.next()) {
                match item {
                    Item::Rejected(r) => {
                        refusing |= !opts.skip_invalid;
                        rejected.push(r);
                    }
                    _ if refusing => {}
                    Item::Asset(rec, placed) => {
                        let (Some(p), Some(w)) = (placing.as_mut(), writer.as_mut()) else {
                            pending = Some(Item::Asset(rec, placed));
                            break;
                        };
                        if rec
                            .zone
                            .as_ref()
                            .is_some_and(|z| !p.zone_ids.contains_key(z))
                        {
                            pending = Some(Item::Asset(rec, placed));
                            break;
                        }
                        write_asset(tx, w, p, &mut tally, (audit_id, now), rec, placed)?;
                    }
                    Item::Zone(_) => {
                        pending = Some(item);
                        break;
                    }
                }
            }
        }
        match pending.take() {
            None => break,
            Some(Item::Zone(z)) => {
                if placing.is_some() {
                    return Ok(Flow::ZoneAfterAssets);
                }
                tx.upsert_zone(&z, Some(source))?;
                summary.zones_imported += 1;
            }
            Some(Item::Asset(rec, placed)) => {
                match &mut placing {
                    None => {
                        let mut p = Placing::new(tx, summary.zones_imported == 0)?;
                        p.keys = tx.source_keys(source)?;
                        // Grown once instead of doubling all the way up to a million keys.
                        p.keys.reserve(expected_assets);
                        p.rows_before = tx.max_asset_id()?;
                        p.next_id = p.rows_before + 1;
                        placing = Some(p);
                    }
                    Some(p) => {
                        // An asset naming a zone the store does not know: create it by name.
                        if let Some(name) = rec.zone.clone()
                            && !p.zone_ids.contains_key(&name)
                        {
                            let id = tx.upsert_zone(&ZoneRecord::named(&name), Some(source))?;
                            p.zone_ids.insert(name.clone(), id);
                            tally.new_zones.insert(name);
                        }
                    }
                }
                pending = Some(Item::Asset(rec, placed));
            }
            Some(Item::Rejected(_)) => unreachable!("rejections are handled in the loop"),
        }
    }
    if refusing {
        return Ok(Flow::Refused(rejected));
    }
    match &mut placing {
        None => {
            Placing::new(tx, true)?;
        }
        Some(p) => {
            if let Some(dropped) = p.dropped.take() {
                tx.restore_indexes(dropped)?;
            }
            if let Some(suspended) = p.suspended.take() {
                tx.resume_asset_triggers(suspended)?;
            }
        }
    }
    summary.created = tally.created;
    summary.updated = tally.updated;
    summary.unzoned = tally.unzoned;
    summary.by_kind = tally
        .by_kind
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    summary.new_zones = tally.new_zones.into_iter().collect();
    let detail = json!({
        "file": file,
        "source": source,
        "created": summary.created,
        "updated": summary.updated,
        "rejected": rejected.len(),
        "zones_imported": summary.zones_imported,
        "new_zones": summary.new_zones,
        "unzoned": summary.unzoned,
    });
    tx.set_audit_detail(audit_id, &detail.to_string())?;
    if !rejected.is_empty() {
        let path = opts
            .report
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{file}.rejected.txt")));
        let text: String = rejected.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(&path, text).map_err(|source| ImportError::Report {
            path: path.clone(),
            source,
        })?;
        summary.report = Some(path);
    }
    summary.rejected = rejected;
    Ok(Flow::Done(summary))
}

/// Writes one asset: its zone (the one it names, else the smallest containing its anchor, else
/// "unzoned"), then an update when its key (source id, else its position) is known, else an
/// insert with the next id, or an update of the asset holding its ref.
fn write_asset(
    tx: &Tx<'_>,
    w: &mut AssetWriter<'_>,
    p: &mut Placing,
    tally: &mut Tally<'_>,
    (audit_id, now): (i64, &str),
    mut rec: Box<AssetRecord>,
    placed: Placed,
) -> Result<(), ImportError> {
    let n = tally.assets;
    tally.assets += 1;
    let anchor = placed.anchor.unwrap_or_else(|| rec.anchor());
    let zone_id = match rec.zone.take() {
        Some(name) => p.zone_ids[&name],
        None => {
            let located = match placed.zone {
                Some(z) if p.trust_reader => z,
                _ => p.index.locate(anchor.0, anchor.1),
            };
            match located {
                Some(id) => id,
                None => {
                    tally.unzoned += 1;
                    p.unzoned_id
                }
            }
        }
    };
    rec.zone_id = Some(zone_id);
    // The provenance stamp (import id, time) is written from `stamp`, not stored in the record.
    let stamp = (audit_id, now);
    let key = rec
        .provenance
        .source_id
        .get_or_insert_with(|| format!("#{n}"));
    match p.keys.get(key.as_str()) {
        Some((id, existing_ref)) => {
            rec.id = *id;
            if rec.asset_ref.is_empty() {
                rec.asset_ref = existing_ref.clone();
            }
            w.update(&rec, anchor, stamp, now)?;
            tally.updated += 1;
        }
        None => {
            rec.id = p.next_id;
            p.next_id += 1;
            if rec.asset_ref.is_empty() {
                rec.asset_ref = format!("{}-{:06}", rec.kind().ref_prefix(), rec.id);
            }
            match w.insert(&rec, anchor, stamp, now)? {
                Ok(()) => {
                    // The record is only freed after this: its key and ref move into the map.
                    let key = rec.provenance.source_id.take().unwrap_or_default();
                    p.keys
                        .insert(key, (rec.id, std::mem::take(&mut rec.asset_ref)));
                    tally.created += 1;
                    p.inserted += 1;
                    if p.dropped.is_none()
                        && p.inserted >= INDEXES_REBUILT_AFTER
                        && p.inserted as i64 > p.rows_before
                    {
                        p.dropped = Some(tx.drop_asset_indexes()?);
                    }
                }
                Err(Conflict::Ref) => {
                    // The ref is taken: the same asset arriving from another file (an export
                    // imported back, a resurvey). Update it, keeping its original provenance key.
                    let Some((id, src, src_id)) = tx.asset_key_by_ref(&rec.asset_ref)? else {
                        return Err(StoreError::Corrupt {
                            what: "assets.ref".into(),
                            detail: rec.asset_ref.clone(),
                        }
                        .into());
                    };
                    rec.id = id;
                    rec.provenance.source = src;
                    rec.provenance.source_id = src_id;
                    w.update(&rec, anchor, stamp, now)?;
                    tally.updated += 1;
                }
            }
        }
    }
    *tally.by_kind.entry(rec.kind().as_str()).or_default() += 1;
    if p.suspended.is_none() && tally.created + tally.updated >= TRIGGERS_SUSPENDED_AFTER {
        p.suspended = Some(tx.suspend_asset_triggers()?);
    }
    if let Some(back) = tally.back {
        tally.spent.push(rec);
        if tally.spent.len() == BATCH {
            let spent = std::mem::replace(&mut tally.spent, Vec::with_capacity(BATCH));
            // A reader gone (it ended) leaves them to be freed here.
            let _ = back.send(spent);
        }
    }
    Ok(())
}

fn rejection_error(file: &str, rejected: &[Rejection]) -> ImportError {
    const SHOWN: usize = 20;
    let mut list: Vec<String> = rejected
        .iter()
        .take(SHOWN)
        .map(|r| format!("  {r}"))
        .collect();
    if rejected.len() > SHOWN {
        list.push(format!("  ... and {} more", rejected.len() - SHOWN));
    }
    ImportError::Rejected {
        file: file.to_string(),
        count: rejected.len(),
        list: list.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    //! The streamed GeoJSON import must end exactly as reading the file first and applying it.
    use super::*;
    use crate::store::AssetFilter;

    const ZONE_A: &str = r#"{"type":"Feature","properties":{"kind":"zone","name":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}}"#;
    const ZONE_B: &str = r#"{"type":"Feature","properties":{"kind":"zone","name":"b","care":1},"geometry":{"type":"Polygon","coordinates":[[[0.5,0.5],[1,0.5],[1,1],[0.5,1],[0.5,0.5]]]}}"#;

    fn tree(id: &str, props: &str, lon: f64, lat: f64) -> String {
        format!(
            r#"{{"type":"Feature",{id}"properties":{{"kind":"tree"{props}}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#
        )
    }

    fn collection(features: &[String]) -> String {
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}",
            features.join(",\n")
        )
    }

    /// A store with a zone and an asset from another source already in it.
    fn store() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        let seed = collection(&[
            ZONE_B.to_string(),
            tree(r#""id":"s1","#, r#","ref":"TAKEN""#, 0.7, 0.7),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seed.geojson");
        std::fs::write(&path, seed).unwrap();
        let batch = read_geojson(&path, &ImportOptions::default(), "seed", None).unwrap();
        apply(&mut s, "seed", "seed", batch, &ImportOptions::default()).unwrap();
        s
    }

    /// What a store holds, without the import times.
    fn contents(s: &Store) -> String {
        let filter = AssetFilter {
            include_retired: true,
            ..Default::default()
        };
        let mut assets = s.read().assets(&filter).unwrap();
        for a in &mut assets {
            a.provenance.imported_at = None;
        }
        let audit: Vec<_> = s
            .read()
            .audit_by_action("import")
            .unwrap()
            .into_iter()
            .map(|e| e.detail)
            .collect();
        format!("{assets:?}\n{:?}\n{audit:?}", s.read().zones().unwrap())
    }

    fn outcome(r: Result<ImportSummary, ImportError>) -> String {
        match r {
            Ok(s) => format!("{s:?}"),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Imports `text` both ways (twice each, to exercise the upsert) and checks they agree.
    fn same_both_ways(name: &str, text: &str, opts: &ImportOptions) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let source = opts.source.clone().unwrap_or_else(|| default_source(&path));
        let (mut streamed, mut reference) = (store(), store());
        let mut first = String::new();
        for round in 0..2 {
            let a = outcome(import_file(&mut streamed, &path, opts, None));
            let b = outcome(read_geojson(&path, opts, &source, None).and_then(|batch| {
                apply(
                    &mut reference,
                    &path.display().to_string(),
                    &source,
                    batch,
                    opts,
                )
            }));
            assert_eq!(a, b, "{name}, round {round}");
            assert_eq!(contents(&streamed), contents(&reference), "{name}");
            if round == 0 {
                first = a;
            }
        }
        first
    }

    #[test]
    fn streamed_imports_end_as_read_then_applied() {
        let skip = ImportOptions {
            skip_invalid: true,
            ..Default::default()
        };
        let plain = ImportOptions::default();
        let t1 = tree(r#""id":"t1","#, r#","ref":"R1""#, 0.25, 0.25);
        let t2 = tree(r#""id":2,"#, "", 0.75, 0.75);
        let outside = tree("", "", 5.0, 5.0);
        let named = tree(r#""id":"t4","#, r#","zone":"north""#, 0.1, 0.1);
        let taken = tree(r#""id":"t5","#, r#","ref":"TAKEN""#, 0.3, 0.3);
        let bad = tree(r#""id":"t6","#, r#","dbh_cm":"thick""#, 0.3, 0.3);
        let dup = tree(r#""id":"t1","#, r#","ref":"R1b""#, 0.4, 0.4);
        let assets = [
            t1.clone(),
            t2.clone(),
            outside.clone(),
            named.clone(),
            taken.clone(),
            dup,
        ];

        let zones_first: Vec<String> = [ZONE_A.to_string()]
            .into_iter()
            .chain(assets.clone())
            .collect();
        let out = same_both_ways("zones_first.geojson", &collection(&zones_first), &plain);
        assert!(out.contains("zones_imported: 1"), "{out}");
        let zones_last: Vec<String> = assets.iter().cloned().chain([ZONE_A.to_string()]).collect();
        same_both_ways("zones_last.geojson", &collection(&zones_last), &plain);
        let zone_between = vec![
            t1.clone(),
            ZONE_A.to_string(),
            t2.clone(),
            ZONE_B.to_string(),
        ];
        same_both_ways("between.geojson", &collection(&zone_between), &plain);
        let out = same_both_ways("assets.geojson", &collection(&assets), &plain);
        assert!(
            out.contains("updated: 2") && out.contains("\"north\""),
            "{out}"
        );
        same_both_ways("empty.geojson", &collection(&[]), &plain);
        same_both_ways(
            "only_zones.geojson",
            &collection(&[ZONE_A.to_string()]),
            &plain,
        );

        // Rejections: refused without --skip-invalid, reported with it.
        let with_bad: Vec<String> = assets
            .iter()
            .cloned()
            .chain([bad.clone(), "[1]".into()])
            .collect();
        let out = same_both_ways("bad.geojson", &collection(&with_bad), &plain);
        assert!(
            out.starts_with("error: ") && out.contains("2 invalid record(s)"),
            "{out}"
        );
        let out = same_both_ways("bad.geojson", &collection(&with_bad), &skip);
        assert!(out.contains("rejected: [Rejection"), "{out}");
        let bad_then_zone = vec![bad.clone(), ZONE_A.to_string(), t1.clone()];
        same_both_ways("bad_zone.geojson", &collection(&bad_then_zone), &plain);
        same_both_ways("bad_zone.geojson", &collection(&bad_then_zone), &skip);

        // Whole-file problems, found after assets were streamed.
        let text = collection(&assets);
        let cut = &text[..text.len() - 30];
        let out = same_both_ways("cut.geojson", cut, &plain);
        assert!(out.contains("not valid JSON"), "{out}");
        let huge = tree(r#""id":"h","#, r#","dbh_cm":1e400"#, 0.3, 0.3);
        let out = same_both_ways("huge.geojson", &collection(&[t1.clone(), huge]), &plain);
        assert!(out.contains("not valid JSON"), "{out}");
        let projected = format!(
            r#"{{"type":"FeatureCollection","features":[{t1}],"crs":{{"type":"name","properties":{{"name":"EPSG:32646"}}}}}}"#
        );
        let out = same_both_ways("crs.geojson", &projected, &plain);
        assert!(out.contains("projected"), "{out}");
        let trailing = format!("{} x", collection(&assets));
        same_both_ways("trailing.geojson", &trailing, &plain);

        // Newline-delimited, and a single Feature.
        let ndjson = [ZONE_A.to_string(), t1.clone(), t2.clone(), outside.clone()].join("\n");
        same_both_ways("lines.geojsonl", &ndjson, &plain);
        same_both_ways("one.geojson", &t2, &plain);
        // --map is for CSV only; a source name given.
        let map = ImportOptions {
            map: vec!["a=lon".parse().unwrap()],
            ..Default::default()
        };
        same_both_ways("map.geojson", &collection(&assets), &map);
        let named_source = ImportOptions {
            source: Some("survey".into()),
            kind: Some(AssetKind::Tree),
            ..Default::default()
        };
        same_both_ways("src.geojson", &collection(&assets), &named_source);
    }

    #[test]
    fn a_large_import_rebuilds_the_indexes_and_a_failed_one_leaves_them() {
        // More inserted rows than the store held and than INDEXES_REBUILT_AFTER: the secondary
        // indexes are dropped while writing and recreated before the commit.
        let n = INDEXES_REBUILT_AFTER + 500;
        let features: Vec<String> = (0..n)
            .map(|i| tree(&format!(r#""id":"{i}","#), "", (i % 40) as f64 * 0.05, 0.5))
            .collect();
        let indexes = store().read().index_names("assets").unwrap();
        assert_eq!(
            indexes,
            [
                "assets_kind",
                "assets_source_key",
                "assets_zone",
                "sqlite_autoindex_assets_1"
            ]
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.geojson");
        std::fs::write(&path, collection(&features)).unwrap();
        let mut s = store();
        let triggers = s.read().trigger_names("assets").unwrap();
        assert_eq!(
            triggers,
            [
                "assets_generation_delete",
                "assets_generation_insert",
                "assets_generation_update"
            ]
        );
        let generation = s.read().register_generation().unwrap();
        let summary = import_file(&mut s, &path, &ImportOptions::default(), None).unwrap();
        assert_eq!(summary.created, n);
        assert_eq!(s.read().index_names("assets").unwrap(), indexes);
        // The triggers were suspended after the first rows and are back; the generation moved
        // once per row written before and once for all the others.
        assert_eq!(s.read().trigger_names("assets").unwrap(), triggers);
        let after_import = s.read().register_generation().unwrap();
        assert_eq!(
            after_import,
            generation + TRIGGERS_SUSPENDED_AFTER as i64 + 1
        );
        // A scheduling run stores its snapshot of the register...
        let read = s.each_asset_for_scheduling_parallel(|_| {}).unwrap();
        assert!(
            s.write(|tx| tx.save_scheduling_snapshot(&read.snapshot.unwrap()))
                .unwrap()
        );
        let (current, all) = s.read().scheduling_snapshot_chunks().unwrap();
        assert!(all > 0 && current == all);
        // Importing it again updates every row (the keys are found, nothing is inserted): the
        // indexes stay, the triggers are suspended the same way, and the snapshot goes whole.
        let again = import_file(&mut s, &path, &ImportOptions::default(), None).unwrap();
        assert_eq!(s.read().scheduling_snapshot_chunks().unwrap(), (0, all));
        assert_eq!((again.created, again.updated), (0, n));
        assert_eq!(s.read().index_names("assets").unwrap(), indexes);
        assert_eq!(s.read().trigger_names("assets").unwrap(), triggers);
        assert_eq!(
            s.read().register_generation().unwrap(),
            after_import + TRIGGERS_SUSPENDED_AFTER as i64 + 1
        );
        // The rebuilt unique index still holds: a second row with the same key is refused.
        let err = s
            .write(|tx| {
                let mut rec = s_asset(tx, "1");
                rec.id += 1_000_000;
                rec.asset_ref = "ANOTHER".into();
                tx.insert_asset(&rec, "now").map(|_| ())
            })
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("UNIQUE constraint failed: assets.source, assets.source_id"),
            "{err}"
        );
        same_both_ways(
            "big.geojson",
            &collection(&features),
            &ImportOptions::default(),
        );

        // A failure after the indexes were dropped (a late feature updates asset 1 to a ref
        // another asset holds) rolls everything back, the indexes included.
        let mut failing = features.clone();
        failing.push(tree(r#""id":"1","#, r#","ref":"TAKEN""#, 0.3, 0.3));
        let text = collection(&failing);
        let out = same_both_ways("failing.geojson", &text, &ImportOptions::default());
        assert!(
            out.contains("UNIQUE constraint failed: assets.ref"),
            "{out}"
        );
        let mut s = store();
        let before = contents(&s);
        let path = dir.path().join("failing.geojson");
        std::fs::write(&path, &text).unwrap();
        assert!(import_file(&mut s, &path, &ImportOptions::default(), None).is_err());
        assert_eq!(contents(&s), before);
        assert_eq!(s.read().index_names("assets").unwrap(), indexes);
    }

    /// The stored asset of source `big.geojson` with source id `id`.
    fn s_asset(tx: &Tx<'_>, id: &str) -> AssetRecord {
        let keys = tx.source_keys("big.geojson").unwrap();
        let (_, asset_ref) = &keys[id];
        tx.read().asset_by_ref(asset_ref).unwrap().unwrap()
    }

    #[test]
    fn many_features_cross_batches() {
        // More features than one batch, with rejections and keys spread over several batches.
        let features: Vec<String> = (0..(3 * BATCH + 17))
            .map(|i| {
                let lon = (i % 40) as f64 * 0.05;
                match i % 500 {
                    7 => tree(&format!(r#""id":"{i}","#), r#","height_m":"x""#, lon, 0.5),
                    9 => tree("", "", lon, 0.6),
                    _ => tree(&format!(r#""id":"{}","#, i % 2000), "", lon, 0.7),
                }
            })
            .collect();
        let text = collection(&features);
        let skip = ImportOptions {
            skip_invalid: true,
            ..Default::default()
        };
        let out = same_both_ways("many.geojson", &text, &skip);
        assert!(out.contains("rejected: [Rejection"), "{out}");
        same_both_ways("many.geojson", &text, &ImportOptions::default());
    }
}
