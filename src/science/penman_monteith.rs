//! FAO-56 Penman–Monteith reference evapotranspiration for daily periods.
//!
//! ET0 = [0.408·Δ·(Rn − G) + γ·900/(T + 273)·u2·(es − ea)] / [Δ + γ·(1 + 0.34·u2)] (FAO-56 eq. 6)
//!
//! built from, in FAO-56 numbering:
//! - P = 101.3·((293 − 0.0065·z)/293)^5.26, pressure from altitude (eq. 7)
//! - γ = 0.665·10⁻³·P, psychrometric constant (eq. 8)
//! - e°(T) = 0.6108·exp(17.27·T/(T + 237.3)) (eq. 11); es = [e°(Tmax) + e°(Tmin)]/2 (eq. 12)
//! - Δ = 4098·e°(T)/(T + 237.3)² at the mean temperature (eq. 13)
//! - ea = [e°(Tmin)·RHmax/100 + e°(Tmax)·RHmin/100]/2 (eq. 17)
//! - Rs = (as + bs·n/N)·Ra with as = 0.25, bs = 0.50 (Angström, eq. 35), N from ωs (eq. 34)
//! - Rso = (0.75 + 2·10⁻⁵·z)·Ra (eq. 37); Rns = (1 − 0.23)·Rs (eq. 38)
//! - Rnl = σ·[(Tmax,K⁴ + Tmin,K⁴)/2]·(0.34 − 0.14·√ea)·(1.35·Rs/Rso − 0.35) (eq. 39), Rs/Rso ≤ 1
//! - Rn = Rns − Rnl (eq. 40); soil heat flux G = 0 for daily steps (eq. 42)
//!
//! Where wind is measured at another height, convert it with [`wind_speed_at_2m`] (eq. 47) first.
//!
//! # Units
//!
//! - latitude: decimal degrees, north positive; altitude z: metres above sea level
//! - temperatures: °C; relative humidity: % (0–100); wind speed u2: m/s at 2 m
//! - sunshine n and daylight N: hours; radiation Ra, Rs, Rso, Rn: MJ m⁻² day⁻¹
//! - pressure P, vapour pressures es and ea: kPa; γ and Δ: kPa °C⁻¹
//! - result: mm/day
//!
//! # Sources
//!
//! FAO-56 (Allen et al. 1998) chapter 2 eq. 6, chapter 3 eqs. 7, 8, 11–13, 17, 34, 35, 37–40, 42, 47;
//! worked example 18 (Brussels, 6 July).

use super::radiation::{
    daylight_hours, extraterrestrial_radiation, solar_declination, sunset_hour_angle,
};

/// Stefan–Boltzmann constant, MJ K⁻⁴ m⁻² day⁻¹ (FAO-56 eq. 39).
pub const STEFAN_BOLTZMANN: f64 = 4.903e-9;

/// Angström coefficients as, bs recommended when no local calibration exists (FAO-56 eq. 35).
pub const ANGSTROM_AS: f64 = 0.25;
/// See [`ANGSTROM_AS`].
pub const ANGSTROM_BS: f64 = 0.50;

/// Albedo of the hypothetical grass reference crop (FAO-56 eq. 38).
pub const REFERENCE_ALBEDO: f64 = 0.23;

/// One day of weather for Penman–Monteith.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PenmanMonteithInput {
    /// Latitude, decimal degrees, north positive.
    pub latitude_deg: f64,
    /// Station altitude, m above sea level.
    pub altitude_m: f64,
    /// Day of the year, 1 = 1 January.
    pub day_of_year: u32,
    /// Daily minimum air temperature, °C.
    pub tmin_c: f64,
    /// Daily maximum air temperature, °C.
    pub tmax_c: f64,
    /// Daily minimum relative humidity, %.
    pub rh_min_pct: f64,
    /// Daily maximum relative humidity, %.
    pub rh_max_pct: f64,
    /// Mean wind speed at 2 m, m/s.
    pub wind_2m_ms: f64,
    /// Bright sunshine duration n, hours.
    pub sunshine_h: f64,
}

/// Atmospheric pressure P in kPa at an altitude in metres (FAO-56 eq. 7).
pub fn atmospheric_pressure(altitude_m: f64) -> f64 {
    101.3 * ((293.0 - 0.0065 * altitude_m) / 293.0).powf(5.26)
}

/// Psychrometric constant γ in kPa °C⁻¹ from pressure in kPa (FAO-56 eq. 8).
pub fn psychrometric_constant(pressure_kpa: f64) -> f64 {
    0.665e-3 * pressure_kpa
}

/// Saturation vapour pressure e°(T) in kPa at a temperature in °C (FAO-56 eq. 11).
pub fn saturation_vapour_pressure(t_c: f64) -> f64 {
    0.6108 * (17.27 * t_c / (t_c + 237.3)).exp()
}

/// Mean saturation vapour pressure es in kPa from Tmin and Tmax in °C (FAO-56 eq. 12).
pub fn mean_saturation_vapour_pressure(tmin_c: f64, tmax_c: f64) -> f64 {
    (saturation_vapour_pressure(tmax_c) + saturation_vapour_pressure(tmin_c)) / 2.0
}

/// Slope Δ of the saturation vapour pressure curve in kPa °C⁻¹ at a temperature in °C (FAO-56 eq. 13).
pub fn vapour_pressure_slope(t_c: f64) -> f64 {
    4098.0 * saturation_vapour_pressure(t_c) / (t_c + 237.3).powi(2)
}

/// Actual vapour pressure ea in kPa from Tmin, Tmax (°C) and RHmin, RHmax (%) (FAO-56 eq. 17).
pub fn actual_vapour_pressure(tmin_c: f64, tmax_c: f64, rh_min_pct: f64, rh_max_pct: f64) -> f64 {
    (saturation_vapour_pressure(tmin_c) * rh_max_pct / 100.0
        + saturation_vapour_pressure(tmax_c) * rh_min_pct / 100.0)
        / 2.0
}

/// Solar radiation Rs in MJ m⁻² day⁻¹ from sunshine n and daylight N hours and Ra (Angström, FAO-56
/// eq. 35, as = 0.25, bs = 0.50).
pub fn solar_radiation_from_sunshine(sunshine_h: f64, daylight_h: f64, ra_mj: f64) -> f64 {
    let fraction = if daylight_h > 0.0 {
        (sunshine_h / daylight_h).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (ANGSTROM_AS + ANGSTROM_BS * fraction) * ra_mj
}

/// Clear-sky solar radiation Rso in MJ m⁻² day⁻¹ from altitude (m) and Ra (FAO-56 eq. 37).
pub fn clear_sky_radiation(altitude_m: f64, ra_mj: f64) -> f64 {
    (0.75 + 2e-5 * altitude_m) * ra_mj
}

/// Net shortwave radiation Rns in MJ m⁻² day⁻¹ for the grass reference (FAO-56 eq. 38).
pub fn net_shortwave_radiation(rs_mj: f64) -> f64 {
    (1.0 - REFERENCE_ALBEDO) * rs_mj
}

/// Net outgoing longwave radiation Rnl in MJ m⁻² day⁻¹ (FAO-56 eq. 39); Rs/Rso is capped at 1.
pub fn net_longwave_radiation(
    tmin_c: f64,
    tmax_c: f64,
    ea_kpa: f64,
    rs_mj: f64,
    rso_mj: f64,
) -> f64 {
    let tmax_k4 = (tmax_c + 273.16).powi(4);
    let tmin_k4 = (tmin_c + 273.16).powi(4);
    let relative_shortwave = if rso_mj > 0.0 {
        (rs_mj / rso_mj).min(1.0)
    } else {
        // No sun at all (polar night): FAO-56 suggests the cloudiness of the last sunny hours;
        // a fully clouded sky is the cautious stand-in.
        0.3
    };
    STEFAN_BOLTZMANN * (tmax_k4 + tmin_k4) / 2.0
        * (0.34 - 0.14 * ea_kpa.max(0.0).sqrt())
        * (1.35 * relative_shortwave - 0.35)
}

/// Wind speed at 2 m in m/s from a speed measured at `height_m` metres (FAO-56 eq. 47).
pub fn wind_speed_at_2m(speed_ms: f64, height_m: f64) -> f64 {
    speed_ms * 4.87 / (67.8 * height_m - 5.42).ln()
}

/// FAO-56 Penman–Monteith reference evapotranspiration ET0 in mm/day (eq. 6, G = 0).
pub fn penman_monteith_et0(input: &PenmanMonteithInput) -> f64 {
    let PenmanMonteithInput {
        latitude_deg,
        altitude_m,
        day_of_year,
        tmin_c,
        tmax_c,
        rh_min_pct,
        rh_max_pct,
        wind_2m_ms,
        sunshine_h,
    } = *input;
    let tmean = (tmax_c + tmin_c) / 2.0;
    let gamma = psychrometric_constant(atmospheric_pressure(altitude_m));
    let delta = vapour_pressure_slope(tmean);
    let es = mean_saturation_vapour_pressure(tmin_c, tmax_c);
    let ea = actual_vapour_pressure(tmin_c, tmax_c, rh_min_pct, rh_max_pct);

    let ra = extraterrestrial_radiation(latitude_deg, day_of_year);
    let ws = sunset_hour_angle(latitude_deg.to_radians(), solar_declination(day_of_year));
    let rs = solar_radiation_from_sunshine(sunshine_h, daylight_hours(ws), ra);
    let rso = clear_sky_radiation(altitude_m, ra);
    let rn = net_shortwave_radiation(rs) - net_longwave_radiation(tmin_c, tmax_c, ea, rs, rso);
    let g = 0.0;

    let numerator = 0.408 * delta * (rn - g)
        + gamma * 900.0 / (tmean + 273.0) * wind_2m_ms * (es - ea).max(0.0);
    let denominator = delta + gamma * (1.0 + 0.34 * wind_2m_ms);
    (numerator / denominator).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// FAO-56 Example 18: Brussels 50°48′ N, 100 m, 6 July (J = 187).
    fn brussels() -> PenmanMonteithInput {
        PenmanMonteithInput {
            latitude_deg: 50.0 + 48.0 / 60.0,
            altitude_m: 100.0,
            day_of_year: 187,
            tmin_c: 12.3,
            tmax_c: 21.5,
            rh_min_pct: 63.0,
            rh_max_pct: 84.0,
            wind_2m_ms: 2.078,
            sunshine_h: 9.25,
        }
    }

    #[test]
    fn fao56_example_18_intermediates() {
        let i = brussels();
        assert_abs_diff_eq!(atmospheric_pressure(100.0), 100.1, epsilon = 0.05);
        assert_abs_diff_eq!(
            psychrometric_constant(atmospheric_pressure(100.0)),
            0.0666,
            epsilon = 0.00005
        );
        assert_abs_diff_eq!(vapour_pressure_slope(16.9), 0.122, epsilon = 0.0005);
        assert_abs_diff_eq!(
            mean_saturation_vapour_pressure(i.tmin_c, i.tmax_c),
            1.997,
            epsilon = 0.001
        );
        let ea = actual_vapour_pressure(i.tmin_c, i.tmax_c, i.rh_min_pct, i.rh_max_pct);
        assert_abs_diff_eq!(ea, 1.409, epsilon = 0.001);
        let ra = extraterrestrial_radiation(i.latitude_deg, i.day_of_year);
        assert_abs_diff_eq!(ra, 41.09, epsilon = 0.01);
        let n = daylight_hours(sunset_hour_angle(
            i.latitude_deg.to_radians(),
            solar_declination(i.day_of_year),
        ));
        assert_abs_diff_eq!(n, 16.1, epsilon = 0.05);
        let rs = solar_radiation_from_sunshine(i.sunshine_h, n, ra);
        assert_abs_diff_eq!(rs, 22.07, epsilon = 0.02);
        let rso = clear_sky_radiation(i.altitude_m, ra);
        assert_abs_diff_eq!(rso, 30.90, epsilon = 0.01);
        assert_abs_diff_eq!(net_shortwave_radiation(rs), 17.00, epsilon = 0.02);
        assert_abs_diff_eq!(
            net_longwave_radiation(i.tmin_c, i.tmax_c, ea, rs, rso),
            3.71,
            epsilon = 0.01
        );
    }

    #[test]
    fn fao56_example_18_et0() {
        assert_abs_diff_eq!(penman_monteith_et0(&brussels()), 3.88, epsilon = 0.02);
    }

    /// FAO-56 Example 14: 10 km/h at 10 m → 2.078 m/s at 2 m.
    #[test]
    fn wind_height_conversion() {
        assert_abs_diff_eq!(wind_speed_at_2m(10.0 / 3.6, 10.0), 2.078, epsilon = 0.001);
    }

    /// Altitude matters: at Barkhor's 3,650 m the air pressure is about 64 % of sea level, so γ, and
    /// with it the aerodynamic term, is a third smaller than in Brussels (computed from eq. 7).
    #[test]
    fn pressure_at_lhasa() {
        assert_abs_diff_eq!(atmospheric_pressure(3650.0), 64.97, epsilon = 0.01);
    }
}
