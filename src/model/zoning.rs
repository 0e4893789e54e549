//! Zone assignment: which zone an asset lies in.
//!
//! The smallest zone polygon that contains the asset's anchor point wins (a pocket park inside a
//! district goes to the pocket park); a point on a shared border counts as inside. Zones without
//! a polygon never contain anything. Candidates come from an R-tree of zone bounding boxes.

use geo::{Contains, Geometry, Intersects, Point};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use super::{ZoneRecord, geometry};

/// A spatial index over zone polygons.
pub struct ZoneIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    zones: Vec<(i64, Geometry<f64>, f64)>,
}

impl ZoneIndex {
    pub fn new(zones: &[ZoneRecord]) -> Self {
        let mut entries = Vec::new();
        let mut list = Vec::new();
        for z in zones {
            let Some(g) = &z.geometry else { continue };
            let Some(b) = geometry::bbox(g) else { continue };
            let idx = list.len();
            list.push((z.id, g.clone(), geometry::area_m2(g)));
            let rect = Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]);
            entries.push(GeomWithData::new(rect, idx));
        }
        ZoneIndex {
            tree: RTree::bulk_load(entries),
            zones: list,
        }
    }

    /// The id of the smallest zone containing the point, if any.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<i64> {
        let p = Point::new(lon, lat);
        let env = AABB::from_point([lon, lat]);
        self.tree
            .locate_in_envelope_intersecting(&env)
            .filter_map(|e| {
                let (id, g, area) = &self.zones[e.data];
                let inside = match g {
                    Geometry::Polygon(poly) => poly.contains(&p) || poly.intersects(&p),
                    Geometry::MultiPolygon(mp) => mp.contains(&p) || mp.intersects(&p),
                    _ => false,
                };
                inside.then_some((*id, *area))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .map(|(id, _)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn square(id: i64, name: &str, x0: f64, y0: f64, size: f64) -> ZoneRecord {
        let ring = LineString::from(vec![
            (x0, y0),
            (x0 + size, y0),
            (x0 + size, y0 + size),
            (x0, y0 + size),
            (x0, y0),
        ]);
        ZoneRecord {
            id,
            name: name.into(),
            names: Default::default(),
            geometry: Some(Geometry::Polygon(Polygon::new(ring, vec![]))),
            tags: Default::default(),
        }
    }

    #[test]
    fn smallest_containing_zone_wins_and_outside_is_none() {
        let idx = ZoneIndex::new(&[
            square(1, "district", 0.0, 0.0, 1.0),
            square(2, "park", 0.2, 0.2, 0.1),
        ]);
        assert_eq!(idx.locate(0.25, 0.25), Some(2));
        assert_eq!(idx.locate(0.8, 0.8), Some(1));
        assert_eq!(idx.locate(1.5, 0.5), None);
        // On the border of the park: inside it.
        assert_eq!(idx.locate(0.2, 0.25), Some(2));
    }
}
