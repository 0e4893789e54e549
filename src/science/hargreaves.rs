//! Hargreaves–Samani reference evapotranspiration from air temperature and Ra alone.
//!
//! ET0 = 0.0023·(Tmean + 17.8)·√(Tmax − Tmin)·(0.408·Ra) (FAO-56 eq. 52), Tmean = (Tmax + Tmin)/2.
//!
//! Ra must be converted to its evaporation equivalent (× 0.408, FAO-56 eq. 20) before it goes in;
//! passing MJ straight in over-estimates ET0 2.45 times. Above ~2,000 m the plain equation is biased
//! (Tang et al. 2019), so each month can carry a calibration factor ([`MonthlyCalibration`]) fitted
//! against Penman–Monteith or observed data; prefer [`super::penman_monteith`] where humidity, wind
//! and sunshine are measured.
//!
//! A day with Tmax < Tmin (bad data) is treated as having no temperature range, giving ET0 = 0.
//!
//! # Units
//!
//! - temperatures: °C (daily maximum and minimum air temperature at 2 m)
//! - Ra: MJ m⁻² day⁻¹ (see [`super::radiation::extraterrestrial_radiation`])
//! - result: mm/day
//! - calibration factors: dimensionless multipliers, 1.0 = uncalibrated
//!
//! # Sources
//!
//! FAO-56 (Allen et al. 1998) eq. 52 and eq. 20; Hargreaves & Samani (1985), *Applied Engineering in
//! Agriculture* 1(2); Tang et al. (2019) on the bias of temperature-based ET0 on the Tibetan Plateau.

use super::radiation::extraterrestrial_radiation;

/// Conversion of MJ m⁻² day⁻¹ of radiation to mm/day of evaporation (1/λ, FAO-56 eq. 20).
pub const MJ_TO_MM: f64 = 0.408;

/// Hargreaves–Samani ET0 in mm/day (FAO-56 eq. 52) from Tmin, Tmax (°C) and Ra (MJ m⁻² day⁻¹).
pub fn hargreaves_et0(tmin_c: f64, tmax_c: f64, ra_mj: f64) -> f64 {
    let tmean = (tmax_c + tmin_c) / 2.0;
    let range = (tmax_c - tmin_c).max(0.0);
    (0.0023 * (tmean + 17.8) * range.sqrt() * MJ_TO_MM * ra_mj).max(0.0)
}

/// Hargreaves–Samani ET0 in mm/day at a latitude (degrees) on a day of the year, computing Ra itself.
pub fn hargreaves_et0_at(latitude_deg: f64, day_of_year: u32, tmin_c: f64, tmax_c: f64) -> f64 {
    hargreaves_et0(
        tmin_c,
        tmax_c,
        extraterrestrial_radiation(latitude_deg, day_of_year),
    )
}

/// One multiplier per calendar month applied to Hargreaves ET0 (index 0 = January).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthlyCalibration {
    /// Factors for January … December; 1.0 leaves the month unchanged.
    pub factors: [f64; 12],
}

impl MonthlyCalibration {
    /// No calibration: every factor is 1.0.
    pub const NONE: Self = Self { factors: [1.0; 12] };

    /// The same factor for every month.
    pub fn uniform(factor: f64) -> Self {
        Self {
            factors: [factor; 12],
        }
    }

    /// The factor for a month numbered 1 (January) to 12; out-of-range months get 1.0.
    pub fn factor(&self, month: u32) -> f64 {
        match month {
            1..=12 => self.factors[month as usize - 1],
            _ => 1.0,
        }
    }

    /// Applies the month's factor to an ET0 value in mm/day.
    pub fn apply(&self, month: u32, et0_mm: f64) -> f64 {
        et0_mm * self.factor(month)
    }
}

impl Default for MonthlyCalibration {
    fn default() -> Self {
        Self::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// DOMAIN.md check: Lhasa 29.65° N, 15 May, Tmax 21.0, Tmin 7.1 → 4.46 mm/day.
    #[test]
    fn lhasa_mid_may() {
        assert_abs_diff_eq!(
            hargreaves_et0_at(29.65, 135, 7.1, 21.0),
            4.46,
            epsilon = 0.005
        );
    }

    /// The monthly normals file lists Hargreaves ET0 per month; July: Tmax 23.8, Tmin 12.1, Ra 40.41.
    #[test]
    fn lhasa_july_normal() {
        assert_abs_diff_eq!(hargreaves_et0(12.1, 23.8, 40.41), 4.64, epsilon = 0.005);
    }

    #[test]
    fn calibration_scales_only_its_month() {
        let mut cal = MonthlyCalibration::NONE;
        cal.factors[4] = 0.85;
        assert_abs_diff_eq!(cal.apply(5, 4.46), 3.791, epsilon = 1e-9);
        assert_abs_diff_eq!(cal.apply(6, 4.46), 4.46, epsilon = 1e-9);
        assert_abs_diff_eq!(cal.factor(13), 1.0);
    }

    #[test]
    fn inverted_range_gives_zero_not_nan() {
        assert_eq!(hargreaves_et0(20.0, 10.0, 40.0), 0.0);
    }
}
