//! Crew tasks: lifecycle, assignment to crews, day lists in walking order.
//!
//! Owns: task states and reasons, routing, the day-list renderings.
//! Never: rusqlite directly (goes through `store`).
