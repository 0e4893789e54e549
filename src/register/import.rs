//! Bulk import into the register: one transaction per file, all or nothing unless the caller
//! skips invalid features; upsert by (source, source id or ref); zone assignment; one audit row.
//!
//! Every format is read into a [`ReadBatch`] (GeoJSON features, CSV rows) and goes through the
//! same [`apply`], so the atomic rule, the `--skip-invalid` report and the upsert are shared.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use serde_json::json;

use crate::interchange::{self, ColumnMap, DateOrder, ModelOptions, Parsed};
use crate::model::{AssetKind, AssetRecord, UNZONED, ZoneRecord, zoning::ZoneIndex};
use crate::store::{AuditEntry, Conflict, Store, StoreError, now_rfc3339};

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
    let file = path.display().to_string();
    if !opts.map.is_empty() {
        return Err(ImportError::MapNotCsv { file });
    }
    let model = model_options(opts);
    let mut batch = ReadBatch::default();
    interchange::read_features(&file, &bytes, &mut |r| {
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
    let batch = match ext.as_str() {
        "geojson" | "json" | "ndjson" | "geojsonl" | "geojsons" => {
            read_geojson(path, opts, &source, bar)?
        }
        "csv" | "tsv" => read_csv(path, opts, &source, bar)?,
        _ => return Err(ImportError::UnknownFormat(path.display().to_string())),
    };
    let read_s = started.elapsed().as_secs_f64();
    let out = apply(store, &path.display().to_string(), &source, batch, opts);
    if std::env::var_os("GREENWARD_TIMING").is_some() {
        eprintln!(
            "timing: read {read_s:.3} s, write {:.3} s",
            started.elapsed().as_secs_f64() - read_s
        );
    }
    out
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
        mut assets,
        rejected,
    } = batch;
    if !rejected.is_empty() && !opts.skip_invalid {
        return Err(rejection_error(file, &rejected));
    }
    let now = now_rfc3339();
    store.write(|tx| {
        let audit_id = tx.insert_audit(&AuditEntry {
            at: now.clone(),
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
        for z in &zones {
            tx.upsert_zone(z, Some(source))?;
            summary.zones_imported += 1;
        }
        let unzoned_id = tx.upsert_zone(&ZoneRecord::named(UNZONED), None)?;
        let stored_zones = tx.read().zones()?;
        let index = ZoneIndex::new(&stored_zones);
        let mut zone_ids: HashMap<String, i64> = stored_zones
            .iter()
            .map(|z| (z.name.clone(), z.id))
            .collect();
        let zone_names: HashMap<i64, String> = stored_zones
            .iter()
            .map(|z| (z.id, z.name.clone()))
            .collect();
        let mut keys = tx.source_keys(source)?;
        let mut next_id = tx.max_asset_id()? + 1;
        let mut new_zones = BTreeSet::new();
        for (n, rec) in assets.iter_mut().enumerate() {
            // Zone: the one the input names, else the smallest containing, else "unzoned".
            let (zone_id, zone_name) = match rec.zone.take() {
                Some(name) => match zone_ids.get(&name) {
                    Some(id) => (*id, name),
                    None => {
                        let id = tx.upsert_zone(&ZoneRecord::named(&name), Some(source))?;
                        zone_ids.insert(name.clone(), id);
                        new_zones.insert(name.clone());
                        (id, name)
                    }
                },
                None => {
                    let (lon, lat) = rec.anchor();
                    match index.locate(lon, lat) {
                        Some(id) => (id, zone_names[&id].clone()),
                        None => {
                            summary.unzoned += 1;
                            (unzoned_id, UNZONED.to_string())
                        }
                    }
                }
            };
            rec.zone = Some(zone_name);
            rec.zone_id = Some(zone_id);
            rec.provenance.import_id = Some(audit_id);
            rec.provenance.imported_at = Some(now.clone());
            let key = rec
                .provenance
                .source_id
                .clone()
                .unwrap_or_else(|| format!("#{n}"));
            rec.provenance.source_id = Some(key.clone());
            match keys.get(&key) {
                Some((id, existing_ref)) => {
                    rec.id = *id;
                    if rec.asset_ref.is_empty() {
                        rec.asset_ref = existing_ref.clone();
                    }
                    tx.update_asset(rec, &now)?;
                    summary.updated += 1;
                }
                None => {
                    rec.id = next_id;
                    next_id += 1;
                    if rec.asset_ref.is_empty() {
                        rec.asset_ref = format!("{}-{:06}", rec.kind().ref_prefix(), rec.id);
                    }
                    match tx.insert_asset(rec, &now)? {
                        Ok(()) => {
                            keys.insert(key, (rec.id, rec.asset_ref.clone()));
                            summary.created += 1;
                        }
                        Err(Conflict::Ref) => {
                            // The ref is taken: the same asset arriving from another file (an
                            // export imported back, a resurvey). Update it, keeping its
                            // original provenance key.
                            let Some((id, src, src_id)) = tx.asset_key_by_ref(&rec.asset_ref)?
                            else {
                                return Err(StoreError::Corrupt {
                                    what: "assets.ref".into(),
                                    detail: rec.asset_ref.clone(),
                                }
                                .into());
                            };
                            rec.id = id;
                            rec.provenance.source = src;
                            rec.provenance.source_id = src_id;
                            tx.update_asset(rec, &now)?;
                            summary.updated += 1;
                        }
                    }
                }
            }
            *summary
                .by_kind
                .entry(rec.kind().as_str().to_string())
                .or_default() += 1;
        }
        summary.new_zones = new_zones.into_iter().collect();
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
        Ok(summary)
    })
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
