//! Deterministic generators of geographic data: the Barkhor default dataset and synthetic cities.
//!
//! Owns: generating features from a seed. Never: the database, the clock, randomness without a seed.

pub mod barkhor;
pub mod city;
pub mod rng;
mod write;

pub use barkhor::{BARKHOR_FILE, BARKHOR_ZONE_KEYS, barkhor_geojson};
pub use city::{SynthSummary, synth_city};
pub use rng::SplitMix64;
