//! The water-need trigger: at each check time of a rule, the soil-water bucket of each asset is
//! advanced through the days since its last check with the site's weather, and a watering task
//! is created only when depletion has reached MAD × TAW.
//!
//! # Units
//! Depletion, rain, ET in mm; litres = mm × m² (1 mm over 1 m² is 1 L); temperatures °C.
//!
//! # Conventions (DOMAIN.md §2, the same as `science::water_balance::run_season`)
//! - A check on day D books D's rain and ETc first (the day's forecast or normal), then decides.
//! - A created watering task is expected to be done on D: the bucket goes back to 0. When the
//!   crew records other litres, or skips it, `lifecycle` books the difference.
//! - Flower boxes are not watered when the day's minimum is below 0 °C (frost guard).
//! - A day that ends over MAD × TAW is a water-stress day.
//! - An asset seen for the first time starts full (depletion 0) the day before its first check.

use chrono::{DateTime, Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use super::record::TaskRecord;
use crate::schedule::Rule;

use crate::science::BucketParams;
use crate::science::water_balance::step;
use crate::store::{CheckDays, CheckReason, CheckRecord, WaterState, WaterStates};
use rustc_hash::FxHashMap;

/// One day of weather as the bucket needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeedDay {
    pub et0_mm: f64,
    /// Effective rain before the asset's rain exposure, mm.
    pub peff_mm: f64,
    pub rain_mm: f64,
    pub tmin_c: f64,
}

/// The weather days of a series, by date: a day's lookup is an index.
#[derive(Debug, Clone, Default)]
pub struct NeedDays {
    first: NaiveDate,
    days: Vec<Option<NeedDay>>,
}

impl NeedDays {
    pub fn get(&self, d: NaiveDate) -> Option<&NeedDay> {
        self.at(self.index(d)?)
    }

    /// Position of `d` from the first day (may be past the last).
    fn index(&self, d: NaiveDate) -> Option<usize> {
        usize::try_from((d - self.first).num_days()).ok()
    }

    fn at(&self, i: usize) -> Option<&NeedDay> {
        self.days.get(i)?.as_ref()
    }
}

impl FromIterator<(NaiveDate, NeedDay)> for NeedDays {
    fn from_iter<I: IntoIterator<Item = (NaiveDate, NeedDay)>>(iter: I) -> Self {
        let all: Vec<(NaiveDate, NeedDay)> = iter.into_iter().collect();
        let Some(first) = all.iter().map(|(d, _)| *d).min() else {
            return NeedDays::default();
        };
        let last = all.iter().map(|(d, _)| *d).max().unwrap_or(first);
        let mut days = vec![None; (last - first).num_days() as usize + 1];
        // A later entry of the same date wins, as it would in a map.
        for (d, w) in all {
            days[(d - first).num_days() as usize] = Some(w);
        }
        NeedDays { first, days }
    }
}

/// Depletion at the checks that created a watering task, by asset and day: what a check
/// already made re-produces.
pub type Waterings = FxHashMap<(i64, NaiveDate), f64>;

/// What the checks of one rule produced.
#[derive(Debug, Default)]
pub struct NeedOutcome {
    pub tasks: Vec<TaskRecord>,
    /// The check records, encoded by day as they were made.
    pub checks: CheckDays,
    pub stress: Vec<(i64, NaiveDate, f64)>,
    pub states: Vec<(i64, WaterState)>,
}

/// An asset a water-need rule checks.
#[derive(Debug, Clone)]
pub struct NeedAsset {
    pub asset_id: i64,
    /// Boxes or trees the asset counts for ([`crate::schedule::select::Selected::units`]).
    pub units: f64,
    /// A container (flower box): frost-guarded.
    pub container: bool,
}

/// Runs the checks of one rule over its check times (already filtered by season).
#[allow(clippy::too_many_arguments)]
pub fn check_rule(
    rule: &Rule,
    bucket: &BucketParams,
    assets: &[NeedAsset],
    checks: &[DateTime<Tz>],
    spinup: &[DateTime<Tz>],
    states: &WaterStates,
    previous: &Waterings,
    days: &NeedDays,
) -> NeedOutcome {
    let mut out = NeedOutcome {
        states: Vec::with_capacity(assets.len()),
        ..NeedOutcome::default()
    };
    let checks = NeedChecks {
        rule,
        bucket,
        assets,
        checks,
        spinup,
        states,
        previous,
        days,
    };
    checks.run(true, &mut |e| match e {
        NeedEvent::Watering {
            asset_id,
            at,
            depletion_mm,
            units,
        } => out.tasks.push(watering_task(
            rule,
            bucket,
            asset_id,
            at,
            depletion_mm,
            units,
        )),
        NeedEvent::Check(d, c) => out.checks.push(d, &c),
        NeedEvent::Stress(a, d, dr) => out.stress.push((a, d, dr)),
        NeedEvent::State(a, s) => out.states.push((a, s)),
    });
    out
}

/// The inputs of [`check_rule`], for [`NeedChecks::run`].
pub struct NeedChecks<'a> {
    pub rule: &'a Rule,
    pub bucket: &'a BucketParams,
    pub assets: &'a [NeedAsset],
    pub checks: &'a [DateTime<Tz>],
    pub spinup: &'a [DateTime<Tz>],
    pub states: &'a WaterStates,
    pub previous: &'a Waterings,
    pub days: &'a NeedDays,
}

/// What the checks find, in the order [`check_rule`] records it.
#[derive(Debug, Clone, PartialEq)]
pub enum NeedEvent {
    /// A watering task (new, or made again by an earlier check) at check time `at`, for
    /// `units` boxes or trees at `depletion_mm`: [`litres`] gives its water.
    Watering {
        asset_id: i64,
        at: DateTime<Tz>,
        depletion_mm: f64,
        units: f64,
    },
    /// A check of the day, its reason as a code and numbers ([`CheckRecord::reason_text`]).
    Check(NaiveDate, CheckRecord),
    Stress(i64, NaiveDate, f64),
    State(i64, WaterState),
}

impl NeedChecks<'_> {
    /// Runs the checks, handing each finding to `sink`. With `record` false only the waterings
    /// are reported (no check records with their reasons, stress days or states): what a
    /// projection needs, at a fraction of the cost.
    pub fn run(&self, record: bool, sink: &mut dyn FnMut(NeedEvent)) {
        let NeedChecks {
            rule: _,
            bucket,
            assets,
            checks,
            spinup,
            states,
            previous,
            days,
        } = *self;
        let raw = bucket.raw_mm();
        let Some(first) = checks.first() else {
            return;
        };
        // The assets come in asset order: each balance is the next one.
        let mut states = states.cursor();
        for a in assets {
            let id = a.asset_id;
            let units = a.units.max(1.0);
            let known = states.get(id);
            let spin: &[DateTime<Tz>] = if known.is_some() { &[] } else { spinup };
            let mut state = known.unwrap_or(WaterState {
                depletion_mm: 0.0,
                as_of: spin.first().unwrap_or(first).date_naive() - Duration::days(1),
            });
            let mut changed = false;
            let n_spin = spin.len();
            // Rain since the bucket was last refilled, and its wettest day: what made the
            // difference when a check finds no need.
            let mut rain_since_refill = 0.0;
            let mut wettest: Option<(NaiveDate, f64)> = None;
            for (i, occ) in spin.iter().chain(checks).enumerate() {
                let silent = i < n_spin;
                let d = occ.date_naive();
                if d <= state.as_of {
                    // Already checked: the task it made (if any) is produced again, unchanged.
                    if let Some(&depletion_mm) = previous.get(&(id, d)) {
                        sink(NeedEvent::Watering {
                            asset_id: id,
                            at: *occ,
                            depletion_mm,
                            units,
                        });
                    }
                    continue;
                }
                let mut dr = state.depletion_mm;
                let mut x = state.as_of + Duration::days(1);
                // Days are looked up by position; `x` moves along for the records.
                let mut xi = days.index(x);
                while x <= d {
                    let Some(w) = xi.and_then(|i| days.at(i)) else {
                        break;
                    };
                    let peff = w.peff_mm * bucket.rain_exposure;
                    rain_since_refill += peff;
                    if peff > 0.0 && wettest.is_none_or(|(_, r)| w.rain_mm > r) {
                        wettest = Some((x, w.rain_mm));
                    }
                    dr = step(dr, peff, w.et0_mm * bucket.kl, bucket.taw_mm);
                    if record && !silent && x < d && dr > raw {
                        sink(NeedEvent::Stress(id, x, dr));
                    }
                    x += Duration::days(1);
                    xi = xi.map(|i| i + 1);
                }
                let tmin = days.get(d).map(|w| w.tmin_c).unwrap_or(f64::NAN);
                if silent {
                    // Spin-up: watered when due, nothing recorded.
                    if dr >= raw && !(a.container && tmin < 0.0) {
                        dr = 0.0;
                        rain_since_refill = 0.0;
                        wettest = None;
                    }
                    state = WaterState {
                        depletion_mm: dr,
                        as_of: d,
                    };
                    continue;
                }
                let frost = a.container && tmin < 0.0;
                let created = !frost && dr >= raw;
                if record {
                    // The reason's text is made from these when the check is read back.
                    let (litres, reason) = if frost {
                        (None, CheckReason::Frost { tmin_c: tmin })
                    } else if created {
                        (Some(litres(dr, bucket, units)), CheckReason::Watering)
                    } else {
                        match wettest {
                            Some((day, rain_mm)) if dr + rain_since_refill >= raw => {
                                (None, CheckReason::Rain { rain_mm, day })
                            }
                            _ => (None, CheckReason::Depletion),
                        }
                    };
                    sink(NeedEvent::Check(
                        d,
                        CheckRecord {
                            asset_id: id,
                            depletion_mm: dr,
                            raw_mm: raw,
                            litres,
                            task_created: created,
                            reason,
                        },
                    ));
                }
                if created {
                    sink(NeedEvent::Watering {
                        asset_id: id,
                        at: *occ,
                        depletion_mm: dr,
                        units,
                    });
                    dr = 0.0;
                    rain_since_refill = 0.0;
                    wettest = None;
                } else if dr > raw && record {
                    sink(NeedEvent::Stress(id, d, dr));
                }
                state = WaterState {
                    depletion_mm: dr,
                    as_of: d,
                };
                changed = true;
            }
            if changed && record {
                sink(NeedEvent::State(id, state));
            }
        }
    }
}

/// The water of a watering task as its detail records it: litres to one decimal.
pub fn watering_litres(b: &BucketParams, depletion_mm: f64, units: f64) -> f64 {
    (litres(depletion_mm, b, units) * 10.0).round() / 10.0
}

/// Litres for `units` boxes or trees at depletion `dr`: dr × wetted area / efficiency each.
pub fn litres(dr: f64, b: &BucketParams, units: f64) -> f64 {
    dr * b.wetted_area_m2 / b.efficiency * units
}

fn watering_task(
    rule: &Rule,
    b: &BucketParams,
    asset_id: i64,
    occ: DateTime<Tz>,
    dr: f64,
    units: f64,
) -> TaskRecord {
    let minutes = rule.minutes_per_asset * units;
    let mut t = TaskRecord::new(
        asset_id,
        rule.task.as_str(),
        occ.fixed_offset(),
        (occ + rule.grace).fixed_offset(),
        minutes,
    );
    t.rule_id = Some(rule.id.clone());
    t.skill = rule.skill.clone();
    t.priority = rule.priority;
    // The fields in this order, as a JSON object: serialized straight, not through a map.
    #[derive(serde::Serialize)]
    struct Detail {
        water_l: f64,
        depletion_mm: f64,
        wetted_area_m2: f64,
        efficiency: f64,
        taw_mm: f64,
    }
    let detail = Detail {
        water_l: watering_litres(b, dr, units),
        depletion_mm: (dr * 100.0).round() / 100.0,
        wetted_area_m2: b.wetted_area_m2 * units,
        efficiency: b.efficiency,
        taw_mm: b.taw_mm,
    };
    // Plain numbers always serialize.
    t.detail = serde_json::to_string(&detail).ok();
    t
}

/// ET0 of a weather day: FAO-56 Penman–Monteith when humidity, wind and sunshine are known,
/// else Hargreaves–Samani.
pub fn et0_of(day: &crate::weather::WeatherDay, lat: f64, altitude_m: f64) -> f64 {
    use crate::science::{PenmanMonteithInput, hargreaves_et0_at, penman_monteith_et0};
    let w = &day.weather;
    let doy = w.date.ordinal();
    if let (Some(rh_max_pct), Some(rh_min_pct), Some(wind_ms), Some(sunshine_h)) =
        (day.rh_max_pct, day.rh_min_pct, day.wind_ms, day.sunshine_h)
    {
        return penman_monteith_et0(&PenmanMonteithInput {
            latitude_deg: lat,
            altitude_m,
            day_of_year: doy,
            tmin_c: w.tmin_c,
            tmax_c: w.tmax_c,
            rh_max_pct,
            rh_min_pct,
            wind_2m_ms: wind_ms,
            sunshine_h,
        });
    }
    hargreaves_et0_at(lat, doy, w.tmin_c, w.tmax_c)
}
