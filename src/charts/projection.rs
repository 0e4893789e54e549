//! A local map projection for charts: equirectangular around the data centre, with east–west
//! distances scaled by cos(lat0), so shapes and distances stay true at city scale (no squashed
//! lon/lat).
//!
//! # Units
//! Input degrees (WGS84 lon, lat); output metres east and north of the centre.
//!
//! # Sources
//! Snyder (1987), *Map Projections — A Working Manual*, USGS PP 1395, §12 (equidistant
//! cylindrical with a standard parallel); mean Earth radius 6,371,008.8 m as in
//! `model::geometry::haversine_m`. Over a few kilometres the scale error is below 0.1 %.

/// Mean Earth radius, metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Equirectangular projection with its standard parallel at the centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalProjection {
    pub lon0: f64,
    pub lat0: f64,
    cos_lat0: f64,
}

impl LocalProjection {
    pub fn new(lon0: f64, lat0: f64) -> Self {
        LocalProjection {
            lon0,
            lat0,
            cos_lat0: lat0.to_radians().cos(),
        }
    }

    /// Centred on the middle of the bounding box of `points` (lon, lat); `None` if empty.
    pub fn around(points: impl IntoIterator<Item = (f64, f64)>) -> Option<Self> {
        let mut b: Option<(f64, f64, f64, f64)> = None;
        for (x, y) in points {
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            b = Some(match b {
                None => (x, y, x, y),
                Some((a, c, d, e)) => (a.min(x), c.min(y), d.max(x), e.max(y)),
            });
        }
        b.map(|(x0, y0, x1, y1)| Self::new((x0 + x1) / 2.0, (y0 + y1) / 2.0))
    }

    /// (lon, lat) → metres (east, north) of the centre.
    pub fn project(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (
            EARTH_RADIUS_M * (lon - self.lon0).to_radians() * self.cos_lat0,
            EARTH_RADIUS_M * (lat - self.lat0).to_radians(),
        )
    }
}

/// A "nice" scale-bar length in metres (1, 2 or 5 × 10ⁿ) no longer than `max_m`.
pub fn nice_length(max_m: f64) -> f64 {
    if !(max_m.is_finite() && max_m > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&l| l <= max_m)
        .unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::geometry::haversine_m;

    #[test]
    fn distances_match_great_circle_distances_in_every_direction() {
        // Potala Palace to the Jokhang, and north–south and east–west legs around Barkhor.
        let p = LocalProjection::new(91.1245, 29.6554);
        for (a, b) in [
            ((91.117313, 29.657925), (91.1318, 29.65285)),
            ((91.1245, 29.645), (91.1245, 29.665)),
            ((91.11, 29.6554), (91.14, 29.6554)),
        ] {
            let (ax, ay) = p.project(a);
            let (bx, by) = p.project(b);
            let planar = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
            let true_m = haversine_m(a, b);
            assert!(
                (planar - true_m).abs() / true_m < 0.001,
                "{planar} vs {true_m}"
            );
        }
        assert_eq!(p.project((91.1245, 29.6554)), (0.0, 0.0));
    }

    #[test]
    fn scale_bars_have_round_lengths() {
        assert_eq!(nice_length(380.0), 200.0);
        assert_eq!(nice_length(999.0), 500.0);
        assert_eq!(nice_length(1000.0), 1000.0);
        assert_eq!(nice_length(14.0), 10.0);
    }
}
