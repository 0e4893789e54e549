//! Landscape water need: the landscape coefficient KL and default bucket parameters per kind of planting.
//!
//! ETc = ET0 × KL, with KL = Ks × Kd × Kmc (× an establishment factor for new trees and shrubs):
//! - Ks, species factor: high 0.7–0.9, moderate 0.4–0.6, low 0.1–0.3, very low < 0.1
//! - Kd, density factor: 0.5–1.3
//! - Kmc, microclimate factor: 1.1–1.4 on hot paved squares, 0.5–0.9 in shade
//! - establishment: ×1.5 in the first year after planting, ×1.2 in the second, ×1.0 after. Not for
//!   seasonal bedding in boxes, whose 0.8–0.9 already assumes fresh plants.
//!
//! The soil-water bucket of [`super::water_balance`] needs, per asset, the total available water
//! TAW = 1000·AWC·Zr, the management allowed depletion MAD (water when depletion reaches MAD·TAW),
//! KL, the wetted area, the application efficiency and a rain-exposure factor. [`BucketParams`] holds
//! them as plain editable fields; its constructors give the greenward defaults, which are engineering
//! estimates (E) meant to be overridden by the user.
//!
//! # Units
//!
//! - Ks, Kd, Kmc, KL, MAD, efficiency, rain exposure: dimensionless (MAD, efficiency, exposure in 0–1)
//! - AWC: m³ water per m³ soil; root depth Zr: m; TAW: mm
//! - wetted area: m² (1 mm over 1 m² = 1 L)
//!
//! # Sources
//!
//! Costello, Matheny, Clark & Jones (2000), *A guide to estimating irrigation water needs of landscape
//! plantings in California* (WUCOLS / landscape coefficient method); FAO-56 (Allen et al. 1998)
//! eq. 82 (TAW) and eq. 83 (RAW = p·TAW); greenward DOMAIN.md section 2 for the defaults (E).

/// Landscape coefficient KL = Ks × Kd × Kmc × establishment factor.
pub fn landscape_coefficient(ks: f64, kd: f64, kmc: f64, establishment: f64) -> f64 {
    ks * kd * kmc * establishment
}

/// Establishment factor for newly planted trees and shrubs: 1.5 in the first year (0 full years since
/// planting), 1.2 in the second (1), 1.0 afterwards. Do not apply it to bedding plants in boxes.
pub fn establishment_factor(full_years_since_planting: u32) -> f64 {
    match full_years_since_planting {
        0 => 1.5,
        1 => 1.2,
        _ => 1.0,
    }
}

/// Total available water TAW in mm from AWC (m³/m³) and root depth Zr (m) (FAO-56 eq. 82, simplified).
pub fn total_available_water(awc: f64, root_depth_m: f64) -> f64 {
    1000.0 * awc * root_depth_m
}

/// The plantings greenward has default bucket parameters for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BucketKind {
    /// City flower box of potting mix with seasonal bedding plants.
    FlowerBox,
    /// Street tree in a paved pit.
    StreetTreePit,
    /// Tree in a park lawn or bed.
    ParkTree,
    /// Lawn (Kentucky bluegrass, *Poa pratensis*), per m².
    Lawn,
    /// Bed of conifers (juniper, arborvitae), per m².
    ConiferBed,
}

impl BucketKind {
    /// Every kind, in a fixed order.
    pub const ALL: [BucketKind; 5] = [
        BucketKind::FlowerBox,
        BucketKind::StreetTreePit,
        BucketKind::ParkTree,
        BucketKind::Lawn,
        BucketKind::ConiferBed,
    ];

    /// The default parameters for this kind (see [`BucketParams`] constructors).
    pub fn default_params(self) -> BucketParams {
        match self {
            BucketKind::FlowerBox => BucketParams::flower_box(),
            BucketKind::StreetTreePit => BucketParams::street_tree_pit(),
            BucketKind::ParkTree => BucketParams::park_tree(),
            BucketKind::Lawn => BucketParams::lawn(),
            BucketKind::ConiferBed => BucketParams::conifer_bed(),
        }
    }
}

/// Water-balance parameters of one asset. All fields are editable estimates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketParams {
    /// Total available water TAW in the root zone, mm.
    pub taw_mm: f64,
    /// Management allowed depletion: water when depletion reaches `mad × taw_mm` (0–1).
    pub mad: f64,
    /// Landscape coefficient KL (ETc = ET0 × KL).
    pub kl: f64,
    /// Area the water is spread over, m² (litres = mm × m²).
    pub wetted_area_m2: f64,
    /// Application efficiency (hand or hose 0.7–0.8, drip 0.9).
    pub efficiency: f64,
    /// Share of effective rain that reaches the root zone (1 = open sky, 0 = fully under eaves).
    pub rain_exposure: f64,
}

impl BucketParams {
    /// Flower box 1.00 × 0.30 m of potting mix 0.25 m deep, AWC 0.25 → TAW 62.5 mm; MAD 0.40;
    /// KL 0.96 (bedding 0.8 × paved-square microclimate 1.2, no establishment factor); hand watering
    /// 0.8; the box surface (0.30 m²) is the wetted area.
    pub fn flower_box() -> Self {
        Self {
            taw_mm: total_available_water(0.25, 0.25),
            mad: 0.40,
            kl: landscape_coefficient(0.8, 1.0, 1.2, 1.0),
            wetted_area_m2: 1.00 * 0.30,
            efficiency: 0.8,
            rain_exposure: 1.0,
        }
    }

    /// Street-tree pit 1.5 × 1.5 m (2.25 m²) of sandy loam, Zr 0.6 m, AWC 0.12 → TAW 72 mm; MAD 0.5;
    /// KL 0.6 (moderate species 0.5 × paved street 1.2); hose 0.8.
    pub fn street_tree_pit() -> Self {
        Self {
            taw_mm: total_available_water(0.12, 0.6),
            mad: 0.5,
            kl: landscape_coefficient(0.5, 1.0, 1.2, 1.0),
            wetted_area_m2: 2.25,
            efficiency: 0.8,
            rain_exposure: 1.0,
        }
    }

    /// Park tree watered over a 4 m² basin, Zr 0.9 m, AWC 0.12 → TAW 108 mm; MAD 0.5; KL 0.5
    /// (moderate species 0.5, open park 1.0); hose 0.8.
    pub fn park_tree() -> Self {
        Self {
            taw_mm: total_available_water(0.12, 0.9),
            mad: 0.5,
            kl: landscape_coefficient(0.5, 1.0, 1.0, 1.0),
            wetted_area_m2: 4.0,
            efficiency: 0.8,
            rain_exposure: 1.0,
        }
    }

    /// Lawn, per m²: Zr 0.3 m, AWC 0.12 → TAW 36 mm; MAD 0.5; KL 0.8; efficiency 0.8.
    pub fn lawn() -> Self {
        Self {
            taw_mm: total_available_water(0.12, 0.3),
            mad: 0.5,
            kl: 0.8,
            wetted_area_m2: 1.0,
            efficiency: 0.8,
            rain_exposure: 1.0,
        }
    }

    /// Conifer bed, per m²: TAW 60 mm (Zr 0.5 m, AWC 0.12); MAD 0.6; KL 0.3; efficiency 0.8.
    pub fn conifer_bed() -> Self {
        Self {
            taw_mm: total_available_water(0.12, 0.5),
            mad: 0.6,
            kl: 0.3,
            wetted_area_m2: 1.0,
            efficiency: 0.8,
            rain_exposure: 1.0,
        }
    }

    /// Readily available water RAW = MAD × TAW, mm: the depletion that triggers a watering.
    pub fn raw_mm(&self) -> f64 {
        self.mad * self.taw_mm
    }

    /// The same parameters with KL multiplied by the establishment factor for a young tree or shrub.
    pub fn establishing(self, full_years_since_planting: u32) -> Self {
        Self {
            kl: self.kl * establishment_factor(full_years_since_planting),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// DOMAIN.md defaults: box TAW 62.5 mm, KL 0.96, RAW 25 mm on 0.30 m².
    #[test]
    fn flower_box_defaults() {
        let b = BucketParams::flower_box();
        assert_abs_diff_eq!(b.taw_mm, 62.5, epsilon = 1e-9);
        assert_abs_diff_eq!(b.kl, 0.96, epsilon = 1e-9);
        assert_abs_diff_eq!(b.raw_mm(), 25.0, epsilon = 1e-9);
        assert_abs_diff_eq!(b.wetted_area_m2, 0.30, epsilon = 1e-9);
        assert_abs_diff_eq!(b.efficiency, 0.8);
        assert_abs_diff_eq!(b.mad, 0.40);
    }

    #[test]
    fn other_defaults_match_domain() {
        let s = BucketParams::street_tree_pit();
        assert_abs_diff_eq!(s.taw_mm, 72.0, epsilon = 1e-9);
        assert_abs_diff_eq!(s.mad, 0.5);
        assert_abs_diff_eq!(s.wetted_area_m2, 2.25);
        let p = BucketParams::park_tree();
        assert_abs_diff_eq!(p.taw_mm, 108.0, epsilon = 1e-9);
        assert_abs_diff_eq!(p.wetted_area_m2, 4.0);
        let l = BucketParams::lawn();
        assert_abs_diff_eq!(l.taw_mm, 36.0, epsilon = 1e-9);
        assert_abs_diff_eq!(l.kl, 0.8);
        let c = BucketParams::conifer_bed();
        assert_abs_diff_eq!(c.taw_mm, 60.0, epsilon = 1e-9);
        assert_abs_diff_eq!(c.mad, 0.6);
        assert_abs_diff_eq!(c.kl, 0.3);
    }

    #[test]
    fn establishment_steps_down() {
        assert_abs_diff_eq!(establishment_factor(0), 1.5);
        assert_abs_diff_eq!(establishment_factor(1), 1.2);
        assert_abs_diff_eq!(establishment_factor(2), 1.0);
        assert_abs_diff_eq!(establishment_factor(30), 1.0);
        let young = BucketParams::street_tree_pit().establishing(0);
        assert_abs_diff_eq!(young.kl, 0.9, epsilon = 1e-9);
        assert_abs_diff_eq!(
            landscape_coefficient(0.5, 1.0, 1.2, 1.5),
            0.9,
            epsilon = 1e-9
        );
    }
}
