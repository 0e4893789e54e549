//! The working set of one command: an ECS world of assets plus the map from asset id to entity.
//!
//! SQLite is the source of truth. A command loads the records it needs from `store`, builds this
//! world, and writes every change to SQLite (one transaction) before it updates the world.

use rustc_hash::FxHashMap;

use bevy_ecs::prelude::{Entity, World};

use super::components::*;
use super::record::{AssetRecord, KindData};

/// An ECS world of assets with an index from store id to entity.
pub struct AssetWorld {
    pub world: World,
    by_id: FxHashMap<i64, Entity>,
}

impl Default for AssetWorld {
    fn default() -> Self {
        Self::new()
    }
}

impl AssetWorld {
    pub fn new() -> Self {
        AssetWorld {
            world: World::new(),
            by_id: FxHashMap::default(),
        }
    }

    /// Builds a world from stored records (each must carry its store id).
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a AssetRecord>) -> Self {
        let records = records.into_iter();
        let mut w = Self::new();
        w.by_id.reserve(records.size_hint().0);
        for r in records {
            w.spawn(r);
        }
        w
    }

    /// The entity of a stored asset.
    pub fn entity(&self, asset_id: i64) -> Option<Entity> {
        self.by_id.get(&asset_id).copied()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Adds (or replaces) the entity of a record, composed of the components it has.
    pub fn spawn(&mut self, r: &AssetRecord) -> Entity {
        if let Some(old) = self.by_id.remove(&r.id) {
            self.world.despawn(old);
        }
        let (lon, lat) = r.anchor();
        let base = (
            AssetId(r.id),
            AssetRef(r.asset_ref.clone()),
            Kind(r.kind()),
            Location { lon, lat },
        );
        let zone = match (&r.zone, r.zone_id) {
            (Some(z), Some(zone_id)) => Some(ZoneMember {
                zone_id,
                zone: z.clone(),
            }),
            _ => None,
        };
        // The common shapes are spawned as one bundle: every later `insert` moves the entity to
        // another archetype, which dominates building a world of a million trees.
        let mut kind_done = true;
        let mut e = match (&r.data, zone) {
            (KindData::Tree(t), Some(zm)) => {
                let tree = (
                    base,
                    zm,
                    SiteStatus(r.site_state),
                    Species(t.species.clone()),
                    TreeSize {
                        dbh_cm: t.dbh_cm,
                        height_m: t.height_m,
                        crown_m: t.crown_m,
                    },
                );
                // Most trees carry a condition and many a planting date: in the bundle too.
                match (t.condition, t.planted) {
                    (Some(c), Some(d)) => self.world.spawn((tree, Health(c), Planted(d))),
                    (Some(c), None) => self.world.spawn((tree, Health(c))),
                    (None, Some(d)) => self.world.spawn((tree, Planted(d))),
                    (None, None) => self.world.spawn(tree),
                }
            }
            (KindData::FlowerBoxGroup(b), Some(zm)) => {
                self.world
                    .spawn((base, zm, SiteStatus(r.site_state), Container(b.clone())))
            }
            (_, Some(zm)) => {
                kind_done = false;
                self.world.spawn((base, zm))
            }
            (_, None) => {
                kind_done = false;
                self.world.spawn(base)
            }
        };
        if !matches!(r.geometry, geo::Geometry::Point(_)) {
            e.insert(Footprint(r.geometry.clone()));
        }
        if r.kind().is_site() && !kind_done {
            e.insert(SiteStatus(r.site_state));
        }
        if !r.tags.is_empty() {
            e.insert(Tags(r.tags.clone()));
        }
        if let Some(reason) = &r.retired {
            e.insert(Retired(reason.clone()));
        }
        match &r.data {
            KindData::Tree(t) => {
                if !kind_done {
                    e.insert((
                        Species(t.species.clone()),
                        TreeSize {
                            dbh_cm: t.dbh_cm,
                            height_m: t.height_m,
                            crown_m: t.crown_m,
                        },
                    ));
                    if let Some(d) = t.planted {
                        e.insert(Planted(d));
                    }
                    if let Some(c) = t.condition {
                        e.insert(Health(c));
                    }
                }
                if let Some(h) = t.heritage_grade {
                    e.insert(Heritage(h));
                }
            }
            KindData::FlowerBoxGroup(b) => {
                if !kind_done {
                    e.insert(Container(b.clone()));
                }
                if let Some(d) = b.planted {
                    e.insert(Planted(d));
                }
            }
            KindData::TreeRow {
                tree_count,
                species,
            } => {
                if let Some(n) = tree_count {
                    e.insert(TreeCount(*n));
                }
                if !species.is_empty() {
                    e.insert(Species(species.clone()));
                }
            }
            KindData::GreenArea { plant, .. } => {
                if let Some(p) = plant {
                    e.insert(Plant(p.clone()));
                }
            }
            KindData::Park { subtype, area_m2 } => {
                e.insert(ParkInfo {
                    subtype: *subtype,
                    area_m2: *area_m2,
                });
            }
            KindData::WaterFeature {
                water,
                area_m2,
                volume_m3,
            } => {
                e.insert(WaterBody {
                    water: *water,
                    area_m2: *area_m2,
                    volume_m3: *volume_m3,
                });
            }
        }
        let id = e.id();
        self.by_id.insert(r.id, id);
        id
    }

    /// Removes the entity of an asset.
    pub fn despawn(&mut self, asset_id: i64) {
        if let Some(e) = self.by_id.remove(&asset_id) {
            self.world.despawn(e);
        }
    }
}
