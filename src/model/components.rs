//! ECS components: each asset is an entity composed of the small parts it has. A tree has
//! `Location + Species + TreeSize + Health + SiteStatus + ZoneMember`; a flower-box group has
//! `Location + Container + SiteStatus + ZoneMember`; a lake has `Footprint + WaterBody`.
//! Systems (the scheduler's selectors, the charts) are plain functions over queries of these.
//!
//! Components carry no `Serialize`: interchange formats have their own record types.
//!
//! An entity carries the asset's store id, not its reference (`FB-PTL-001`): nothing queries
//! the world by reference, and a million of them were 64 MB of the scheduler's world; what
//! shows a reference reads it from the store.

use std::sync::Arc;

use bevy_ecs::prelude::Component;
use chrono::NaiveDate;
use geo::Geometry;

use super::kinds::{AssetKind, Condition, ParkSubtype, SiteState, WaterKind};
use super::record::{BoxGroup, SpeciesInfo};

/// The store id of the asset this entity stands for.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssetId(pub i64);

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind(pub AssetKind);

/// Representative point, degrees.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Location {
    pub lon: f64,
    pub lat: f64,
}

/// The full geometry of assets that are more than a point (parks, lawns, lakes, tree rows).
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Footprint(pub Geometry<f64>);

/// The zone the asset belongs to. The name is shared by the zone's assets
/// ([`super::world::shared_zone`]): a copy per asset was 50 MB of a million-tree world.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct ZoneMember {
    pub zone_id: i64,
    pub zone: Arc<str>,
}

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteStatus(pub SiteState);

/// Shared by the assets of one species ([`super::world::shared_species`]): a city plants a few
/// hundred species, and a copy of the names per tree was a third of a million-tree world.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Species(pub Arc<SpeciesInfo>);

/// Present only when at least one of the sizes is known (the scheduler's lean records carry
/// none).
#[derive(Component, Debug, Clone, Copy, PartialEq, Default)]
pub struct TreeSize {
    pub dbh_cm: Option<f64>,
    pub height_m: Option<f64>,
    pub crown_m: Option<f64>,
}

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planted(pub NaiveDate);

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health(pub Condition);

/// Heritage grade 1–3.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heritage(pub u8);

/// Flower boxes at one spot.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Container(pub BoxGroup);

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeCount(pub u32);

/// What grows on a green area (lawn, bed).
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct Plant(pub String);

#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct ParkInfo {
    pub subtype: ParkSubtype,
    pub area_m2: Option<f64>,
}

#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct WaterBody {
    pub water: WaterKind,
    pub area_m2: Option<f64>,
    pub volume_m3: Option<f64>,
}

/// Free tags of the asset (input properties the model has no field for).
#[derive(Component, Debug, Clone, PartialEq, Eq, Default)]
pub struct Tags(pub std::collections::BTreeMap<String, String>);

/// Present when the asset is retired; holds the reason.
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct Retired(pub String);
