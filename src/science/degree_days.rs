//! Degree-days: daily heat units above a lower threshold, and their accumulation from a biofix.
//!
//! With TL the lower and TU the upper threshold, M = (Tmax + Tmin)/2 and A = (Tmax − Tmin)/2:
//!
//! - Simple average: max(0, M − TL). With an upper threshold (horizontal cutoff) temperatures above
//!   TU are taken as TU before averaging. Badly biased when the daily range straddles TL, as in
//!   Lhasa's 11–16 °C days.
//! - Single sine with horizontal cutoff (Baskerville & Emin 1969): the day's temperature is a sine
//!   between Tmin and Tmax; the area between it and TL, capped at TU, is
//!   - 0 if Tmax ≤ TL; TU − TL if Tmin ≥ TU; M − TL if TL ≤ Tmin and Tmax ≤ TU;
//!   - θ1 = asin((TL − M)/A) (θ1 = −π/2 when Tmin ≥ TL), and if Tmax ≤ TU:
//!     DD = [(M − TL)(π/2 − θ1) + A·cos θ1]/π;
//!   - else θ2 = asin((TU − M)/A):
//!     DD = [(M − TL)(θ2 − θ1) + A(cos θ1 − cos θ2) + (TU − TL)(π/2 − θ2)]/π.
//!
//! Accumulation starts on the biofix day (1 January unless a model says otherwise) and includes it.
//! A day with Tmin > Tmax (bad data) is read with the two swapped.
//!
//! # Units
//!
//! - temperatures and thresholds: °C; result: °C-days (°F-days × 5/9; base 50 °F = 10 °C)
//!
//! # Sources
//!
//! University of California IPM, *Degree-days: methods* (ipm.ucanr.edu/WEATHER/ddconcepts.html);
//! Baskerville & Emin (1969), *Ecology* 50(3):514–517; greenward DOMAIN.md section 3 (checks).

use std::f64::consts::{FRAC_PI_2, PI};

use chrono::NaiveDate;

use super::weather::DailyWeather;

/// How one day's degree-days are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DegreeDayMethod {
    /// Mean of Tmax and Tmin minus the lower threshold.
    SimpleAverage,
    /// Single sine with horizontal cutoff (Baskerville & Emin 1969).
    SingleSine,
}

/// A degree-day model: method and thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DegreeDayModel {
    /// Daily method.
    pub method: DegreeDayMethod,
    /// Lower developmental threshold TL, °C.
    pub lower_c: f64,
    /// Upper threshold TU with horizontal cutoff, °C; `None` for no cutoff.
    pub upper_c: Option<f64>,
}

/// Simple-average degree-days for one day, °C-days.
pub fn simple_average(tmin_c: f64, tmax_c: f64, lower_c: f64, upper_c: Option<f64>) -> f64 {
    let cap = upper_c.unwrap_or(f64::INFINITY);
    let mean = (tmax_c.min(cap) + tmin_c.min(cap)) / 2.0;
    (mean - lower_c).max(0.0)
}

/// Single-sine degree-days with horizontal cutoff for one day, °C-days.
pub fn single_sine(tmin_c: f64, tmax_c: f64, lower_c: f64, upper_c: Option<f64>) -> f64 {
    let (tmin, tmax) = if tmin_c <= tmax_c {
        (tmin_c, tmax_c)
    } else {
        (tmax_c, tmin_c)
    };
    let (tl, tu) = (lower_c, upper_c.unwrap_or(f64::INFINITY));
    if tmax <= tl {
        return 0.0;
    }
    if tmin >= tu {
        return tu - tl;
    }
    let m = (tmax + tmin) / 2.0;
    if tmin >= tl && tmax <= tu {
        return m - tl;
    }
    // From here Tmin < Tmax, so A > 0.
    let a = (tmax - tmin) / 2.0;
    let theta1 = if tmin >= tl {
        -FRAC_PI_2
    } else {
        ((tl - m) / a).asin()
    };
    if tmax <= tu {
        ((m - tl) * (FRAC_PI_2 - theta1) + a * theta1.cos()) / PI
    } else {
        let theta2 = ((tu - m) / a).asin();
        ((m - tl) * (theta2 - theta1)
            + a * (theta1.cos() - theta2.cos())
            + (tu - tl) * (FRAC_PI_2 - theta2))
            / PI
    }
}

impl DegreeDayModel {
    /// Degree-days of one day, °C-days.
    pub fn daily(&self, tmin_c: f64, tmax_c: f64) -> f64 {
        match self.method {
            DegreeDayMethod::SimpleAverage => {
                simple_average(tmin_c, tmax_c, self.lower_c, self.upper_c)
            }
            DegreeDayMethod::SingleSine => single_sine(tmin_c, tmax_c, self.lower_c, self.upper_c),
        }
    }

    /// Running total from the biofix day (inclusive): one `(date, cumulative °C-days)` per day of
    /// `days` on or after the biofix, in the order given.
    pub fn accumulate(&self, days: &[DailyWeather], biofix: NaiveDate) -> Vec<(NaiveDate, f64)> {
        let mut total = 0.0;
        days.iter()
            .filter(|d| d.date >= biofix)
            .map(|d| {
                total += self.daily(d.tmin_c, d.tmax_c);
                (d.date, total)
            })
            .collect()
    }

    /// The first day on which the total since the biofix reaches `threshold` °C-days, if it does.
    pub fn date_reaching(
        &self,
        days: &[DailyWeather],
        biofix: NaiveDate,
        threshold: f64,
    ) -> Option<NaiveDate> {
        self.accumulate(days, biofix)
            .into_iter()
            .find(|&(_, total)| total >= threshold)
            .map(|(date, _)| date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::science::normals::{normal_year, parse_normals};
    use approx::assert_abs_diff_eq;

    /// DOMAIN.md checks, TL 10, TU 30.
    #[test]
    fn domain_checks() {
        let tu = Some(30.0);
        assert_abs_diff_eq!(simple_average(3.0, 17.1, 10.0, tu), 0.05, epsilon = 1e-9);
        assert_abs_diff_eq!(single_sine(3.0, 17.1, 10.0, tu), 2.27, epsilon = 0.005);
        assert_abs_diff_eq!(simple_average(7.1, 21.0, 10.0, tu), 4.05, epsilon = 1e-9);
        assert_abs_diff_eq!(single_sine(7.1, 21.0, 10.0, tu), 4.62, epsilon = 0.005);
    }

    #[test]
    fn all_sine_cases() {
        let tu = Some(30.0);
        // Wholly below TL, wholly above TU, wholly between.
        assert_eq!(single_sine(-5.0, 10.0, 10.0, tu), 0.0);
        assert_abs_diff_eq!(single_sine(31.0, 40.0, 10.0, tu), 20.0);
        assert_abs_diff_eq!(single_sine(12.0, 28.0, 10.0, tu), 10.0);
        // Tmin ≥ TL, Tmax > TU: θ1 = −π/2; symmetric about TU = M gives (M − TL) − A/π.
        let dd = single_sine(20.0, 40.0, 10.0, tu);
        assert_abs_diff_eq!(dd, 20.0 - 10.0 / PI, epsilon = 1e-9);
        // Straddles both, symmetric about M = 20 between TL 10 and TU 30: θ1 = −π/6, θ2 = π/6, the
        // cosines cancel and DD = [10·π/3 + 20·π/3]/π = 10.
        let dd = single_sine(0.0, 40.0, 10.0, tu);
        assert_abs_diff_eq!(dd, 10.0, epsilon = 1e-9);
        // Without a cutoff the area above TL keeps growing.
        assert!(single_sine(0.0, 40.0, 10.0, None) > dd);
        // Constant temperature: no division by zero.
        assert_abs_diff_eq!(single_sine(15.0, 15.0, 10.0, tu), 5.0);
        // Swapped inputs are read the right way round.
        assert_abs_diff_eq!(
            single_sine(17.1, 3.0, 10.0, tu),
            single_sine(3.0, 17.1, 10.0, tu)
        );
        // Simple average with horizontal cutoff.
        assert_abs_diff_eq!(simple_average(20.0, 40.0, 10.0, tu), 15.0);
        assert_abs_diff_eq!(simple_average(20.0, 40.0, 10.0, None), 20.0);
    }

    /// DOMAIN.md: normal Lhasa year, base 10 °C single sine from 1 January: 111 DD ≈ 3 May,
    /// 222 ≈ 27 May, 389 ≈ 19 June, 500 ≈ 3 July (±3 days); ≈ 1,180 DD a year.
    #[test]
    fn normal_lhasa_year_base_10() {
        let normals = parse_normals(include_str!(
            "../../geodata/barkhor/lhasa_55591_normals.csv"
        ))
        .unwrap();
        let year = normal_year(&normals, 2027);
        let model = DegreeDayModel {
            method: DegreeDayMethod::SingleSine,
            lower_c: 10.0,
            upper_c: None,
        };
        let jan1 = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        for (threshold, (m, d)) in [
            (111.0, (5, 3)),
            (222.0, (5, 27)),
            (389.0, (6, 19)),
            (500.0, (7, 3)),
        ] {
            let expected = NaiveDate::from_ymd_opt(2027, m, d).unwrap();
            let got = model.date_reaching(&year, jan1, threshold).unwrap();
            let off = (got - expected).num_days().abs();
            assert!(off <= 3, "{threshold} DD on {got}, expected ≈ {expected}");
        }
        let total = model.accumulate(&year, jan1).last().unwrap().1;
        assert_abs_diff_eq!(total, 1180.0, epsilon = 15.0);
        assert_eq!(model.date_reaching(&year, jan1, 5000.0), None);
    }
}
