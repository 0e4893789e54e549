//! Replanting conditions for flower boxes: when the spring, summer and autumn sets go in, when the
//! festival refreshes are due, and how many seedlings a box takes.
//!
//! The rules (greenward DOMAIN.md section 4, engineering estimates E, every figure in
//! [`ReplantingRules`] so the office can change it):
//!
//! - **Spring set** (pansy, snapdragon, dianthus): not before 10 April, then the first day on which
//!   5 days running (that day and the 4 before it) have had a mean temperature (Tmax + Tmin)/2 of
//!   at least 5 °C.
//! - **Summer set** (petunia, marigold, geranium, salvia, cosmos): not before 10 May, then the first
//!   day whose next 10 days (that day and the 9 after it) all have Tmin ≥ 2 °C. Days beyond the
//!   end of the series cannot vouch for themselves, so a day needs 10 known days ahead.
//! - **Autumn set** (chrysanthemum, autumn pansy, ornamental kale): 1 September, or earlier if a
//!   frost (Tmin ≤ 0 °C) is forecast within 10 days (that day and the 9 after it). Only days from
//!   15 August on can bring the set forward, so spring frosts never count; only observed and
//!   forecast days raise the alarm, never a climate normal (a normal is not a forecast).
//! - **Festival refresh**: a fixed number of days (7) before each festival date the caller gives
//!   (the first day of Shoton, 1 October): ≈ 15–20 August and ≈ 20–25 September in Lhasa.
//!
//! The daily series is contiguous, one [`PlanDay`] per date in order; a gap in the dates breaks a
//! spring run and a summer look-ahead, as a missing day would in the field book.
//!
//! # Units
//!
//! - temperatures: °C; box dimensions: m; planting density: plants per 100 cm² of soil surface
//!
//! # Sources
//!
//! greenward DOMAIN.md section 4 (three seasons of flowers for Lhasa, E from lowland practice P and
//! Lhasa practice S); the office's 2025 work report (354 box groups, 120,000 seedlings a year).

use chrono::{Datelike, Days, NaiveDate};

use super::weather::DailyWeather;

/// Where a day's figures come from. Only observed and forecast days can raise a frost alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayBasis {
    /// Measured weather.
    Observed,
    /// A weather forecast.
    Forecast,
    /// The site's climate normal for the date (no information about this year's weather).
    Normal,
}

/// One day of the series the rules read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanDay {
    /// The day's weather.
    pub weather: DailyWeather,
    /// Where it comes from.
    pub basis: DayBasis,
}

/// The thresholds and dates of the replanting rules; [`Default`] gives DOMAIN.md's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplantingRules {
    /// Spring set not before this (month, day).
    pub spring_not_before: (u32, u32),
    /// Days running the mean temperature must hold.
    pub spring_run_days: usize,
    /// Mean temperature (Tmax + Tmin)/2 the run needs, °C.
    pub spring_mean_c: f64,
    /// Summer set not before this (month, day).
    pub summer_not_before: (u32, u32),
    /// Days ahead (the day included) whose Tmin must stay at or above `summer_min_c`.
    pub summer_lookahead_days: usize,
    /// Lowest Tmin the summer look-ahead allows, °C.
    pub summer_min_c: f64,
    /// The autumn set's regular date (month, day).
    pub autumn_on: (u32, u32),
    /// From this day (month, day) a frost forecast can bring the autumn set forward.
    pub autumn_frost_from: (u32, u32),
    /// A day with Tmin at or below this is a frost, °C.
    pub frost_tmin_c: f64,
    /// Days ahead (the day included) a frost forecast is looked for.
    pub autumn_lookahead_days: usize,
    /// Days before a festival its refresh is planted.
    pub festival_lead_days: u32,
}

impl Default for ReplantingRules {
    fn default() -> Self {
        ReplantingRules {
            spring_not_before: (4, 10),
            spring_run_days: 5,
            spring_mean_c: 5.0,
            summer_not_before: (5, 10),
            summer_lookahead_days: 10,
            summer_min_c: 2.0,
            autumn_on: (9, 1),
            autumn_frost_from: (8, 15),
            frost_tmin_c: 0.0,
            autumn_lookahead_days: 10,
            festival_lead_days: 7,
        }
    }
}

/// The trigger dates of one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplantingDates {
    /// Spring set; `None` when the series never meets the condition in that year.
    pub spring: Option<NaiveDate>,
    /// Summer set; `None` when the series never meets the condition in that year.
    pub summer: Option<NaiveDate>,
    /// Autumn set: the regular date or the day a frost forecast brought it forward to.
    pub autumn: NaiveDate,
    /// Whether a frost forecast brought the autumn set forward.
    pub autumn_for_frost: bool,
    /// `(festival, refresh date)` for each festival date given, in the order given.
    pub festival_refreshes: Vec<(NaiveDate, NaiveDate)>,
}

fn on(year: i32, (month, day): (u32, u32)) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

fn mean_c(d: &PlanDay) -> f64 {
    (d.weather.tmax_c + d.weather.tmin_c) / 2.0
}

/// Whether `days[i..i + n]` exist and are consecutive calendar days.
fn contiguous(days: &[PlanDay], i: usize, n: usize) -> bool {
    days.get(i..i + n).is_some_and(|w| {
        w.windows(2)
            .all(|p| p[0].weather.date.succ_opt() == Some(p[1].weather.date))
    })
}

/// Spring set: the first day on or after `not_before` ending a run of `run_days` consecutive days
/// with mean ≥ `spring_mean_c`.
pub fn spring_set(rules: &ReplantingRules, days: &[PlanDay], year: i32) -> Option<NaiveDate> {
    let not_before = on(year, rules.spring_not_before)?;
    let run = rules.spring_run_days.max(1);
    let mut streak = 0usize;
    let mut previous: Option<NaiveDate> = None;
    for d in days {
        let date = d.weather.date;
        if previous.and_then(|p| p.succ_opt()) != Some(date) {
            streak = 0;
        }
        previous = Some(date);
        streak = if mean_c(d) >= rules.spring_mean_c {
            streak + 1
        } else {
            0
        };
        if date.year() == year && date >= not_before && streak >= run {
            return Some(date);
        }
    }
    None
}

/// Summer set: the first day on or after `not_before` whose next `summer_lookahead_days` days (the
/// day included, all present in the series) keep Tmin ≥ `summer_min_c`.
pub fn summer_set(rules: &ReplantingRules, days: &[PlanDay], year: i32) -> Option<NaiveDate> {
    let not_before = on(year, rules.summer_not_before)?;
    let n = rules.summer_lookahead_days.max(1);
    (0..days.len())
        .filter(|&i| {
            let date = days[i].weather.date;
            date.year() == year && date >= not_before
        })
        .find(|&i| {
            contiguous(days, i, n)
                && days[i..i + n]
                    .iter()
                    .all(|d| d.weather.tmin_c >= rules.summer_min_c)
        })
        .map(|i| days[i].weather.date)
}

/// Autumn set: the regular date, or the first day from `autumn_frost_from` on whose look-ahead
/// (the day included) holds an observed or forecast frost. The flag says which.
pub fn autumn_set(
    rules: &ReplantingRules,
    days: &[PlanDay],
    year: i32,
) -> Option<(NaiveDate, bool)> {
    let regular = on(year, rules.autumn_on)?;
    let from = on(year, rules.autumn_frost_from)?;
    let n = rules.autumn_lookahead_days.max(1);
    let frost = |d: &PlanDay| d.basis != DayBasis::Normal && d.weather.tmin_c <= rules.frost_tmin_c;
    let early = days.iter().enumerate().find_map(|(i, d)| {
        let date = d.weather.date;
        if date < from || date >= regular {
            return None;
        }
        let last = date.checked_add_days(Days::new(n as u64 - 1))?;
        days[i..]
            .iter()
            .take_while(|e| e.weather.date <= last)
            .any(frost)
            .then_some(date)
    });
    Some(match early {
        Some(date) => (date, true),
        None => (regular, false),
    })
}

/// The refresh date of each festival: `festival_lead_days` before it.
pub fn festival_refreshes(
    rules: &ReplantingRules,
    festivals: &[NaiveDate],
) -> Vec<(NaiveDate, NaiveDate)> {
    festivals
        .iter()
        .filter_map(|&f| {
            f.checked_sub_days(Days::new(u64::from(rules.festival_lead_days)))
                .map(|r| (f, r))
        })
        .collect()
}

/// All trigger dates of `year` from a daily series and the caller's festival dates.
///
/// Returns `None` only for a year whose rule dates chrono cannot represent.
pub fn replanting_dates(
    rules: &ReplantingRules,
    days: &[PlanDay],
    year: i32,
    festivals: &[NaiveDate],
) -> Option<ReplantingDates> {
    let (autumn, autumn_for_frost) = autumn_set(rules, days, year)?;
    Some(ReplantingDates {
        spring: spring_set(rules, days, year),
        summer: summer_set(rules, days, year),
        autumn,
        autumn_for_frost,
        festival_refreshes: festival_refreshes(rules, festivals),
    })
}

/// Seedlings one box takes: its soil surface in cm² / 100 × `per_100_cm2`, rounded up.
///
/// The default density is one plant per 100 cm² (a 1.00 × 0.30 m box takes 30). Negative or
/// non-finite inputs give 0.
pub fn seedlings_needed(box_length_m: f64, box_width_m: f64, per_100_cm2: f64) -> u32 {
    let surface_cm2 = box_length_m * box_width_m * 10_000.0;
    let plants = surface_cm2 / 100.0 * per_100_cm2;
    if !plants.is_finite() || plants <= 0.0 || box_length_m <= 0.0 || box_width_m <= 0.0 {
        return 0;
    }
    // Tolerate float noise (0.3 × 10 000 = 2999.9999…) before rounding up.
    (plants - 1e-9).ceil().min(f64::from(u32::MAX)) as u32
}

/// The default planting density: one plant per 100 cm² of box surface.
pub const DEFAULT_PLANTS_PER_100_CM2: f64 = 1.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::science::normals::{normal_year, parse_normals};

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn day(date: NaiveDate, tmin: f64, tmax: f64, basis: DayBasis) -> PlanDay {
        PlanDay {
            weather: DailyWeather {
                date,
                tmin_c: tmin,
                tmax_c: tmax,
                rain_mm: 0.0,
                peff_mm: 0.0,
            },
            basis,
        }
    }

    /// A year of constant weather with `edit` applied to chosen days.
    fn year_with(edit: impl Fn(NaiveDate) -> Option<(f64, f64, DayBasis)>) -> Vec<PlanDay> {
        date(1, 1)
            .iter_days()
            .take_while(|d| d.year() == 2027)
            .map(|d| {
                let (tmin, tmax, basis) = edit(d).unwrap_or((8.0, 20.0, DayBasis::Observed));
                day(d, tmin, tmax, basis)
            })
            .collect()
    }

    fn lhasa() -> Vec<PlanDay> {
        let normals = parse_normals(include_str!(
            "../../geodata/barkhor/lhasa_55591_normals.csv"
        ))
        .unwrap();
        normal_year(&normals, 2027)
            .into_iter()
            .map(|weather| PlanDay {
                weather,
                basis: DayBasis::Normal,
            })
            .collect()
    }

    #[test]
    fn normal_lhasa_year() {
        let rules = ReplantingRules::default();
        let festivals = [date(8, 26), date(10, 1)];
        let got = replanting_dates(&rules, &lhasa(), 2027, &festivals).unwrap();
        assert_eq!(got.spring, Some(date(4, 10)));
        assert_eq!(got.summer, Some(date(5, 10)));
        assert_eq!(got.autumn, date(9, 1));
        assert!(!got.autumn_for_frost);
        assert_eq!(
            got.festival_refreshes,
            vec![(date(8, 26), date(8, 19)), (date(10, 1), date(9, 24))]
        );
    }

    #[test]
    fn spring_waits_for_five_warm_days_running() {
        // Cold until 20 April (mean 2 °C), warm after: the run is complete on 25 April.
        let days = year_with(|d| (d <= date(4, 20)).then_some((-3.0, 7.0, DayBasis::Observed)));
        assert_eq!(
            spring_set(&ReplantingRules::default(), &days, 2027),
            Some(date(4, 25))
        );
        // One cold day inside the run restarts it.
        let days = year_with(|d| {
            (d <= date(4, 20) || d == date(4, 23)).then_some((-3.0, 7.0, DayBasis::Observed))
        });
        assert_eq!(
            spring_set(&ReplantingRules::default(), &days, 2027),
            Some(date(4, 28))
        );
        // A gap in the series breaks the run too.
        let mut days = year_with(|d| (d <= date(4, 20)).then_some((-3.0, 7.0, DayBasis::Observed)));
        days.retain(|d| d.weather.date != date(4, 23));
        assert_eq!(
            spring_set(&ReplantingRules::default(), &days, 2027),
            Some(date(4, 28))
        );
    }

    #[test]
    fn summer_needs_ten_frost_free_days_ahead() {
        // A 1 °C night on 15 May: the first day whose 10 days ahead miss it is 16 May.
        let days = year_with(|d| (d == date(5, 15)).then_some((1.0, 15.0, DayBasis::Forecast)));
        assert_eq!(
            summer_set(&ReplantingRules::default(), &days, 2027),
            Some(date(5, 16))
        );
        // A series ending 15 May cannot vouch for the 10 days ahead of anything after 6 May.
        let days: Vec<_> = year_with(|_| None)
            .into_iter()
            .filter(|d| d.weather.date <= date(5, 15))
            .collect();
        assert_eq!(summer_set(&ReplantingRules::default(), &days, 2027), None);
    }

    #[test]
    fn autumn_comes_forward_for_a_forecast_frost_only_from_mid_august() {
        let rules = ReplantingRules::default();
        // Forecast frost on 28 August: the set moves to 19 August (28 August is within its 10 days).
        let days = year_with(|d| (d == date(8, 28)).then_some((-1.0, 12.0, DayBasis::Forecast)));
        assert_eq!(autumn_set(&rules, &days, 2027), Some((date(8, 19), true)));
        // Frost forecast for 20 August: the look-ahead from 15 August already sees it.
        let days = year_with(|d| (d == date(8, 20)).then_some((-1.0, 12.0, DayBasis::Forecast)));
        assert_eq!(autumn_set(&rules, &days, 2027), Some((date(8, 15), true)));
        // A spring frost in May never counts.
        let days = year_with(|d| (d == date(5, 2)).then_some((-4.0, 10.0, DayBasis::Observed)));
        assert_eq!(autumn_set(&rules, &days, 2027), Some((date(9, 1), false)));
        // A climate normal at 0 °C is no forecast.
        let days = year_with(|d| (d == date(8, 28)).then_some((0.0, 12.0, DayBasis::Normal)));
        assert_eq!(autumn_set(&rules, &days, 2027), Some((date(9, 1), false)));
        // Frost on 5 September is seen 10 days ahead from 27 August: plant then.
        let days = year_with(|d| (d == date(9, 5)).then_some((-1.0, 12.0, DayBasis::Forecast)));
        assert_eq!(autumn_set(&rules, &days, 2027), Some((date(8, 27), true)));
        // Frost on 12 September is first seen on 3 September, after the regular date.
        let days = year_with(|d| (d == date(9, 12)).then_some((-1.0, 12.0, DayBasis::Forecast)));
        assert_eq!(autumn_set(&rules, &days, 2027), Some((date(9, 1), false)));
    }

    #[test]
    fn seedlings_per_box() {
        assert_eq!(seedlings_needed(1.0, 0.3, DEFAULT_PLANTS_PER_100_CM2), 30);
        assert_eq!(seedlings_needed(1.2, 0.4, 1.0), 48);
        // 0.5 × 0.25 m = 1250 cm² → 12.5 plants → 13.
        assert_eq!(seedlings_needed(0.5, 0.25, 1.0), 13);
        // Denser planting: 1.5 per 100 cm².
        assert_eq!(seedlings_needed(1.0, 0.3, 1.5), 45);
        assert_eq!(seedlings_needed(-1.0, 0.3, 1.0), 0);
        assert_eq!(seedlings_needed(1.0, 0.3, f64::NAN), 0);
    }
}
