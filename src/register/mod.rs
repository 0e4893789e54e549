//! Changes to the asset register: bulk imports, field edits, retiring, replacing an occupant.
//!
//! Owns: the rules of the register — upsert keys, generated refs, zone assignment, which fields
//! may be edited, what an audit row records. Each operation is one store transaction.
//! Never: SQL (it calls `store`), file formats (it calls `interchange`), printing.

pub mod edit;
pub mod import;

pub use edit::{EditError, FieldChange, replace_occupant, retire, set_fields};
pub use import::{ImportError, ImportOptions, ImportSummary, Rejection, import_file};
