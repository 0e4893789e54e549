//! Crew tasks: lifecycle, assignment to crews, day lists in walking order.
//!
//! Owns: task states and reasons, routing, the day-list renderings.
//! Never: rusqlite directly (goes through `store`).

pub mod record;

pub use record::{Crew, REASONS, TaskFilter, TaskRecord, TaskState, reason_validity};
pub mod assign;
pub mod crews;
pub mod daylist;
pub mod generate;
pub mod ipm_tasks;
pub mod lifecycle;
pub mod need;
pub mod route;
