//! Reading ahead: a query run on a thread and connection of its own while the command does
//! other work, and used inside the command's write transaction only if nothing was committed to
//! the database since it was read.
//!
//! Why: a scheduling run of a big city reads a million water balances (a quarter of a second)
//! that do not depend on the assets it is loading meanwhile; read on the side, they cost no
//! time. Never: hands out a value that may be stale. SQLite's `PRAGMA data_version` on the
//! reading connection changes whenever another connection commits; it is compared once the
//! write transaction holds the write lock, after which nobody else can commit.

use std::path::Path;
use std::thread::JoinHandle;

use rusqlite::Connection;

use super::scheduling::open_reader;
use super::{Reader, Result, Store, StoreError, Tx};

/// A query running (or run) on its own thread. Take it with [`Tx::take_read_ahead`].
pub struct ReadAhead<T> {
    state: State<T>,
}

enum State<T> {
    /// A store other connections cannot see (in memory): nothing is read ahead.
    Nothing,
    Running(JoinHandle<Result<Ahead<T>>>),
    Done(Result<Ahead<T>>),
}

impl<T> ReadAhead<T> {
    /// Waits for the query to finish.
    pub fn wait(&mut self) {
        if let State::Running(_) = self.state {
            let State::Running(running) = std::mem::replace(&mut self.state, State::Nothing) else {
                unreachable!("matched above")
            };
            let done = running
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            self.state = State::Done(done);
        }
    }
}

struct Ahead<T> {
    value: T,
    conn: Connection,
    data_version: i64,
}

fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

impl Store {
    /// Starts `query` on a thread with its own read-only connection.
    pub fn read_ahead<T: Send + 'static>(
        &self,
        name: &str,
        query: impl FnOnce(&Reader<'_>) -> Result<T> + Send + 'static,
    ) -> Result<ReadAhead<T>> {
        if self.path == Path::new(":memory:") {
            return Ok(ReadAhead {
                state: State::Nothing,
            });
        }
        let path = self.path.clone();
        let running = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || -> Result<Ahead<T>> {
                let mut conn = open_reader(&path)?;
                let (value, data_version) = {
                    let read = conn.transaction()?;
                    let value = query(&Reader { conn: &read })?;
                    // Inside the read transaction: the version of what was read.
                    (value, data_version(&read)?)
                };
                Ok(Ahead {
                    value,
                    conn,
                    data_version,
                })
            })
            .map_err(StoreError::Thread)?;
        Ok(ReadAhead {
            state: State::Running(running),
        })
    }
}

impl<T> ReadAhead<T> {
    /// The value as it was read, unchecked: for what the caller would otherwise read before
    /// its write transaction anyway (`None` when nothing was read ahead, an in-memory store).
    pub fn value_as_read(mut self) -> Result<Option<T>> {
        self.wait();
        match self.state {
            State::Done(done) => Ok(Some(done?.value)),
            State::Nothing | State::Running(_) => Ok(None),
        }
    }
}

impl Tx<'_> {
    /// The value read ahead, if no other connection has committed since it was read (else
    /// `None`: read it again in this transaction). An error of the query is returned here.
    pub fn take_read_ahead<T>(&self, mut ahead: ReadAhead<T>) -> Result<Option<T>> {
        ahead.wait();
        let done = match ahead.state {
            State::Done(done) => done?,
            State::Nothing | State::Running(_) => return Ok(None),
        };
        // This transaction holds the write lock (it began IMMEDIATE): what the reading
        // connection sees now is what this one sees.
        if data_version(&done.conn)? != done.data_version {
            return Ok(None);
        }
        Ok(Some(done.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone_count(r: &Reader<'_>) -> Result<i64> {
        Ok(r.conn
            .query_row("SELECT count(*) FROM zones", [], |row| row.get(0))?)
    }

    /// A zone committed by another connection.
    fn commit_a_zone_elsewhere(path: &Path, name: &str) {
        Connection::open(path)
            .unwrap()
            .execute(
                "INSERT INTO zones (name, created_at) VALUES (?1, 'x')",
                [name],
            )
            .unwrap();
    }

    #[test]
    fn a_value_read_ahead_is_used_only_if_nothing_was_committed_since() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut s = Store::open(&path).unwrap();
        let count = zone_count;
        // Nothing committed meanwhile: the value read ahead is taken.
        let ahead = s.read_ahead("test", count).unwrap();
        let taken = s.write(|tx| tx.take_read_ahead(ahead)).unwrap();
        assert_eq!(taken, Some(0));
        // Another connection commits after the read: the value is refused.
        let mut ahead = s.read_ahead("test", count).unwrap();
        ahead.wait();
        commit_a_zone_elsewhere(&path, "north");
        let taken = s.write(|tx| tx.take_read_ahead(ahead)).unwrap();
        assert_eq!(taken, None);
        // A commit by this store's own connection counts too.
        let mut ahead = s.read_ahead("test", count).unwrap();
        ahead.wait();
        s.write(|tx| {
            tx.tx.execute(
                "INSERT INTO zones (name, created_at) VALUES ('south', 'x')",
                [],
            )?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
        let taken = s.write(|tx| tx.take_read_ahead(ahead)).unwrap();
        assert_eq!(taken, None);
        let ahead = s.read_ahead("test", count).unwrap();
        assert_eq!(s.write(|tx| tx.take_read_ahead(ahead)).unwrap(), Some(2));
        // In memory nothing is read ahead.
        let mut m = Store::open_in_memory().unwrap();
        let ahead = m.read_ahead("test", count).unwrap();
        assert_eq!(m.write(|tx| tx.take_read_ahead(ahead)).unwrap(), None);
        assert_eq!(
            m.read_ahead("test", count)
                .unwrap()
                .value_as_read()
                .unwrap(),
            None
        );
    }

    /// A value taken as read is the value read, whatever was committed after.
    #[test]
    fn a_value_taken_as_read_is_what_the_query_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let s = Store::open(&path).unwrap();
        let mut ahead = s.read_ahead("test", zone_count).unwrap();
        ahead.wait();
        commit_a_zone_elsewhere(&path, "north");
        assert_eq!(ahead.value_as_read().unwrap(), Some(0));
    }
}
