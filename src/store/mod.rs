//! The durable store: SQLite through rusqlite, with versioned migrations applied on open.
//!
//! Owns: the schema (`migrations/`, never edited once landed), every SQL statement, transactions,
//! and the mapping between rows and model records. It is the only module that touches rusqlite.
//! Never: decides anything (which zone an asset falls in, whether an edit is allowed): callers in
//! `register`, `schedule` and `tasks` decide and hand the store what to write, inside one
//! transaction per command.

mod assets;
mod audit;
mod coverage;
mod ipm;
mod read_ahead;
mod scheduling;
mod tasks;
mod water;
mod weather;
mod zones;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

pub use assets::{
    AssetFilter, AssetWriter, Conflict, DroppedSchema, PastOccupant, SourceKeys,
    geometry_from_json, geometry_to_json,
};
pub use audit::AuditEntry;
pub use coverage::{DateField, StressRow};
pub use read_ahead::ReadAhead;
pub use scheduling::{SchedulingRead, SchedulingSnapshot};
pub use tasks::{GeneratedTasks, Placement, StoredGenerated, TaskInserter};
pub use water::{CheckDays, CheckReason, CheckRecord, WaterCheck, WaterState, WaterStates};
pub use weather::WeatherUpsert;

/// Migrations in the order they apply. Each is applied once, recorded in `schema_migrations`.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20261127_0001_register",
        include_str!("migrations/20261127_0001_register.sql"),
    ),
    (
        "20261128_0002_tasks",
        include_str!("migrations/20261128_0002_tasks.sql"),
    ),
    (
        "20261128_0003_weather_ipm",
        include_str!("migrations/20261128_0003_weather_ipm.sql"),
    ),
    (
        "20261128_0004_water",
        include_str!("migrations/20261128_0004_water.sql"),
    ),
    (
        "20261128_0005_water_check_days",
        include_str!("migrations/20261128_0005_water_check_days.sql"),
    ),
    (
        "20261128_0006_water_check_layout",
        include_str!("migrations/20261128_0006_water_check_layout.sql"),
    ),
    (
        "20261128_0007_scheduling_snapshot",
        include_str!("migrations/20261128_0007_scheduling_snapshot.sql"),
    ),
    (
        "20261128_0008_task_last_done",
        include_str!("migrations/20261128_0008_task_last_done.sql"),
    ),
    (
        "20261128_0009_task_indexes",
        include_str!("migrations/20261128_0009_task_indexes.sql"),
    ),
];

/// Errors from the store; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open database {path}: {source}\n  check that the folder exists and is writable, or pass --db PATH"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "database {path} has schema version {found}, newer than this greenward knows ({known})\n  upgrade greenward, or use another --db"
    )]
    TooNew {
        path: PathBuf,
        found: String,
        known: String,
    },
    #[error("migration {name} failed: {source}")]
    Migration {
        name: String,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt { what: String, detail: String },
    #[error("could not start a reading thread: {0}")]
    Thread(std::io::Error),
    #[error(
        "the asset register changed while this command was reading it (another command imported or edited assets)\n  nothing was written; run the command again"
    )]
    RegisterChanged,
}

impl StoreError {
    /// Whether this is an insert of a generated task whose identity (rule, asset, occurrence)
    /// is already stored.
    pub fn is_task_identity_clash(&self) -> bool {
        matches!(self, StoreError::Sql(rusqlite::Error::SqliteFailure(e, Some(msg)))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                && msg.contains("tasks.rule_id"))
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open greenward database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Reads of the database file through a memory map of up to 4 GiB instead of `read` calls into
/// the page cache: a scheduling run reads every asset row once, and the foreign-key check of
/// each new task finds its asset's page in place instead of copying it in. Writes still go
/// through the WAL. An in-memory store ignores it.
const MMAP: &str = "PRAGMA mmap_size = 4294967296;";

/// Turns off SQLite's memory statistics, once, before its first connection: with them on, every
/// allocation SQLite makes (a copy of each bound text, for one) takes a process-wide mutex; a
/// million-row write makes tens of millions. greenward never reads the statistics. Too late
/// (SQLite already initialised by another connection of the process), it changes nothing.
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called before any connection of this process is opened by greenward; SQLite
        // refuses (SQLITE_MISUSE, ignored) a configuration after it has initialised.
        unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            );
        }
    });
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        configure_sqlite();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::setup(conn, path.to_path_buf())
    }

    /// An in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        configure_sqlite();
        Self::setup(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn setup(conn: Connection, path: PathBuf) -> Result<Store> {
        // 16 KiB pages for a new database (an existing one keeps its own): a million-asset
        // register writes, logs and checkpoints a quarter as many pages as with 4 KiB, which
        // measured 10-20 % faster for a 1M import (BENCHMARKS.md). Must come before WAL.
        conn.execute_batch("PRAGMA page_size = 16384;")?;
        // WAL lets readers (a manager's SQLite browser) work while a command writes.
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch(
            // A page cache of up to 256 MiB (the default is 2 MiB): the pages a large write keeps
            // coming back to (index pages of a million-row import or task run) stay in memory
            // instead of being spilled to the WAL and read back.
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;",
        )?;
        conn.execute_batch(MMAP)?;
        let mut store = Store { conn, path };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )?;
        let newest: Option<String> = self
            .conn
            .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        let known = MIGRATIONS.last().map(|m| m.0).unwrap_or_default();
        if let Some(found) = newest.filter(|f| f.as_str() > known) {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known: known.to_string(),
            });
        }
        for (name, sql) in MIGRATIONS {
            let done: bool = self.conn.query_row(
                "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
                [name],
                |r| r.get(0),
            )?;
            if done {
                continue;
            }
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)
                .map_err(|source| StoreError::Migration {
                    name: name.to_string(),
                    source,
                })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![name, now_rfc3339()],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Versions of the applied migrations, oldest first.
    pub fn schema_versions(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT version FROM schema_migrations ORDER BY version")?;
        let v = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(v)
    }

    /// Runs `f` inside one transaction: it commits when `f` returns `Ok`, and rolls back (leaving
    /// the database exactly as it was) when `f` returns `Err`.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut wrapped = Tx { tx };
        let out = f(&mut wrapped)?;
        wrapped.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// As [`Store::write`], for a command that writes rows referring to the assets it read at
    /// register generation `read_at` ([`Reader::register_generation`]; `None`: not known): when
    /// the register is still at that generation, the assets those rows name exist (assets are
    /// only ever added or retired by greenward, and any change moves the generation), so the
    /// per-row foreign-key lookups into `assets` are skipped (a third of what inserting a day's
    /// tasks for a big city costs). When it moved, the command planned on a register that has
    /// changed since: nothing is written and [`StoreError::RegisterChanged`] says to run again.
    /// With `None` this is [`Store::write`].
    pub fn write_at_generation<T, E>(
        &mut self,
        read_at: Option<i64>,
        f: impl FnOnce(&mut Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let Some(read_at) = read_at else {
            return self.write(f);
        };
        // The pragma is a no-op inside a transaction: it is set around it, and set back
        // whatever the outcome.
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF;")
            .map_err(StoreError::from)?;
        let out = self.write(|tx| {
            let now = tx.read().register_generation()?;
            if now != read_at {
                return Err(StoreError::RegisterChanged.into());
            }
            f(tx)
        });
        let back_on = self.conn.execute_batch("PRAGMA foreign_keys = ON;");
        let out = out?;
        back_on.map_err(StoreError::from)?;
        Ok(out)
    }

    /// Read access outside a write transaction.
    pub fn read(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }

    /// A site setting (JSON text), if set.
    pub fn site_value(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM site WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }
}

/// Read-only queries; shared by [`Store::read`] and [`Tx`] so a command can read inside its
/// write transaction.
pub struct Reader<'c> {
    conn: &'c Connection,
}

/// An open write transaction. Dropping it without [`Store::write`] committing rolls back.
pub struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl Tx<'_> {
    pub fn read(&self) -> Reader<'_> {
        Reader { conn: &self.tx }
    }

    /// Replaces the whole site configuration.
    pub fn set_site_values(&mut self, values: &[(String, String)]) -> Result<()> {
        self.tx.execute("DELETE FROM site", [])?;
        let mut st = self
            .tx
            .prepare_cached("INSERT INTO site (key, value) VALUES (?1, ?2)")?;
        for (k, v) in values {
            st.execute(params![k, v])?;
        }
        Ok(())
    }
}

/// The current time as RFC 3339 UTC, for audit and provenance stamps. Dates users act on come
/// from `--today`; this stamps when a row was written.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parallel_scheduling_reader_matches_the_plain_one_and_reports_a_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.db")).unwrap();
        // 50,000 assets: two halves read on two threads, many batches each.
        s.conn
            .execute_batch(
                "INSERT INTO zones (id, name, created_at) VALUES (1, 'north', 'x');
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
                 INSERT INTO assets (id, ref, kind, zone_id, site_state, lon, lat, geometry,
                                     species, condition, box_count, created_at, updated_at)
                 SELECT i, 'A-' || i, CASE WHEN i % 3 = 0 THEN 'flower_box_group' ELSE 'tree' END,
                        1, 'occupied', 91.0 + i / 1e5, 29.6, '{\"type\":\"Point\"}',
                        CASE WHEN i % 3 = 0 THEN NULL ELSE 'Salix matsudana' END,
                        CASE WHEN i % 3 = 0 THEN NULL ELSE 'good' END,
                        CASE WHEN i % 3 = 0 THEN 4 ELSE NULL END, 'x', 'x'
                 FROM n;",
            )
            .unwrap();
        let plain = s.read().assets_for_scheduling().unwrap();
        let mut parallel = Vec::new();
        s.each_asset_for_scheduling_parallel(|r| parallel.push(r))
            .unwrap();
        assert_eq!(plain.len(), 50000);
        assert_eq!(parallel, plain);
        assert_eq!(plain[2].zone.as_deref(), Some("north"));
        assert_eq!(plain[2].kind(), crate::model::AssetKind::FlowerBoxGroup);
        // The lean rows are the full ones without the fields scheduling does not read.
        let full = s
            .read()
            .assets(&AssetFilter {
                include_retired: true,
                ..Default::default()
            })
            .unwrap();
        let mut blanked: Vec<_> = full
            .into_iter()
            .map(|mut r| {
                r.names = Default::default();
                r.provenance = Default::default();
                if let crate::model::KindData::Tree(t) = &mut r.data {
                    (t.dbh_cm, t.height_m, t.crown_m) = (None, None, None);
                    let species = std::sync::Arc::make_mut(&mut t.species);
                    (species.zh, species.en) = (None, None);
                }
                r
            })
            .collect();
        blanked.sort_by_key(|r| r.id);
        assert_eq!(plain.len(), blanked.len());
        for (lean, full) in plain.iter().zip(&blanked) {
            assert_eq!(lean, full);
        }

        s.conn
            .execute("UPDATE assets SET kind = 'spaceship' WHERE id = 4321", [])
            .unwrap();
        let mut seen = 0;
        let err = s
            .each_asset_for_scheduling_parallel(|_| seen += 1)
            .unwrap_err();
        assert!(err.to_string().contains("spaceship"), "{err}");
        assert!(seen < 4321, "rows after the bad one were not handed on");
        // A bad row in the second half: the first half is handed on, then the error.
        s.conn
            .execute("UPDATE assets SET kind = 'tree' WHERE id = 4321", [])
            .unwrap();
        s.conn
            .execute("UPDATE assets SET kind = 'submarine' WHERE id = 43210", [])
            .unwrap();
        let mut seen = 0;
        let err = s
            .each_asset_for_scheduling_parallel(|_| seen += 1)
            .unwrap_err();
        assert!(err.to_string().contains("submarine"), "{err}");
        assert!((25000..43210).contains(&seen), "{seen}");
    }

    #[test]
    fn migrations_apply_once_and_record_their_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.schema_versions().unwrap(),
            vec![
                "20261127_0001_register",
                "20261128_0002_tasks",
                "20261128_0003_weather_ipm",
                "20261128_0004_water",
                "20261128_0005_water_check_days",
                "20261128_0006_water_check_layout",
                "20261128_0007_scheduling_snapshot",
                "20261128_0008_task_last_done",
                "20261128_0009_task_indexes"
            ]
        );
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_versions().unwrap().len(), 9);
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = s
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn new_databases_get_16k_pages_and_old_ones_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let page_size = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap()
        };
        let s = Store::open(&dir.path().join("new.db")).unwrap();
        assert_eq!(page_size(&s), 16384);
        let old = dir.path().join("old.db");
        let c = Connection::open(&old).unwrap();
        c.execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (a);")
            .unwrap();
        drop(c);
        let s = Store::open(&old).unwrap();
        assert_eq!(page_size(&s), 4096);
        assert_eq!(s.schema_versions().unwrap().len(), MIGRATIONS.len());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let s = Store::open(&path).unwrap();
        s.conn
            .execute(
                "INSERT INTO schema_migrations VALUES ('29990101_0001_future', 'x')",
                [],
            )
            .unwrap();
        drop(s);
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(err.contains("newer than this greenward knows"), "{err}");
    }
}
