//! Effective rain: the part of rainfall that ends up in the root zone.
//!
//! Two rules, for two kinds of input; never mix them:
//! - [`daily_effective_rain`], for *observed or forecast daily* rain P: 0 when P < 5 mm (wets the
//!   leaves and the surface, then evaporates), else 0.8·P (greenward engineering estimate, E).
//! - [`scs_monthly_effective_rain`], for *monthly totals* such as climate normals: the USDA-SCS
//!   formula as used in FAO CROPWAT, Peff = P·(125 − 0.2·P)/125 for P ≤ 250 mm, else 125 + 0.1·P.
//!   [`scs_daily_share`] spreads it evenly over the month's days. A normal year is smooth (every day
//!   has well under 5 mm), so the daily rule would wrongly throw all of its rain away.
//!
//! Both give open-sky values. The asset's rain exposure (boxes under eaves get less) is applied by
//! [`super::water_balance`] from [`super::landscape::BucketParams::rain_exposure`], not here, so it is
//! applied exactly once whichever rule produced the input.
//!
//! # Units
//!
//! - rain P and effective rain: mm (per day or per month, as named)
//!
//! # Sources
//!
//! USDA Soil Conservation Service (1970, 1993), *Irrigation water requirements*, NEH part 623 ch. 2;
//! Smith (1992), *CROPWAT*, FAO Irrigation and Drainage Paper 46; greenward DOMAIN.md section 2 for
//! the daily 5 mm / 0.8 rule (E).

/// Daily rain below this, in mm, is taken as lost to interception and evaporation.
pub const DAILY_THRESHOLD_MM: f64 = 5.0;

/// Share of daily rain at or above the threshold that is taken as effective.
pub const DAILY_EFFECTIVE_SHARE: f64 = 0.8;

/// Effective rain in mm from one day's observed or forecast rain in mm (0 below 5 mm, else 0.8·P).
pub fn daily_effective_rain(rain_mm: f64) -> f64 {
    if rain_mm < DAILY_THRESHOLD_MM {
        0.0
    } else {
        DAILY_EFFECTIVE_SHARE * rain_mm
    }
}

/// USDA-SCS effective rain in mm/month from a monthly rain total in mm.
pub fn scs_monthly_effective_rain(monthly_rain_mm: f64) -> f64 {
    let p = monthly_rain_mm.max(0.0);
    if p <= 250.0 {
        p * (125.0 - 0.2 * p) / 125.0
    } else {
        125.0 + 0.1 * p
    }
}

/// USDA-SCS effective rain of a month spread evenly over its days, mm/day.
pub fn scs_daily_share(monthly_rain_mm: f64, days_in_month: u32) -> f64 {
    scs_monthly_effective_rain(monthly_rain_mm) / f64::from(days_in_month.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn daily_rule() {
        assert_eq!(daily_effective_rain(4.9), 0.0);
        assert_abs_diff_eq!(daily_effective_rain(5.0), 4.0, epsilon = 1e-12);
        // The worked example's shower.
        assert_abs_diff_eq!(daily_effective_rain(8.0), 6.4, epsilon = 1e-12);
    }

    /// Lhasa July normal 126 mm → 100.6 mm effective; May 28.5 mm over 31 days → 0.877 mm/day
    /// (the `normal_peff_mm` column of lhasa_normal_year_daily.csv).
    #[test]
    fn scs_monthly() {
        assert_abs_diff_eq!(scs_monthly_effective_rain(126.0), 100.5984, epsilon = 1e-4);
        assert_abs_diff_eq!(scs_daily_share(28.5, 31), 0.877, epsilon = 0.0005);
        // Continuous at the 250 mm knee: 250·(125 − 50)/125 = 150 = 125 + 25.
        assert_abs_diff_eq!(scs_monthly_effective_rain(250.0), 150.0, epsilon = 1e-9);
        assert_abs_diff_eq!(scs_monthly_effective_rain(300.0), 155.0, epsilon = 1e-9);
    }
}
