//! The working set of one command: an ECS world of assets plus the map from asset id to entity.
//!
//! SQLite is the source of truth. A command loads the records it needs from `store`, builds this
//! world, and writes every change to SQLite (one transaction) before it updates the world.

use rustc_hash::FxHashMap;

use bevy_ecs::prelude::{Bundle, Entity, EntityWorldMut, World};

use super::components::*;
use super::record::{AssetRecord, KindData, SpeciesInfo};

/// An ECS world of assets with an index from store id to entity.
pub struct AssetWorld {
    pub world: World,
    by_id: IdIndex,
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
            by_id: IdIndex::default(),
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
        self.by_id.get(asset_id)
    }

    /// Makes room for `n` more assets in the id index.
    pub fn reserve(&mut self, n: usize) {
        self.by_id.reserve(n);
    }

    /// The reference of a stored asset in the world.
    pub fn asset_ref(&self, asset_id: i64) -> Option<&str> {
        let e = self.entity(asset_id)?;
        self.world.get::<AssetRef>(e).map(|r| r.0.as_str())
    }

    /// The zone name of a stored asset in the world (`None` when unzoned).
    pub fn zone(&self, asset_id: i64) -> Option<&str> {
        let e = self.entity(asset_id)?;
        self.world.get::<ZoneMember>(e).map(|z| z.zone.as_str())
    }

    /// The species of a tree or tree row in the world.
    pub fn species(&self, asset_id: i64) -> Option<&SpeciesInfo> {
        let e = self.entity(asset_id)?;
        self.world.get::<Species>(e).map(|s| &s.0)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Adds (or replaces) the entity of a record, composed of the components it has.
    pub fn spawn(&mut self, r: &AssetRecord) -> Entity {
        // Only what the world keeps is copied (not the names or the provenance).
        self.spawn_owned(AssetRecord {
            id: r.id,
            asset_ref: r.asset_ref.clone(),
            names: Default::default(),
            geometry: r.geometry.clone(),
            zone: r.zone.clone(),
            zone_id: r.zone_id,
            site_state: r.site_state,
            data: r.data.clone(),
            tags: r.tags.clone(),
            provenance: Default::default(),
            retired: r.retired.clone(),
        })
    }

    /// As [`AssetWorld::spawn`], moving the record's strings into the components: building a
    /// world of a million trees straight from the rows copies and frees none of them.
    pub fn spawn_owned(&mut self, r: AssetRecord) -> Entity {
        if let Some(old) = self.by_id.remove(r.id) {
            self.world.despawn(old);
        }
        let (lon, lat) = r.anchor();
        let kind = r.kind();
        let AssetRecord {
            id,
            asset_ref,
            geometry,
            zone,
            zone_id,
            site_state,
            data,
            tags,
            retired,
            ..
        } = r;
        let base = (
            AssetId(id),
            AssetRef(asset_ref),
            Kind(kind),
            Location { lon, lat },
        );
        let zone = match (zone, zone_id) {
            (Some(zone), Some(zone_id)) => Some(ZoneMember { zone_id, zone }),
            _ => None,
        };
        // The common shapes are spawned as one bundle: every later `insert` moves the entity to
        // another archetype, which dominates building a world of a million trees.
        let (mut e, data) = match (data, zone) {
            (KindData::Tree(t), Some(zm)) => {
                let size = tree_size(&t);
                let tree = (base, zm, SiteStatus(site_state), Species(t.species));
                // Most trees carry a condition and many a planting date: in the bundle too.
                // So are the sizes: an `insert` after the spawn moved almost every tree of a city
                // into a second archetype.
                let w = &mut self.world;
                let e = match (t.condition, t.planted) {
                    (Some(c), Some(d)) => spawn_sized(w, (tree, Health(c), Planted(d)), size),
                    (Some(c), None) => spawn_sized(w, (tree, Health(c)), size),
                    (None, Some(d)) => spawn_sized(w, (tree, Planted(d)), size),
                    (None, None) => spawn_sized(w, tree, size),
                };
                (e, Spawned::Tree(t.heritage_grade))
            }
            (KindData::FlowerBoxGroup(b), Some(zm)) => {
                let planted = b.planted;
                let e = self
                    .world
                    .spawn((base, zm, SiteStatus(site_state), Container(b)));
                (e, Spawned::Box(planted))
            }
            (data, Some(zm)) => (self.world.spawn((base, zm)), Spawned::No(data)),
            (data, None) => (self.world.spawn(base), Spawned::No(data)),
        };
        if !matches!(geometry, geo::Geometry::Point(_)) {
            e.insert(Footprint(geometry));
        }
        if kind.is_site() && matches!(data, Spawned::No(_)) {
            e.insert(SiteStatus(site_state));
        }
        if !tags.is_empty() {
            e.insert(Tags(tags));
        }
        if let Some(reason) = retired {
            e.insert(Retired(reason));
        }
        let data = match data {
            Spawned::Tree(heritage) => {
                if let Some(h) = heritage {
                    e.insert(Heritage(h));
                }
                None
            }
            Spawned::Box(planted) => {
                if let Some(d) = planted {
                    e.insert(Planted(d));
                }
                None
            }
            Spawned::No(data) => Some(data),
        };
        match data {
            None => {}
            Some(KindData::Tree(t)) => {
                if let Some(size) = tree_size(&t) {
                    e.insert(size);
                }
                let species = Species(t.species);
                e.insert(species);
                if let Some(d) = t.planted {
                    e.insert(Planted(d));
                }
                if let Some(c) = t.condition {
                    e.insert(Health(c));
                }
                if let Some(h) = t.heritage_grade {
                    e.insert(Heritage(h));
                }
            }
            Some(KindData::FlowerBoxGroup(b)) => {
                let planted = b.planted;
                e.insert(Container(b));
                if let Some(d) = planted {
                    e.insert(Planted(d));
                }
            }
            Some(KindData::TreeRow {
                tree_count,
                species,
            }) => {
                if let Some(n) = tree_count {
                    e.insert(TreeCount(n));
                }
                if !species.is_empty() {
                    let species = Species(species);
                    e.insert(species);
                }
            }
            Some(KindData::GreenArea { plant: Some(p), .. }) => {
                e.insert(Plant(p));
            }
            Some(KindData::GreenArea { plant: None, .. }) => {}
            Some(KindData::Park { subtype, area_m2 }) => {
                e.insert(ParkInfo { subtype, area_m2 });
            }
            Some(KindData::WaterFeature {
                water,
                area_m2,
                volume_m3,
            }) => {
                e.insert(WaterBody {
                    water,
                    area_m2,
                    volume_m3,
                });
            }
        }
        let entity = e.id();
        self.by_id.insert(id, entity);
        entity
    }

    /// Removes the entity of an asset.
    pub fn despawn(&mut self, asset_id: i64) {
        if let Some(e) = self.by_id.remove(asset_id) {
            self.world.despawn(e);
        }
    }
}

/// Spawns `bundle`, with the tree's sizes when any is known, in one archetype move.
fn spawn_sized<B: Bundle>(
    world: &mut World,
    bundle: B,
    size: Option<TreeSize>,
) -> EntityWorldMut<'_> {
    match size {
        Some(size) => world.spawn((bundle, size)),
        None => world.spawn(bundle),
    }
}

/// The sizes of a tree, when any is known.
fn tree_size(t: &crate::model::TreeOccupant) -> Option<TreeSize> {
    (t.dbh_cm.is_some() || t.height_m.is_some() || t.crown_m.is_some()).then_some(TreeSize {
        dbh_cm: t.dbh_cm,
        height_m: t.height_m,
        crown_m: t.crown_m,
    })
}

/// Asset id → entity. Store ids are rowids, dense from 1: most live in a vector indexed by id
/// (no hashing for a million lookups and inserts); an id far beyond the count (a hand-made row)
/// goes to a map instead of growing the vector.
#[derive(Default)]
struct IdIndex {
    dense: Vec<Option<Entity>>,
    sparse: FxHashMap<i64, Entity>,
    len: usize,
}

impl IdIndex {
    /// Ids below this many slots past the count are kept in the vector.
    const SLACK: usize = 1 << 16;

    fn slot(&self, id: i64) -> Option<usize> {
        usize::try_from(id)
            .ok()
            .filter(|&i| i < self.dense.len().max(self.len * 2 + Self::SLACK))
    }

    fn reserve(&mut self, n: usize) {
        self.dense.reserve(n + 1);
    }

    fn get(&self, id: i64) -> Option<Entity> {
        match usize::try_from(id) {
            Ok(i) if i < self.dense.len() => self.dense[i],
            _ => self.sparse.get(&id).copied(),
        }
    }

    fn insert(&mut self, id: i64, e: Entity) {
        let old = match self.slot(id) {
            Some(i) => {
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, None);
                }
                // An id the vector has grown over may still be in the map.
                let moved = match self.sparse.is_empty() {
                    true => None,
                    false => self.sparse.remove(&id),
                };
                self.dense[i].replace(e).or(moved)
            }
            None => self.sparse.insert(id, e),
        };
        if old.is_none() {
            self.len += 1;
        }
    }

    fn remove(&mut self, id: i64) -> Option<Entity> {
        let old = match usize::try_from(id) {
            Ok(i) if i < self.dense.len() => self.dense[i].take(),
            _ => self.sparse.remove(&id),
        };
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What the first bundle of [`AssetWorld::spawn_owned`] took of the kind data, and what is left
/// to insert.
enum Spawned {
    /// A zoned tree: its heritage grade is left.
    Tree(Option<u8>),
    /// A zoned box group: its planting date is left.
    Box(Option<chrono::NaiveDate>),
    /// Nothing was taken.
    No(KindData),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_index_keeps_dense_ids_in_a_vector_and_far_ones_in_a_map() {
        let mut w = World::new();
        let e: Vec<Entity> = (0..6).map(|_| w.spawn_empty().id()).collect();
        let mut ix = IdIndex::default();
        ix.insert(1, e[0]);
        ix.insert(2, e[1]);
        // Far beyond the count: kept in the map, not a vector of 10^12 slots.
        ix.insert(1_000_000_000_000, e[2]);
        ix.insert(-5, e[3]);
        assert!(ix.dense.len() < 10);
        assert_eq!(ix.sparse.len(), 2);
        assert_eq!(ix.len(), 4);
        assert_eq!(ix.get(2), Some(e[1]));
        assert_eq!(ix.get(1_000_000_000_000), Some(e[2]));
        assert_eq!(ix.get(-5), Some(e[3]));
        assert_eq!(ix.get(3), None);
        // Replacing keeps the count.
        ix.insert(2, e[4]);
        assert_eq!((ix.get(2), ix.len()), (Some(e[4]), 4));
        // An id first kept in the map, reached later by the growing vector, lives in one place.
        ix.insert(70_000, e[5]);
        assert_eq!(ix.sparse.len(), 3);
        for id in 3..40_000 {
            ix.insert(id, e[0]);
        }
        ix.insert(70_000, e[1]);
        assert_eq!(ix.get(70_000), Some(e[1]));
        assert!(!ix.sparse.contains_key(&70_000));
        assert_eq!(ix.len(), 5 + 39_997);
        assert_eq!(ix.remove(70_000), Some(e[1]));
        assert_eq!(ix.get(70_000), None);
        assert_eq!(ix.remove(-5), Some(e[3]));
        assert_eq!(ix.remove(-5), None);
        assert_eq!(ix.len(), 3 + 39_997);
        assert!(!ix.is_empty());
    }
}
