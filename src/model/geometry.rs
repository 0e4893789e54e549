//! Small geometry helpers over `geo` types in WGS84 lon/lat.
//!
//! # Units
//! Coordinates are degrees (lon, lat); areas are m² on the WGS84 ellipsoid; distances metres.

use geo::{BoundingRect, Centroid, GeodesicArea, Geometry, InteriorPoint, Rect};

/// A representative point (lon, lat): the point itself, an interior point of a polygon (always
/// inside it, unlike the centroid of an L-shaped square), or the centroid of a line.
pub fn anchor_point(g: &Geometry<f64>) -> (f64, f64) {
    let p = match g {
        Geometry::Point(p) => Some(*p),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => g.interior_point(),
        _ => g.centroid(),
    };
    p.map(|p| (p.x(), p.y())).unwrap_or((f64::NAN, f64::NAN))
}

/// Geodesic area in m² of a polygon or multipolygon; 0 for other geometries.
pub fn area_m2(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Polygon(p) => p.geodesic_area_unsigned(),
        Geometry::MultiPolygon(p) => p.geodesic_area_unsigned(),
        _ => 0.0,
    }
}

/// Bounding rectangle, if the geometry has any coordinates.
pub fn bbox(g: &Geometry<f64>) -> Option<Rect<f64>> {
    g.bounding_rect()
}

/// Great-circle distance in metres between two (lon, lat) points (haversine, mean Earth radius
/// 6,371,008.8 m). Good to 0.5 % at city scale, which is what routing needs.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6_371_008.8;
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Point, Polygon};

    #[test]
    fn anchor_of_l_shape_is_inside() {
        let l = Polygon::new(
            LineString::from(vec![
                (0., 0.),
                (2., 0.),
                (2., 0.2),
                (0.2, 0.2),
                (0.2, 2.),
                (0., 2.),
                (0., 0.),
            ]),
            vec![],
        );
        let (x, y) = anchor_point(&Geometry::Polygon(l.clone()));
        use geo::Contains;
        assert!(l.contains(&Point::new(x, y)));
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = haversine_m((91.0, 29.0), (91.0, 30.0));
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }
}
