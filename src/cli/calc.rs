//! `greenward calc`: the agronomy calculators, one subcommand per formula.
//!
//! Every output line starts with the figure and its unit, then says what it is and which method
//! produced it. Arguments are checked here (range, order, finiteness) before any formula runs, so bad
//! input gives an error naming the option and its value instead of a NaN.

use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate};
use clap::{Subcommand, ValueEnum};

use super::Ctx;
use crate::science::{
    self, BucketKind, DegreeDayMethod, DegreeDayModel, Irrigation, MonthlyCalibration,
    PenmanMonteithInput,
};

/// The Barkhor site's climate normals (WMO 55591 Lhasa), built in so `calc balance` works anywhere.
const BARKHOR_NORMALS: &str = include_str!("../../geodata/barkhor/lhasa_55591_normals.csv");
const BARKHOR_NORMALS_NAME: &str = "geodata/barkhor/lhasa_55591_normals.csv";
/// Latitude of the Barkhor (Jokhang), degrees north.
const BARKHOR_LATITUDE: f64 = 29.65;
/// The longest date range `calc balance` accepts, in days.
const MAX_BALANCE_DAYS: i64 = 366 * 20;

#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    calc: Calc,
}

#[derive(Subcommand, Debug)]
enum Calc {
    /// Extraterrestrial radiation Ra for a latitude and date (FAO-56 eq. 21).
    Ra(RaArgs),
    /// Reference evapotranspiration ET0: Penman–Monteith when humidity, wind and sunshine are all
    /// given, else Hargreaves–Samani.
    Et0(Et0Args),
    /// Degree-days of one day (single sine or simple average).
    Dd(DdArgs),
    /// Soil-water bucket of one asset over a date range of the normal year: each watering and a total.
    Balance(BalanceArgs),
}

#[derive(clap::Args, Debug)]
struct RaArgs {
    /// Latitude in decimal degrees, north positive (e.g. 29.65, -20).
    #[arg(long, allow_negative_numbers = true)]
    lat: f64,
    /// Date, YYYY-MM-DD.
    #[arg(long)]
    date: NaiveDate,
}

#[derive(clap::Args, Debug)]
struct Et0Args {
    /// Latitude in decimal degrees, north positive.
    #[arg(long, allow_negative_numbers = true)]
    lat: f64,
    /// Date, YYYY-MM-DD.
    #[arg(long)]
    date: NaiveDate,
    /// Daily minimum air temperature, °C.
    #[arg(long, allow_negative_numbers = true)]
    tmin: f64,
    /// Daily maximum air temperature, °C.
    #[arg(long, allow_negative_numbers = true)]
    tmax: f64,
    /// Daily maximum relative humidity, % (Penman–Monteith).
    #[arg(long)]
    rh_max: Option<f64>,
    /// Daily minimum relative humidity, % (Penman–Monteith).
    #[arg(long)]
    rh_min: Option<f64>,
    /// Mean wind speed at 2 m, m/s (Penman–Monteith).
    #[arg(long)]
    wind: Option<f64>,
    /// Bright sunshine, hours (Penman–Monteith).
    #[arg(long)]
    sunshine: Option<f64>,
    /// Altitude, m above sea level (needed by Penman–Monteith; Barkhor is about 3650).
    #[arg(long, allow_negative_numbers = true)]
    altitude: Option<f64>,
    /// Calibration factor applied to Hargreaves ET0.
    #[arg(long, default_value_t = 1.0)]
    hargreaves_factor: f64,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum DdMethod {
    /// Single sine with horizontal cutoff.
    Sine,
    /// Simple average of Tmax and Tmin.
    Average,
}

#[derive(clap::Args, Debug)]
struct DdArgs {
    /// Daily minimum air temperature, °C.
    #[arg(long, allow_negative_numbers = true)]
    tmin: f64,
    /// Daily maximum air temperature, °C.
    #[arg(long, allow_negative_numbers = true)]
    tmax: f64,
    /// Lower threshold, °C.
    #[arg(long, allow_negative_numbers = true)]
    base: f64,
    /// Upper threshold with horizontal cutoff, °C.
    #[arg(long, allow_negative_numbers = true)]
    upper: Option<f64>,
    /// Daily method.
    #[arg(long, value_enum, default_value_t = DdMethod::Sine)]
    method: DdMethod,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum AssetType {
    /// Flower box 1.00 × 0.30 m, 0.25 m deep.
    Box,
    /// Street tree in a 2.25 m² pit.
    #[value(name = "street_tree", alias = "street-tree")]
    StreetTree,
    /// Park tree, 4 m² basin.
    #[value(name = "park_tree", alias = "park-tree")]
    ParkTree,
    /// Lawn, per m².
    Lawn,
    /// Conifer bed, per m².
    #[value(name = "conifer_bed", alias = "conifer-bed")]
    ConiferBed,
}

impl AssetType {
    fn kind(self) -> BucketKind {
        match self {
            AssetType::Box => BucketKind::FlowerBox,
            AssetType::StreetTree => BucketKind::StreetTreePit,
            AssetType::ParkTree => BucketKind::ParkTree,
            AssetType::Lawn => BucketKind::Lawn,
            AssetType::ConiferBed => BucketKind::ConiferBed,
        }
    }

    fn name(self) -> &'static str {
        match self {
            AssetType::Box => "box",
            AssetType::StreetTree => "street_tree",
            AssetType::ParkTree => "park_tree",
            AssetType::Lawn => "lawn",
            AssetType::ConiferBed => "conifer_bed",
        }
    }
}

#[derive(clap::Args, Debug)]
struct BalanceArgs {
    /// Kind of asset; sets the default bucket parameters.
    #[arg(long, value_enum)]
    asset_type: AssetType,
    /// First day, YYYY-MM-DD.
    #[arg(long)]
    from: NaiveDate,
    /// Last day (included), YYYY-MM-DD.
    #[arg(long)]
    to: NaiveDate,
    /// Root-zone depletion on the first morning, mm (0 = just watered).
    #[arg(long, default_value_t = 0.0)]
    start_depletion: f64,
    /// Latitude in decimal degrees, north positive (default: Barkhor, 29.65).
    #[arg(long, allow_negative_numbers = true, default_value_t = BARKHOR_LATITUDE)]
    lat: f64,
    /// Monthly normals CSV (month, tmax_mean_C, tmin_mean_C, precip_mm); default: the Barkhor
    /// normals shipped in geodata/barkhor/.
    #[arg(long)]
    normals: Option<PathBuf>,
    /// Override the landscape coefficient KL.
    #[arg(long)]
    kl: Option<f64>,
    /// Override the management allowed depletion MAD (0–1).
    #[arg(long)]
    mad: Option<f64>,
    /// Override the total available water TAW, mm.
    #[arg(long)]
    taw: Option<f64>,
    /// Override the wetted area, m².
    #[arg(long)]
    area: Option<f64>,
    /// Override the application efficiency (0–1).
    #[arg(long)]
    efficiency: Option<f64>,
    /// Override the rain exposure (0 = fully sheltered, 1 = open sky).
    #[arg(long)]
    rain_exposure: Option<f64>,
    /// Full years since planting, for the establishment factor of new trees (not for boxes).
    #[arg(long)]
    years_since_planting: Option<u32>,
    /// Calibration factor applied to Hargreaves ET0.
    #[arg(long, default_value_t = 1.0)]
    hargreaves_factor: f64,
}

impl Cmd {
    pub fn run(self, _ctx: &Ctx) -> anyhow::Result<()> {
        match self.calc {
            Calc::Ra(a) => ra(a),
            Calc::Et0(a) => et0(a),
            Calc::Dd(a) => dd(a),
            Calc::Balance(a) => balance(a),
        }
    }
}

/// Checks that `value` is finite and within `min..=max`; the error names the option and the value.
fn check(option: &str, value: f64, min: f64, max: f64, what: &str) -> anyhow::Result<f64> {
    if !value.is_finite() || value < min || value > max {
        bail!("{option} {value}: {what} must be between {min} and {max}");
    }
    Ok(value)
}

fn check_latitude(lat: f64) -> anyhow::Result<f64> {
    check("--lat", lat, -90.0, 90.0, "latitude in degrees")
}

fn check_temperatures(tmin: f64, tmax: f64) -> anyhow::Result<()> {
    check("--tmin", tmin, -90.0, 60.0, "the minimum temperature in °C")?;
    check("--tmax", tmax, -90.0, 60.0, "the maximum temperature in °C")?;
    if tmin > tmax {
        bail!("--tmin {tmin} is above --tmax {tmax}: give the day's minimum and maximum in °C");
    }
    Ok(())
}

fn ra(a: RaArgs) -> anyhow::Result<()> {
    let lat = check_latitude(a.lat)?;
    let ra = science::extraterrestrial_radiation(lat, a.date.ordinal());
    println!(
        "{ra:.1} MJ/m2/day  Ra at {lat:.2}° on {} (FAO-56 eq. 21)",
        a.date
    );
    Ok(())
}

fn et0(a: Et0Args) -> anyhow::Result<()> {
    let lat = check_latitude(a.lat)?;
    check_temperatures(a.tmin, a.tmax)?;
    let factor = check(
        "--hargreaves-factor",
        a.hargreaves_factor,
        0.1,
        5.0,
        "the calibration factor",
    )?;
    let doy = a.date.ordinal();

    let pm = [
        ("--rh-max", a.rh_max),
        ("--rh-min", a.rh_min),
        ("--wind", a.wind),
        ("--sunshine", a.sunshine),
    ];
    let missing: Vec<&str> = pm
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();

    if let (Some(rh_max), Some(rh_min), Some(wind), Some(sunshine)) =
        (a.rh_max, a.rh_min, a.wind, a.sunshine)
    {
        check("--rh-max", rh_max, 0.0, 100.0, "relative humidity in %")?;
        check("--rh-min", rh_min, 0.0, 100.0, "relative humidity in %")?;
        if rh_min > rh_max {
            bail!("--rh-min {rh_min} is above --rh-max {rh_max}");
        }
        check("--wind", wind, 0.0, 75.0, "wind speed at 2 m in m/s")?;
        let Some(altitude) = a.altitude else {
            bail!(
                "--altitude is missing: Penman–Monteith needs the altitude in m for the air pressure \
                 (Barkhor is about 3650)"
            );
        };
        check("--altitude", altitude, -500.0, 9000.0, "altitude in m")?;
        let daylight = science::daylight_hours(science::radiation::sunset_hour_angle(
            lat.to_radians(),
            science::radiation::solar_declination(doy),
        ));
        check("--sunshine", sunshine, 0.0, 24.0, "sunshine in hours")?;
        if sunshine > daylight + 0.05 {
            bail!(
                "--sunshine {sunshine}: more than the {daylight:.1} h of daylight at {lat:.2}° on {}",
                a.date
            );
        }
        let et0 = science::penman_monteith_et0(&PenmanMonteithInput {
            latitude_deg: lat,
            altitude_m: altitude,
            day_of_year: doy,
            tmin_c: a.tmin,
            tmax_c: a.tmax,
            rh_min_pct: rh_min,
            rh_max_pct: rh_max,
            wind_2m_ms: wind,
            sunshine_h: sunshine,
        });
        println!(
            "{et0:.2} mm/day  ET0 Penman-Monteith at {lat:.2}°, {altitude:.0} m on {} (FAO-56 eq. 6)",
            a.date
        );
        return Ok(());
    }

    if missing.len() < pm.len() {
        eprintln!(
            "note: Penman-Monteith needs --rh-max, --rh-min, --wind and --sunshine; missing {}, so \
             Hargreaves-Samani is used",
            missing.join(", ")
        );
    }
    let et0 = factor * science::hargreaves_et0_at(lat, doy, a.tmin, a.tmax);
    let calibration = if factor == 1.0 {
        String::new()
    } else {
        format!(", calibration x{factor}")
    };
    println!(
        "{et0:.2} mm/day  ET0 Hargreaves-Samani at {lat:.2}° on {}{calibration} (FAO-56 eq. 52)",
        a.date
    );
    Ok(())
}

fn dd(a: DdArgs) -> anyhow::Result<()> {
    check_temperatures(a.tmin, a.tmax)?;
    check("--base", a.base, -50.0, 60.0, "the lower threshold in °C")?;
    if let Some(upper) = a.upper {
        check("--upper", upper, -50.0, 60.0, "the upper threshold in °C")?;
        if upper <= a.base {
            bail!("--upper {upper} must be above --base {}", a.base);
        }
    }
    let (method, name) = match a.method {
        DdMethod::Sine => (DegreeDayMethod::SingleSine, "single sine"),
        DdMethod::Average => (DegreeDayMethod::SimpleAverage, "simple average"),
    };
    let model = DegreeDayModel {
        method,
        lower_c: a.base,
        upper_c: a.upper,
    };
    let cutoff = a
        .upper
        .map(|u| format!(", horizontal cutoff {u:.1} °C"))
        .unwrap_or_default();
    println!(
        "{:.2} °C-days  {name} above {:.1} °C{cutoff}, Tmin {:.1} Tmax {:.1} °C",
        model.daily(a.tmin, a.tmax),
        a.base,
        a.tmin,
        a.tmax
    );
    Ok(())
}

fn balance(a: BalanceArgs) -> anyhow::Result<()> {
    let lat = check_latitude(a.lat)?;
    if a.to < a.from {
        bail!("--to {} is before --from {}", a.to, a.from);
    }
    if (a.to - a.from).num_days() > MAX_BALANCE_DAYS {
        bail!(
            "--from {} --to {}: the range is longer than 20 years",
            a.from,
            a.to
        );
    }
    let factor = check(
        "--hargreaves-factor",
        a.hargreaves_factor,
        0.1,
        5.0,
        "the calibration factor",
    )?;

    let mut params = a.asset_type.kind().default_params();
    if let Some(v) = a.kl {
        params.kl = check("--kl", v, 0.0, 3.0, "the landscape coefficient")?;
    }
    if let Some(v) = a.mad {
        params.mad = check("--mad", v, 0.05, 1.0, "the allowed depletion")?;
    }
    if let Some(v) = a.taw {
        params.taw_mm = check("--taw", v, 1.0, 1000.0, "total available water in mm")?;
    }
    if let Some(v) = a.area {
        params.wetted_area_m2 = check("--area", v, 0.001, 10000.0, "the wetted area in m²")?;
    }
    if let Some(v) = a.efficiency {
        params.efficiency = check("--efficiency", v, 0.05, 1.0, "the efficiency")?;
    }
    if let Some(v) = a.rain_exposure {
        params.rain_exposure = check("--rain-exposure", v, 0.0, 1.0, "the rain exposure")?;
    }
    if let Some(years) = a.years_since_planting {
        if matches!(a.asset_type, AssetType::Box) {
            bail!(
                "--years-since-planting {years}: the establishment factor does not apply to \
                 bedding plants in boxes; use --kl instead"
            );
        }
        params = params.establishing(years);
    }
    let start = check(
        "--start-depletion",
        a.start_depletion,
        0.0,
        params.taw_mm,
        "the starting depletion in mm (0 to TAW)",
    )?;

    let (text, source) = match &a.normals {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("--normals {}: cannot read the file", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            BARKHOR_NORMALS.to_string(),
            BARKHOR_NORMALS_NAME.to_string(),
        ),
    };
    let normals = science::parse_normals(&text)
        .with_context(|| format!("--normals {source}: not a usable normals file"))?;

    let weather: Vec<_> = (a.from.year()..=a.to.year())
        .flat_map(|y| science::normal_year(&normals, y))
        .filter(|d| d.date >= a.from && d.date <= a.to)
        .collect();
    let days = science::hargreaves_inputs(&weather, lat, &MonthlyCalibration::uniform(factor));
    let season = science::run_season(&params, start, &days, Irrigation::OnTrigger);

    let name = a.asset_type.name();
    println!(
        "{:.1} mm  TAW of one {name}; water at {:.1} mm depletion (MAD {:.2}), KL {:.2}, {:.2} m², \
         efficiency {:.2}, rain exposure {:.2}",
        params.taw_mm,
        params.raw_mm(),
        params.mad,
        params.kl,
        params.wetted_area_m2,
        params.efficiency,
        params.rain_exposure
    );
    for w in &season.waterings {
        println!(
            "{:.1} L  water on {}: depletion {:.1} mm, {:.1} L net",
            w.litres, w.date, w.depletion_mm, w.net_litres
        );
    }
    println!(
        "{:.1} L  total applied per {name}, {} waterings from {} to {} ({:.1} L net; Hargreaves at \
         {lat:.2}°, normal year from {source})",
        season.total_litres(),
        season.waterings.len(),
        a.from,
        a.to,
        season.total_net_litres()
    );
    println!(
        "{:.1} mm  depletion at the end of {}",
        season.end_depletion_mm, a.to
    );
    Ok(())
}
