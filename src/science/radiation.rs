//! Extraterrestrial radiation Ra for daily periods, with the solar geometry it needs.
//!
//! Ra is the solar radiation reaching the top of the atmosphere on a horizontal surface, summed over a
//! day. Hargreaves ET0 and the clear-sky radiation of Penman–Monteith are both built on it.
//!
//! - dr = 1 + 0.033·cos(2πJ/365) (FAO-56 eq. 23)
//! - δ = 0.409·sin(2πJ/365 − 1.39) (eq. 24)
//! - ωs = arccos(−tan φ·tan δ) (eq. 25)
//! - Ra = (24·60/π)·Gsc·dr·[ωs·sin φ·sin δ + cos φ·cos δ·sin ωs] (eq. 21)
//! - N = 24·ωs/π, daylight hours (eq. 34)
//!
//! Beyond the polar circles −tan φ·tan δ leaves [−1, 1]; it is clamped there, which gives ωs = 0
//! (polar night, Ra = 0) or ωs = π (midnight sun), as FAO-56 advises.
//!
//! # Units
//!
//! - latitude: decimal degrees, north positive, south negative, within ±90°
//! - J: day of the year, 1 = 1 January (365 is used as the year length, leap years included)
//! - dr: dimensionless; δ, ωs: radians; N: hours
//! - Ra: MJ m⁻² day⁻¹ (multiply by 0.408 for mm/day of evaporation equivalent, FAO-56 eq. 20)
//!
//! # Sources
//!
//! Allen, Pereira, Raes & Smith (1998), *Crop evapotranspiration*, FAO Irrigation and Drainage
//! Paper 56 (FAO-56), chapter 3, eqs. 21–25 and 34; worked example 8.

use std::f64::consts::PI;

/// Solar constant Gsc, MJ m⁻² min⁻¹ (FAO-56 eq. 21).
pub const SOLAR_CONSTANT: f64 = 0.0820;

/// Inverse relative Earth–Sun distance dr (FAO-56 eq. 23), dimensionless.
pub fn inverse_relative_distance(day_of_year: u32) -> f64 {
    1.0 + 0.033 * (2.0 * PI * f64::from(day_of_year) / 365.0).cos()
}

/// Solar declination δ in radians (FAO-56 eq. 24).
pub fn solar_declination(day_of_year: u32) -> f64 {
    0.409 * (2.0 * PI * f64::from(day_of_year) / 365.0 - 1.39).sin()
}

/// Sunset hour angle ωs in radians (FAO-56 eq. 25), from latitude and declination in radians.
pub fn sunset_hour_angle(latitude_rad: f64, declination_rad: f64) -> f64 {
    (-latitude_rad.tan() * declination_rad.tan())
        .clamp(-1.0, 1.0)
        .acos()
}

/// Daylight hours N (FAO-56 eq. 34) from the sunset hour angle in radians.
pub fn daylight_hours(sunset_hour_angle_rad: f64) -> f64 {
    24.0 / PI * sunset_hour_angle_rad
}

/// Extraterrestrial radiation Ra in MJ m⁻² day⁻¹ (FAO-56 eq. 21) at a latitude in degrees on a day of
/// the year.
pub fn extraterrestrial_radiation(latitude_deg: f64, day_of_year: u32) -> f64 {
    let phi = latitude_deg.to_radians();
    let dr = inverse_relative_distance(day_of_year);
    let delta = solar_declination(day_of_year);
    let ws = sunset_hour_angle(phi, delta);
    let ra = 24.0 * 60.0 / PI
        * SOLAR_CONSTANT
        * dr
        * (ws * phi.sin() * delta.sin() + phi.cos() * delta.cos() * ws.sin());
    ra.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// FAO-56 Example 8: 20° S, 3 September (J = 246).
    #[test]
    fn fao56_example_8() {
        assert_abs_diff_eq!(inverse_relative_distance(246), 0.985, epsilon = 0.0005);
        let delta = solar_declination(246);
        assert_abs_diff_eq!(delta, 0.120, epsilon = 0.0005);
        let ws = sunset_hour_angle((-20.0f64).to_radians(), delta);
        assert_abs_diff_eq!(ws, 1.527, epsilon = 0.0005);
        assert_abs_diff_eq!(extraterrestrial_radiation(-20.0, 246), 32.2, epsilon = 0.05);
    }

    /// DOMAIN.md check: Lhasa 29.65° N, 15 May (J = 135) → 40.01.
    #[test]
    fn lhasa_mid_may() {
        assert_abs_diff_eq!(
            extraterrestrial_radiation(29.65, 135),
            40.01,
            epsilon = 0.005
        );
    }

    /// FAO-56 Example 9: 20° S in September → N = 11.7 h.
    #[test]
    fn fao56_example_9_daylight() {
        let ws = sunset_hour_angle((-20.0f64).to_radians(), solar_declination(246));
        assert_abs_diff_eq!(daylight_hours(ws), 11.7, epsilon = 0.05);
    }

    #[test]
    fn polar_night_and_midnight_sun_stay_finite() {
        // 80° N at the winter solstice: no sun at all.
        assert_abs_diff_eq!(extraterrestrial_radiation(80.0, 355), 0.0, epsilon = 1e-9);
        // 80° N at the summer solstice: sun all day, plenty of radiation.
        let ra = extraterrestrial_radiation(80.0, 172);
        assert!(ra.is_finite() && ra > 40.0, "Ra = {ra}");
    }
}
