//! The plain-data form of an asset: what `interchange` produces, `store` writes and reads, and the
//! ECS world is built from. One struct for every kind; kind-specific fields are `Option`s.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use geo::Geometry;

use super::kinds::{AssetKind, Condition, ParkSubtype, SiteState, WaterKind};

/// Names in the languages the site uses (`name`, `name:zh`, `name:bo`, `name:en`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names {
    pub name: Option<String>,
    pub zh: Option<String>,
    pub bo: Option<String>,
    pub en: Option<String>,
}

impl Names {
    /// The best display name: `name`, else English, else Chinese, else Tibetan.
    pub fn display(&self) -> Option<&str> {
        self.name
            .as_deref()
            .or(self.en.as_deref())
            .or(self.zh.as_deref())
            .or(self.bo.as_deref())
    }
}

/// Species of a tree or a planting: latin name with common names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SpeciesInfo {
    pub latin: Option<String>,
    pub genus: Option<String>,
    pub zh: Option<String>,
    pub en: Option<String>,
}

impl SpeciesInfo {
    pub fn is_empty(&self) -> bool {
        self.latin.is_none() && self.genus.is_none() && self.zh.is_none() && self.en.is_none()
    }
    /// The genus: the explicit one, else the first word of the latin name.
    pub fn genus_or_derived(&self) -> Option<String> {
        self.genus.clone().or_else(|| {
            self.latin
                .as_deref()
                .and_then(|l| l.split_whitespace().next())
                .map(str::to_string)
        })
    }
}

/// The occupant of a tree site: the tree standing there now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeOccupant {
    /// Shared: the trees of a city's few hundred species point at one copy each where the
    /// reader can tell (the scheduling snapshot; [`crate::model::world`] components).
    pub species: Arc<SpeciesInfo>,
    pub dbh_cm: Option<f64>,
    pub height_m: Option<f64>,
    pub crown_m: Option<f64>,
    pub planted: Option<NaiveDate>,
    pub condition: Option<Condition>,
    /// 1, 2 or 3 (Chinese national grades by age); `None` for ordinary trees.
    pub heritage_grade: Option<u8>,
}

/// A group of flower boxes at one spot and its current planting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoxGroup {
    pub box_count: u32,
    /// Inner dimensions of one box, metres.
    pub box_length_m: f64,
    pub box_width_m: f64,
    pub box_depth_m: f64,
    /// What is planted now (latin or common name), if known.
    pub planting: Option<String>,
    pub planted: Option<NaiveDate>,
}

impl BoxGroup {
    /// Soil surface of one box, m².
    pub fn surface_m2(&self) -> f64 {
        self.box_length_m * self.box_width_m
    }
}

/// Kind-specific attributes. Exactly the variant that matches [`AssetRecord::kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum KindData {
    FlowerBoxGroup(BoxGroup),
    Tree(TreeOccupant),
    TreeRow {
        tree_count: Option<u32>,
        species: Arc<SpeciesInfo>,
    },
    GreenArea {
        plant: Option<String>,
        area_m2: Option<f64>,
    },
    Park {
        subtype: ParkSubtype,
        area_m2: Option<f64>,
    },
    WaterFeature {
        water: WaterKind,
        area_m2: Option<f64>,
        volume_m3: Option<f64>,
    },
}

impl KindData {
    pub fn kind(&self) -> AssetKind {
        match self {
            KindData::FlowerBoxGroup(_) => AssetKind::FlowerBoxGroup,
            KindData::Tree(_) => AssetKind::Tree,
            KindData::TreeRow { .. } => AssetKind::TreeRow,
            KindData::GreenArea { .. } => AssetKind::GreenArea,
            KindData::Park { .. } => AssetKind::Park,
            KindData::WaterFeature { .. } => AssetKind::WaterFeature,
        }
    }
}

/// Where a record came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    /// The source name (the import file's base name unless `--source` named another).
    pub source: Option<String>,
    /// The feature's id or row id within that source.
    pub source_id: Option<String>,
    /// The `audit` row of the import that last wrote it.
    pub import_id: Option<i64>,
    /// RFC 3339 time of that import.
    pub imported_at: Option<String>,
}

/// One asset (a site with its occupant, a park, a lake ...) as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetRecord {
    /// Store id; 0 for a record not yet stored.
    pub id: i64,
    /// Stable human reference, printable on a QR tag (`FB-PTL-001`).
    pub asset_ref: String,
    pub names: Names,
    /// RFC 7946 geometry in WGS84 lon/lat.
    pub geometry: Geometry<f64>,
    /// Zone name as given by the input (before assignment) or the assigned zone's name.
    pub zone: Option<String>,
    /// Store id of the assigned zone; `None` before assignment.
    pub zone_id: Option<i64>,
    pub site_state: SiteState,
    pub data: KindData,
    /// Free tags: every input property the model has no field for.
    pub tags: BTreeMap<String, String>,
    pub provenance: Provenance,
    /// Set when the asset was retired, with the reason.
    pub retired: Option<String>,
}

impl AssetRecord {
    pub fn kind(&self) -> AssetKind {
        self.data.kind()
    }

    /// A point that stands for the asset on a map and for zone assignment (lon, lat).
    pub fn anchor(&self) -> (f64, f64) {
        super::geometry::anchor_point(&self.geometry)
    }
}

/// A management zone: a square, a street section, a park.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneRecord {
    pub id: i64,
    /// Unique name, used by rules and crews to refer to the zone (`potala-square`).
    pub name: String,
    pub names: Names,
    /// Polygon or multipolygon in lon/lat; `None` for a zone created by name only.
    pub geometry: Option<Geometry<f64>>,
    pub tags: BTreeMap<String, String>,
}

/// Name of the zone that takes every asset lying outside all zone polygons.
pub const UNZONED: &str = "unzoned";

impl ZoneRecord {
    /// A zone known by name only (no polygon yet).
    pub fn named(name: &str) -> ZoneRecord {
        ZoneRecord {
            id: 0,
            name: name.to_string(),
            names: Names::default(),
            geometry: None,
            tags: BTreeMap::new(),
        }
    }
}
