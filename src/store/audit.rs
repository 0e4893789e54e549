//! The `audit` table: one row per edited field, one per bulk import.

use rusqlite::params;

use super::{Reader, Result, Tx};

/// One audit row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339 time the change was written.
    pub at: String,
    /// Who made it, when known (`--by`).
    pub actor: Option<String>,
    /// `import`, `create`, `edit`, `retire`, `replace`, ...
    pub action: String,
    pub asset_id: Option<i64>,
    pub asset_ref: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// JSON with more detail (an import's file, source and counts).
    pub detail: Option<String>,
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        asset_id: r.get(4)?,
        asset_ref: r.get(5)?,
        field: r.get(6)?,
        old_value: r.get(7)?,
        new_value: r.get(8)?,
        detail: r.get(9)?,
    })
}

const COLUMNS: &str =
    "id, at, actor, action, asset_id, asset_ref, field, old_value, new_value, detail";

impl Tx<'_> {
    /// Appends an audit row and returns its id.
    pub fn insert_audit(&mut self, e: &AuditEntry) -> Result<i64> {
        let mut st = self.tx.prepare_cached(
            "INSERT INTO audit (at, actor, action, asset_id, asset_ref, field, old_value, new_value, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        st.execute(params![
            e.at,
            e.actor,
            e.action,
            e.asset_id,
            e.asset_ref,
            e.field,
            e.old_value,
            e.new_value,
            e.detail
        ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Updates the detail JSON of an audit row (an import's counts, known only at its end).
    pub fn set_audit_detail(&mut self, id: i64, detail: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE audit SET detail = ?2 WHERE id = ?1",
            params![id, detail],
        )?;
        Ok(())
    }
}

impl Reader<'_> {
    /// Every audit row about one asset, oldest first, plus the import that last wrote it.
    pub fn asset_history(&self, asset_id: i64) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit WHERE asset_id = ?1
             OR id IN (SELECT import_id FROM assets WHERE id = ?1) ORDER BY id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map([asset_id], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// All audit rows of one action (e.g. `import`), oldest first.
    pub fn audit_by_action(&self, action: &str) -> Result<Vec<AuditEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM audit WHERE action = ?1 ORDER BY id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map([action], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
