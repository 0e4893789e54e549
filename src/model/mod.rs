//! The asset model: plain records, their enumerations, and the ECS components and world built
//! from them.
//!
//! Owns: what an asset is (kinds, sites and occupants, zones), the ECS world of one command.
//! Never: I/O of any kind (no SQLite, no files); parsing of interchange formats.

pub mod components;
pub mod geometry;
pub mod kinds;
pub mod record;
pub mod world;
pub mod zoning;

pub use kinds::{AssetKind, Condition, ParkSubtype, SiteState, WaterKind};
pub use record::{
    AssetRecord, BoxGroup, KindData, Names, Provenance, SpeciesInfo, TreeOccupant, UNZONED,
    ZoneRecord,
};
pub use world::{AssetWorld, ReadyAsset};
