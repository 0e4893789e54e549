//! The working set of one command: an ECS world of assets plus the map from asset id to entity.
//!
//! SQLite is the source of truth. A command loads the records it needs from `store`, builds this
//! world, and writes every change to SQLite (one transaction) before it updates the world.

use std::sync::Arc;

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

    /// The zone name of a stored asset in the world (`None` when unzoned).
    pub fn zone(&self, asset_id: i64) -> Option<&str> {
        let e = self.entity(asset_id)?;
        self.world.get::<ZoneMember>(e).map(|z| &*z.zone)
    }

    /// The species of a tree or tree row in the world.
    pub fn species(&self, asset_id: i64) -> Option<&SpeciesInfo> {
        let e = self.entity(asset_id)?;
        self.world.get::<Species>(e).map(|s| &*s.0)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Adds (or replaces) the entity of a record, composed of the components it has.
    pub fn spawn(&mut self, r: &AssetRecord) -> Entity {
        // Only what the world keeps is copied (not the reference, names or provenance; the zone
        // name is shared, not copied).
        let zone = r.zone.as_deref().zip(r.zone_id);
        self.spawn_in_zone(
            AssetRecord {
                id: r.id,
                asset_ref: String::new(),
                names: Default::default(),
                geometry: r.geometry.clone(),
                zone: None,
                zone_id: r.zone_id,
                site_state: r.site_state,
                data: r.data.clone(),
                tags: r.tags.clone(),
                provenance: Default::default(),
                retired: r.retired.clone(),
            },
            zone,
        )
    }

    /// As [`AssetWorld::spawn`], moving the record's strings into the components: building a
    /// world of a million trees straight from the rows copies and frees none of them.
    pub fn spawn_owned(&mut self, mut r: AssetRecord) -> Entity {
        let name = r.zone.take();
        let zone = name.as_deref().zip(r.zone_id);
        self.spawn_in_zone(r, zone)
    }

    /// Spawns `r` in the zone (name, id) given; `r.zone` is not read.
    fn spawn_in_zone(&mut self, r: AssetRecord, zone: Option<(&str, i64)>) -> Entity {
        if let Some(old) = self.by_id.remove(r.id) {
            self.world.despawn(old);
        }
        let (lon, lat) = r.anchor();
        let kind = r.kind();
        let AssetRecord {
            id,
            geometry,
            site_state,
            data,
            tags,
            retired,
            ..
        } = r;
        let base = (AssetId(id), Kind(kind), Location { lon, lat });
        let zone = zone.map(|(name, zone_id)| ZoneMember {
            zone_id,
            zone: shared_zone(zone_id, name),
        });
        // The common shapes are spawned as one bundle: every later `insert` moves the entity to
        // another archetype, which dominates building a world of a million trees.
        let (mut e, data) = match (data, zone) {
            (KindData::Tree(t), Some(zm)) => {
                let size = tree_size(&t);
                let tree = (base, zm, SiteStatus(site_state), shared_species(t.species));
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
            // So are the other kinds' parts (a city has a hundred thousand box groups, green
            // areas, parks and ponds).
            (KindData::FlowerBoxGroup(b), Some(zm)) => {
                let boxes = (base, zm, SiteStatus(site_state));
                let e = match b.planted {
                    Some(d) => self.world.spawn((boxes, Planted(d), Container(b))),
                    None => self.world.spawn((boxes, Container(b))),
                };
                (e, Spawned::Done)
            }
            (KindData::GreenArea { plant: Some(p), .. }, Some(zm)) => {
                (self.world.spawn((base, zm, Plant(p))), Spawned::Done)
            }
            (KindData::Park { subtype, area_m2 }, Some(zm)) => {
                let park = ParkInfo { subtype, area_m2 };
                (self.world.spawn((base, zm, park)), Spawned::Done)
            }
            (
                KindData::WaterFeature {
                    water,
                    area_m2,
                    volume_m3,
                },
                Some(zm),
            ) => {
                let body = WaterBody {
                    water,
                    area_m2,
                    volume_m3,
                };
                (self.world.spawn((base, zm, body)), Spawned::Done)
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
            Spawned::Done => None,
            Spawned::No(data) => Some(data),
        };
        match data {
            None => {}
            Some(KindData::Tree(t)) => {
                if let Some(size) = tree_size(&t) {
                    e.insert(size);
                }
                let species = shared_species(t.species);
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
                    let species = shared_species(species);
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

    /// Spawns records made ready by [`ReadyAsset::from_record`] (on a reading thread): the trees
    /// of each shape in one batch, which fills the archetype's table in one go instead of one
    /// entity at a time; each other record goes to `other`, which spawns or keeps it.
    pub fn spawn_ready(
        &mut self,
        batch: Vec<ReadyAsset>,
        mut other: impl FnMut(&mut Self, AssetRecord),
    ) {
        let mut ids: [Vec<i64>; 4] = Default::default();
        let (mut both, mut health, mut planted, mut plain) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for a in batch {
            match a {
                ReadyAsset::Tree { id, bundle } => {
                    if let Some(old) = self.by_id.remove(id) {
                        self.world.despawn(old);
                    }
                    let shape = match bundle {
                        ReadyTree::HealthPlanted(b, h, p) => {
                            both.push((b, h, p));
                            0
                        }
                        ReadyTree::Health(b, h) => {
                            health.push((b, h));
                            1
                        }
                        ReadyTree::Planted(b, p) => {
                            planted.push((b, p));
                            2
                        }
                        ReadyTree::Plain(b) => {
                            plain.push(b);
                            3
                        }
                    };
                    ids[shape].push(id);
                }
                ReadyAsset::Other(r) => other(self, r),
            }
        }
        let [both_ids, health_ids, planted_ids, plain_ids] = ids;
        let spawned: Vec<Entity> = self.world.spawn_batch(both).collect();
        self.index(both_ids, spawned);
        let spawned: Vec<Entity> = self.world.spawn_batch(health).collect();
        self.index(health_ids, spawned);
        let spawned: Vec<Entity> = self.world.spawn_batch(planted).collect();
        self.index(planted_ids, spawned);
        let spawned: Vec<Entity> = self.world.spawn_batch(plain).collect();
        self.index(plain_ids, spawned);
    }

    /// Records the entities spawned for `ids` (in the same order).
    fn index(&mut self, ids: Vec<i64>, entities: Vec<Entity>) {
        for (id, e) in ids.into_iter().zip(entities) {
            // Two records of one id in a batch: the later one stands, as with `spawn`.
            if let Some(old) = self.by_id.remove(id) {
                self.world.despawn(old);
            }
            self.by_id.insert(id, e);
        }
    }

    /// Removes the entity of an asset.
    pub fn despawn(&mut self, asset_id: i64) {
        if let Some(e) = self.by_id.remove(asset_id) {
            self.world.despawn(e);
        }
    }
}

/// The components every tree of the common shapes has.
type TreeBase = ((AssetId, Kind, Location), ZoneMember, SiteStatus, Species);

/// A record made ready for the world off the thread that builds it
/// ([`AssetWorld::spawn_ready`]): a tree of the common shapes (in a zone, a point, without
/// sizes, heritage grade, tags or retirement: most of a city's scheduling records) as the
/// components [`AssetWorld::spawn_owned`] would give it; any other record as it is.
// Not boxed: a box per record, made on the reading thread and freed on this one, measured
// slower than moving the larger variant (frees of another thread's memory contend on its arena).
#[allow(clippy::large_enum_variant)]
pub enum ReadyAsset {
    Tree { id: i64, bundle: ReadyTree },
    Other(AssetRecord),
}

/// A tree's components, by which of condition and planting date it has.
pub enum ReadyTree {
    HealthPlanted(TreeBase, Health, Planted),
    Health(TreeBase, Health),
    Planted(TreeBase, Planted),
    Plain(TreeBase),
}

impl ReadyAsset {
    pub fn from_record(r: AssetRecord) -> ReadyAsset {
        let common = r.tags.is_empty()
            && r.retired.is_none()
            && matches!(r.geometry, geo::Geometry::Point(_));
        let (lon, lat) = r.anchor();
        match r {
            AssetRecord {
                id,
                zone: Some(zone),
                zone_id: Some(zone_id),
                site_state,
                data: KindData::Tree(t),
                ..
            } if common && tree_size(&t).is_none() && t.heritage_grade.is_none() => {
                let base = (
                    (
                        AssetId(id),
                        Kind(super::AssetKind::Tree),
                        Location { lon, lat },
                    ),
                    ZoneMember {
                        zone_id,
                        zone: shared_zone(zone_id, &zone),
                    },
                    SiteStatus(site_state),
                    shared_species(t.species),
                );
                let bundle = match (t.condition, t.planted) {
                    (Some(c), Some(d)) => ReadyTree::HealthPlanted(base, Health(c), Planted(d)),
                    (Some(c), None) => ReadyTree::Health(base, Health(c)),
                    (None, Some(d)) => ReadyTree::Planted(base, Planted(d)),
                    (None, None) => ReadyTree::Plain(base),
                };
                ReadyAsset::Tree { id, bundle }
            }
            r => ReadyAsset::Other(r),
        }
    }
}

/// Zone names and species already made into components on this thread, for sharing.
#[derive(Default)]
struct SharedParts {
    zones: FxHashMap<i64, Arc<str>>,
    species: FxHashMap<SpeciesInfo, Arc<SpeciesInfo>>,
}

impl SharedParts {
    /// More distinct values than any city has: a register of unique names is not worth
    /// keeping them for.
    const MAX: usize = 1 << 16;
}

thread_local! {
    static SHARED: std::cell::RefCell<SharedParts> = Default::default();
}

/// The zone name of a component, one copy shared by the zone's assets: the last made on this
/// thread for the id when its name is the same, else a new one. Worlds are built on one or two
/// threads (reading and building), so each keeps its own few.
pub(crate) fn shared_zone(zone_id: i64, name: &str) -> Arc<str> {
    SHARED.with_borrow_mut(|s| match s.zones.get(&zone_id) {
        Some(shared) if **shared == *name => shared.clone(),
        _ => {
            if s.zones.len() >= SharedParts::MAX {
                s.zones.clear();
            }
            let shared: Arc<str> = name.into();
            s.zones.insert(zone_id, shared.clone());
            shared
        }
    })
}

/// The species component, one copy shared by the assets of the species: a species the reader
/// already shared (the scheduling snapshot's decoder does) is taken as it is; one of its own
/// (read from the rows) is shared as [`shared_zone`] is.
pub(crate) fn shared_species(species: Arc<SpeciesInfo>) -> Species {
    if Arc::strong_count(&species) > 1 {
        return Species(species);
    }
    SHARED.with_borrow_mut(|s| {
        if let Some(shared) = s.species.get(&*species) {
            return Species(shared.clone());
        }
        if s.species.len() >= SharedParts::MAX {
            s.species.clear();
        }
        s.species.insert((*species).clone(), species.clone());
        Species(species)
    })
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
    /// Everything was taken.
    Done,
    /// Nothing was taken.
    No(KindData),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every component of an asset's entity, printed: two worlds agree on an asset when these
    /// agree.
    fn components(w: &AssetWorld, id: i64) -> String {
        let e = w.entity(id).expect("spawned");
        let g = &w.world;
        format!(
            "{:?}",
            (
                (
                    g.get::<AssetId>(e),
                    g.get::<Kind>(e),
                    g.get::<Location>(e),
                    g.get::<Footprint>(e),
                    g.get::<ZoneMember>(e),
                    g.get::<SiteStatus>(e),
                ),
                (
                    g.get::<Species>(e),
                    g.get::<TreeSize>(e),
                    g.get::<Planted>(e),
                    g.get::<Health>(e),
                    g.get::<Heritage>(e),
                    g.get::<Container>(e),
                ),
                (
                    g.get::<TreeCount>(e),
                    g.get::<Plant>(e),
                    g.get::<ParkInfo>(e),
                    g.get::<WaterBody>(e),
                    g.get::<Tags>(e),
                    g.get::<Retired>(e),
                ),
            )
        )
    }

    /// Trees read from the rows, each record with its own copy of the names, share one copy of
    /// their zone's name and of their species in the world, on either spawning path; a zone
    /// renamed between two worlds is not mistaken for the old name.
    #[test]
    fn trees_share_their_zone_name_and_species_in_the_world() {
        use crate::model::{SiteState, TreeOccupant};
        let record = |id: i64, zone: &str| AssetRecord {
            id,
            asset_ref: format!("TR-{id}"),
            names: Default::default(),
            geometry: geo::Geometry::Point(geo::Point::new(91.0, 29.6)),
            zone: Some(zone.to_string()),
            zone_id: Some(1 + id % 2),
            site_state: SiteState::Occupied,
            data: KindData::Tree(TreeOccupant {
                species: Arc::new(SpeciesInfo {
                    latin: Some(
                        ["Salix matsudana", "Ulmus pumila", "Sophora japonica"][id as usize % 3]
                            .to_string(),
                    ),
                    ..SpeciesInfo::default()
                }),
                ..TreeOccupant::default()
            }),
            tags: Default::default(),
            provenance: Default::default(),
            retired: None,
        };
        let zone_name = |id: i64| if id % 2 == 0 { "north" } else { "south" };
        let mut w = AssetWorld::new();
        for id in 1..=30 {
            w.spawn_owned(record(id, zone_name(id)));
        }
        let ready = (31..=60)
            .map(|id| ReadyAsset::from_record(record(id, zone_name(id))))
            .collect();
        w.spawn_ready(ready, |_, _| panic!("plain trees"));
        let part = |id: i64| {
            let e = w.entity(id).unwrap_or_else(|| panic!("asset {id} spawned"));
            (
                w.world.get::<ZoneMember>(e).unwrap().zone.clone(),
                w.world.get::<Species>(e).unwrap().0.clone(),
            )
        };
        for id in 4..=60 {
            let (zone, species) = part(id);
            let (zone_before, _) = part(id - 2);
            let (_, species_before) = part(id - 3);
            assert!(Arc::ptr_eq(&zone, &zone_before), "asset {id}");
            assert!(Arc::ptr_eq(&species, &species_before), "asset {id}");
            assert_eq!(&*zone, zone_name(id));
        }
        // Zone 1 renamed: the new name, not the last one shared.
        let mut renamed = AssetWorld::new();
        renamed.spawn_owned(record(2, "upper"));
        assert_eq!(renamed.zone(2), Some("upper"));
    }

    #[test]
    fn ready_trees_get_the_components_a_spawned_record_gets() {
        use crate::model::{BoxGroup, Condition, SiteState, TreeOccupant};
        let day = |d| chrono::NaiveDate::from_ymd_opt(2019, 4, d).unwrap();
        let record = |id: i64| {
            let data = if id % 9 == 0 {
                KindData::FlowerBoxGroup(BoxGroup {
                    box_count: 3,
                    planted: (id % 2 == 0).then(|| day(1)),
                    ..BoxGroup::default()
                })
            } else {
                KindData::Tree(TreeOccupant {
                    species: Arc::new(SpeciesInfo {
                        latin: (id % 5 != 0).then(|| "Salix matsudana".to_string()),
                        genus: (id % 4 == 0).then(|| "Salix".to_string()),
                        ..SpeciesInfo::default()
                    }),
                    dbh_cm: (id % 13 == 0).then_some(31.5),
                    planted: (id % 3 == 0).then(|| day(1 + (id % 20) as u32)),
                    condition: (id % 2 == 0).then_some(Condition::Good),
                    heritage_grade: (id % 17 == 0).then_some(2),
                    ..TreeOccupant::default()
                })
            };
            let geometry = if id % 19 == 0 {
                geo::Geometry::Polygon(geo::Polygon::new(
                    geo::LineString::from(vec![
                        (91.0, 29.6),
                        (91.1, 29.6),
                        (91.1, 29.7),
                        (91.0, 29.6),
                    ]),
                    vec![],
                ))
            } else {
                geo::Geometry::Point(geo::Point::new(91.0 + id as f64 * 1e-5, 29.6))
            };
            AssetRecord {
                id,
                asset_ref: format!("TR-{id}"),
                names: Default::default(),
                geometry,
                zone: (id % 23 != 0).then(|| format!("zone-{}", id % 3)),
                zone_id: (id % 23 != 0).then_some(id % 3 + 1),
                site_state: if id % 7 == 0 {
                    SiteState::Vacant
                } else {
                    SiteState::Occupied
                },
                data,
                tags: if id % 11 == 0 {
                    [("owner".to_string(), "city".to_string())].into()
                } else {
                    Default::default()
                },
                provenance: Default::default(),
                retired: (id % 29 == 0).then(|| "storm".to_string()),
            }
        };
        let records: Vec<AssetRecord> = (1..=2000).map(record).collect();
        let mut one_by_one = AssetWorld::new();
        for r in records.clone() {
            one_by_one.spawn_owned(r);
        }
        let mut ready = AssetWorld::new();
        let mut others = 0;
        for batch in records.chunks(300) {
            let batch = batch.iter().cloned().map(ReadyAsset::from_record).collect();
            ready.spawn_ready(batch, |w, r| {
                others += 1;
                w.spawn_owned(r);
            });
        }
        // Most trees take the batched path; the unusual ones and the other kinds do not.
        assert!(others > 200 && others < 1000, "{others}");
        assert_eq!(ready.len(), one_by_one.len());
        for id in 1..=2000 {
            assert_eq!(
                components(&ready, id),
                components(&one_by_one, id),
                "asset {id}"
            );
        }
        // A record spawned again replaces its entity.
        let again = vec![ReadyAsset::from_record(records[0].clone())];
        ready.spawn_ready(again, |_, _| panic!("a plain tree"));
        assert_eq!(ready.len(), 2000);
        let live = ready.world.query::<&AssetId>().iter(&ready.world).count();
        assert_eq!(live, 2000, "the replaced entity is gone");
    }

    /// A zoned point of each kind is spawned with its parts in one bundle: no entity passes
    /// through an archetype of fewer components (each `insert` after a spawn moves the entity
    /// to another archetype, a copy of all its components).
    #[test]
    fn each_kind_is_spawned_with_its_parts_in_one_archetype_move() {
        use crate::model::{BoxGroup, ParkSubtype, SiteState, WaterKind};
        let record = |id: i64, data: KindData| AssetRecord {
            id,
            asset_ref: format!("A-{id}"),
            names: Default::default(),
            geometry: geo::Geometry::Point(geo::Point::new(91.0, 29.6)),
            zone: Some("north".to_string()),
            zone_id: Some(1),
            site_state: SiteState::Occupied,
            data,
            tags: Default::default(),
            provenance: Default::default(),
            retired: None,
        };
        let planted = chrono::NaiveDate::from_ymd_opt(2026, 5, 1);
        let records = [
            record(
                1,
                KindData::FlowerBoxGroup(BoxGroup {
                    box_count: 4,
                    planting: Some("Salvia splendens".to_string()),
                    planted,
                    ..BoxGroup::default()
                }),
            ),
            record(
                2,
                KindData::GreenArea {
                    plant: Some("lawn".to_string()),
                    area_m2: Some(300.0),
                },
            ),
            record(
                3,
                KindData::Park {
                    subtype: ParkSubtype::PocketPark,
                    area_m2: Some(900.0),
                },
            ),
            record(
                4,
                KindData::WaterFeature {
                    water: WaterKind::Pond,
                    area_m2: Some(50.0),
                    volume_m3: None,
                },
            ),
        ];
        let mut w = AssetWorld::new();
        let before = w.world.archetypes().len();
        for r in &records {
            w.spawn(r);
        }
        // One archetype per kind.
        assert_eq!(w.world.archetypes().len(), before + records.len());
        let g = &w.world;
        let e = |id| w.entity(id).unwrap();
        assert_eq!(g.get::<Planted>(e(1)).map(|p| p.0), planted);
        assert_eq!(g.get::<Container>(e(1)).unwrap().0.box_count, 4);
        assert_eq!(g.get::<SiteStatus>(e(1)).unwrap().0, SiteState::Occupied);
        assert_eq!(g.get::<Plant>(e(2)).unwrap().0, "lawn");
        assert!(
            g.get::<SiteStatus>(e(2)).is_none(),
            "a green area is no site"
        );
        assert_eq!(g.get::<ParkInfo>(e(3)).unwrap().area_m2, Some(900.0));
        assert_eq!(g.get::<WaterBody>(e(4)).unwrap().water, WaterKind::Pond);
        for id in 1..=4 {
            assert_eq!(&*g.get::<ZoneMember>(e(id)).unwrap().zone, "north");
        }
    }

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
