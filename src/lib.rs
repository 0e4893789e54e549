//! greenward: one program that keeps a city's greenery alive.
//!
//! The library holds every part; `src/main.rs` only parses arguments and calls [`cli::main`].
//! See ARCHITECTURE.md for the map of the parts and the rules between them.

pub mod charts;
pub mod cli;
pub mod coverage;
pub mod interchange;
pub mod ipm;
pub mod model;
pub mod plan;
pub mod register;
pub mod schedule;
pub mod science;
pub mod site;
pub mod store;
pub mod synth;
pub mod tasks;
pub mod timing;
pub mod weather;
