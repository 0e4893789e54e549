//! The soil-water bucket: daily root-zone depletion, the watering trigger and the litres to apply.
//!
//! Each day (FAO-56 eq. 85 without runoff, capillary rise or deep percolation terms, which the
//! clamp stands in for):
//!
//! Dr = clamp(Dr − Peff·exposure + ET0·KL, 0, TAW)
//!
//! The asset is watered when Dr ≥ RAW = MAD·TAW; the watering refills the bucket, needing
//! Dr × wetted area litres net and Dr × wetted area / efficiency litres applied.
//!
//! # Watering convention
//!
//! A day's rain and evapotranspiration are booked first; if the depletion at the end of that day has
//! reached RAW, the asset is watered **that same day** (end of day), the watering is recorded with the
//! end-of-day depletion, and the next day starts from Dr = 0. With a full box and mid-May Lhasa ETc of
//! 4.28 mm/day and one 8 mm shower on day 3, the trigger fires on day 8 at 27.8 mm (DOMAIN.md worked
//! example). The stress coefficient Ks of FAO-56 eq. 84 is not applied: ETc is not reduced when
//! Dr > RAW, which errs toward watering early.
//!
//! With [`Irrigation::RainFed`] nothing is watered and every day ending with Dr > RAW counts as a
//! stress day (Ks < 1 in FAO-56 terms); with [`Irrigation::OnTrigger`] there are none by
//! construction.
//!
//! # Units
//!
//! - ET0, ETc, Peff, Dr, TAW, RAW: mm (per day for the fluxes)
//! - wetted area: m²; volumes: litres (1 mm over 1 m² = 1 L). Rain in mm is never added to water in L.
//!
//! # Sources
//!
//! FAO-56 (Allen et al. 1998) chapter 8, eqs. 82–85 (TAW, RAW, root-zone depletion); greenward
//! DOMAIN.md section 2 (the bucket as used here, worked example, normal-year reference).

use chrono::{Datelike, NaiveDate};

use super::hargreaves::{MonthlyCalibration, hargreaves_et0_at};
use super::landscape::BucketParams;
use super::weather::DailyWeather;

/// One day of input to the bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayInput {
    /// The calendar day.
    pub date: NaiveDate,
    /// Reference evapotranspiration ET0, mm/day.
    pub et0_mm: f64,
    /// Open-sky effective rain, mm/day (the asset's rain exposure is applied by the bucket).
    pub peff_mm: f64,
}

/// Whether the season run waters at the trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Irrigation {
    /// Water (refill) at the end of each day whose depletion has reached RAW.
    OnTrigger,
    /// Never water; count stress days instead.
    RainFed,
}

/// One watering of one asset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Watering {
    /// The day watered (at the end of the day).
    pub date: NaiveDate,
    /// Root-zone depletion refilled, mm.
    pub depletion_mm: f64,
    /// Water reaching the root zone, L (depletion × wetted area).
    pub net_litres: f64,
    /// Water to apply, L (net litres / efficiency).
    pub litres: f64,
}

/// The outcome of a season run.
#[derive(Debug, Clone, PartialEq)]
pub struct Season {
    /// Every watering, in date order.
    pub waterings: Vec<Watering>,
    /// Days that ended with depletion above RAW without being watered.
    pub stress_days: u32,
    /// Depletion at the end of the last day, mm.
    pub end_depletion_mm: f64,
}

impl Season {
    /// Total water applied, L.
    pub fn total_litres(&self) -> f64 {
        self.waterings.iter().map(|w| w.litres).sum()
    }

    /// Total water reaching the root zone, L.
    pub fn total_net_litres(&self) -> f64 {
        self.waterings.iter().map(|w| w.net_litres).sum()
    }
}

/// One daily step of the bucket: new depletion Dr in mm, clamped to [0, TAW].
pub fn step(depletion_mm: f64, peff_mm: f64, etc_mm: f64, taw_mm: f64) -> f64 {
    (depletion_mm - peff_mm + etc_mm).clamp(0.0, taw_mm.max(0.0))
}

/// Whether a depletion in mm has reached the asset's trigger RAW = MAD·TAW.
pub fn needs_water(depletion_mm: f64, params: &BucketParams) -> bool {
    depletion_mm >= params.raw_mm()
}

/// Litres to apply to refill a depletion in mm: Dr × wetted area / efficiency.
pub fn litres_to_apply(depletion_mm: f64, params: &BucketParams) -> f64 {
    depletion_mm * params.wetted_area_m2 / params.efficiency
}

/// Runs the bucket over consecutive days from a starting depletion (mm; 0 = full, clamped to TAW).
pub fn run_season(
    params: &BucketParams,
    start_depletion_mm: f64,
    days: &[DayInput],
    irrigation: Irrigation,
) -> Season {
    let mut dr = start_depletion_mm.clamp(0.0, params.taw_mm.max(0.0));
    let mut waterings = Vec::new();
    let mut stress_days = 0;
    for day in days {
        let etc = day.et0_mm * params.kl;
        let peff = day.peff_mm * params.rain_exposure;
        dr = step(dr, peff, etc, params.taw_mm);
        if needs_water(dr, params) {
            match irrigation {
                Irrigation::OnTrigger => {
                    waterings.push(Watering {
                        date: day.date,
                        depletion_mm: dr,
                        net_litres: dr * params.wetted_area_m2,
                        litres: litres_to_apply(dr, params),
                    });
                    dr = 0.0;
                }
                Irrigation::RainFed => {
                    if dr > params.raw_mm() {
                        stress_days += 1;
                    }
                }
            }
        }
    }
    Season {
        waterings,
        stress_days,
        end_depletion_mm: dr,
    }
}

/// Turns daily weather into bucket input with Hargreaves ET0 at a latitude (degrees), applying a
/// monthly calibration; the weather's `peff_mm` is passed through.
pub fn hargreaves_inputs(
    weather: &[DailyWeather],
    latitude_deg: f64,
    calibration: &MonthlyCalibration,
) -> Vec<DayInput> {
    weather
        .iter()
        .map(|w| DayInput {
            date: w.date,
            et0_mm: calibration.apply(
                w.date.month(),
                hargreaves_et0_at(latitude_deg, w.date.ordinal(), w.tmin_c, w.tmax_c),
            ),
            peff_mm: w.peff_mm,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::science::normals::{normal_year, parse_normals};
    use approx::assert_abs_diff_eq;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// DOMAIN.md worked example: box, ETc 4.28 mm/day, one 8 mm shower on day 3 → day 8, 27.8 mm,
    /// 10.4 L.
    #[test]
    fn worked_example_box_mid_may() {
        let params = BucketParams::flower_box();
        let et0 = 4.28 / params.kl;
        let days: Vec<DayInput> = (0..12)
            .map(|i| DayInput {
                date: date(2027, 5, 10) + chrono::Days::new(i),
                et0_mm: et0,
                peff_mm: crate::science::effective_rain::daily_effective_rain(if i == 2 {
                    8.0
                } else {
                    0.0
                }),
            })
            .collect();
        let season = run_season(&params, 0.0, &days, Irrigation::OnTrigger);
        let first = season.waterings[0];
        assert_eq!(first.date, date(2027, 5, 17), "day 8 counted from 10 May");
        assert_abs_diff_eq!(first.depletion_mm, 27.8, epsilon = 0.05);
        assert_abs_diff_eq!(first.litres, 10.4, epsilon = 0.05);
        assert_abs_diff_eq!(first.net_litres, 8.35, epsilon = 0.01);
        // Refilled at the end of day 8: days 9–12 deplete 4 × 4.28 mm, below RAW.
        assert_eq!(season.waterings.len(), 1);
        assert_abs_diff_eq!(season.end_depletion_mm, 4.0 * 4.28, epsilon = 1e-9);
    }

    /// DOMAIN.md normal-year reference: box full on 1 May 2027, Hargreaves at Lhasa, SCS rain →
    /// 13 waterings to 31 October, 102 L net, 127.5 L applied, by month 4 2 2 1 1 3.
    #[test]
    fn normal_year_box_reference() {
        let normals = parse_normals(include_str!(
            "../../geodata/barkhor/lhasa_55591_normals.csv"
        ))
        .unwrap();
        let year = normal_year(&normals, 2027);
        let season_days: Vec<DailyWeather> = year
            .into_iter()
            .filter(|d| d.date >= date(2027, 5, 1) && d.date <= date(2027, 10, 31))
            .collect();
        assert_eq!(season_days.len(), 184);
        // DOMAIN.md gives the station at 29.67° N; Barkhor is at 29.65° N. Both reproduce it.
        for latitude in [29.65, 29.67] {
            let inputs = hargreaves_inputs(&season_days, latitude, &MonthlyCalibration::NONE);
            let season = run_season(
                &BucketParams::flower_box(),
                0.0,
                &inputs,
                Irrigation::OnTrigger,
            );
            assert_eq!(season.waterings.len(), 13, "at {latitude}");
            assert_abs_diff_eq!(season.total_net_litres(), 102.0, epsilon = 0.1);
            assert_abs_diff_eq!(season.total_litres(), 127.5, epsilon = 0.1);
            let by_month: Vec<usize> = (5..=10)
                .map(|m| {
                    season
                        .waterings
                        .iter()
                        .filter(|w| w.date.month() == m)
                        .count()
                })
                .collect();
            assert_eq!(by_month, [4, 2, 2, 1, 1, 3], "at {latitude}");
            assert_eq!(season.stress_days, 0);
        }
    }

    #[test]
    fn rain_exposure_and_clamps() {
        let mut params = BucketParams::flower_box();
        // Under eaves: a 20 mm effective rain counts for nothing.
        params.rain_exposure = 0.0;
        assert_abs_diff_eq!(step(10.0, 0.0, 3.0, params.taw_mm), 13.0);
        let d = date(2027, 7, 1);
        let days = [DayInput {
            date: d,
            et0_mm: 0.0,
            peff_mm: 20.0,
        }];
        let s = run_season(&params, 10.0, &days, Irrigation::OnTrigger);
        assert_abs_diff_eq!(s.end_depletion_mm, 10.0);
        // Never below 0 (full) nor above TAW (wilting point).
        assert_eq!(step(2.0, 20.0, 1.0, 62.5), 0.0);
        assert_eq!(step(60.0, 0.0, 10.0, 62.5), 62.5);
    }

    #[test]
    fn rain_fed_counts_stress_days() {
        let params = BucketParams::flower_box();
        let days: Vec<DayInput> = (0..10)
            .map(|i| DayInput {
                date: date(2027, 5, 1) + chrono::Days::new(i),
                et0_mm: 5.0 / params.kl,
                peff_mm: 0.0,
            })
            .collect();
        // 5 mm/day: 25 mm (= RAW, not above) on day 5, above RAW on days 6–10.
        let s = run_season(&params, 0.0, &days, Irrigation::RainFed);
        assert!(s.waterings.is_empty());
        assert_eq!(s.stress_days, 5);
        assert_abs_diff_eq!(s.end_depletion_mm, 50.0, epsilon = 1e-9);
    }
}
