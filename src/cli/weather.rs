//! `greenward weather …`: import observed and forecast days, list the daily series in use.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{Days, NaiveDate};
use serde_json::json;

use super::{Ctx, OutputFormat};
use crate::weather::{self, WeatherDay};

/// The longest range `weather list` prints, in days.
const MAX_LIST_DAYS: i64 = 366 * 5;

/// Daily weather: observed and forecast days, the climate normal elsewhere.
#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Import daily weather from CSV (date, tmin_c, tmax_c, rain_mm; optional rh_max_pct,
    /// rh_min_pct, wind_ms, sunshine_h, forecast). All or nothing; a date already held is replaced.
    #[command(
        after_help = "Examples:\n  greenward weather import lhasa_2027_05.csv\n  greenward weather import forecast_10day.csv   # with a forecast column set to yes"
    )]
    Import {
        /// The CSV file.
        file: PathBuf,
    },
    /// The daily series in use, with its source: observed, forecast or normal.
    #[command(
        after_help = "Examples:\n  greenward weather list --from 2027-05-01 --to 2027-05-31\n  greenward weather list --format csv > series.csv"
    )]
    List {
        /// First day (default: today).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day, included (default: 9 days after --from, ten days in all).
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self.action {
            Action::Import { file } => import(ctx, &file),
            Action::List { from, to, format } => list(ctx, from, to, format),
        }
    }
}

fn import(ctx: &Ctx, path: &Path) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let reader =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rows = weather::parse_weather_csv(&name, std::io::BufReader::new(reader))?;
    let mut store = ctx.open_store()?;
    let done = store
        .write(|tx| tx.upsert_weather(&rows))
        .with_context(|| format!("{name}: nothing was imported"))?;
    let forecast = rows.iter().filter(|r| r.forecast).count();
    let (first, last) = (
        rows.iter().map(|r| r.date).min(),
        rows.iter().map(|r| r.date).max(),
    );
    println!(
        "{name}: {} days imported ({} observed, {forecast} forecast) from {} to {}: {} new, {} replaced",
        rows.len(),
        rows.len() - forecast,
        first.map(|d| d.to_string()).unwrap_or_default(),
        last.map(|d| d.to_string()).unwrap_or_default(),
        done.added,
        done.replaced
    );
    Ok(())
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map(|x| format!("{x:.decimals$}")).unwrap_or_default()
}

fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

fn list(
    ctx: &Ctx,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let from = from.unwrap_or(ctx.today);
    let to = match to {
        Some(t) => t,
        None => from
            .checked_add_days(Days::new(9))
            .context("--from is too late a date")?,
    };
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    if (to - from).num_days() > MAX_LIST_DAYS {
        bail!("--from {from} --to {to}: the range is longer than 5 years; list fewer days");
    }
    let store = ctx.open_store()?;
    let site = ctx.site(&store)?;
    let normals = weather::site_normals(&site)?;
    let series = weather::daily_series(&store, &normals, from, to)?;
    let mut out = std::io::stdout().lock();
    write_series(&mut out, &series, format)?;
    Ok(())
}

/// The CSV header of `weather list --format csv` (stable).
pub const LIST_CSV_COLUMNS: [&str; 11] = [
    "date",
    "source",
    "tmin_c",
    "tmax_c",
    "rain_mm",
    "peff_mm",
    "rh_max_pct",
    "rh_min_pct",
    "wind_ms",
    "sunshine_h",
    "file",
];

fn write_series(
    out: &mut impl std::io::Write,
    series: &[WeatherDay],
    format: OutputFormat,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<10} {:<8} {:>6} {:>6} {:>7} {:>7} {:>5} {:>5} {:>5} {:>5}",
                "DATE",
                "SOURCE",
                "TMIN_C",
                "TMAX_C",
                "RAIN_MM",
                "PEFF_MM",
                "RHMAX",
                "RHMIN",
                "WIND",
                "SUN_H"
            )?;
            for d in series {
                let w = &d.weather;
                let line = format!(
                    "{:<10} {:<8} {:>6.1} {:>6.1} {:>7.1} {:>7.2} {:>5} {:>5} {:>5} {:>5}",
                    w.date,
                    d.source.as_str(),
                    w.tmin_c,
                    w.tmax_c,
                    w.rain_mm,
                    w.peff_mm,
                    opt(d.rh_max_pct, 0),
                    opt(d.rh_min_pct, 0),
                    opt(d.wind_ms, 1),
                    opt(d.sunshine_h, 1)
                );
                writeln!(out, "{}", line.trim_end())?;
            }
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(LIST_CSV_COLUMNS)?;
            for d in series {
                let x = &d.weather;
                w.write_record([
                    x.date.to_string(),
                    d.source.as_str().to_string(),
                    format!("{:.2}", x.tmin_c),
                    format!("{:.2}", x.tmax_c),
                    format!("{:.3}", x.rain_mm),
                    format!("{:.3}", x.peff_mm),
                    opt(d.rh_max_pct, 1),
                    opt(d.rh_min_pct, 1),
                    opt(d.wind_ms, 2),
                    opt(d.sunshine_h, 2),
                    d.file.clone().unwrap_or_default(),
                ])?;
            }
            w.flush()?;
        }
        OutputFormat::Json => {
            let v: Vec<_> = series
                .iter()
                .map(|d| {
                    let x = &d.weather;
                    json!({
                        "date": x.date.to_string(),
                        "source": d.source.as_str(),
                        "tmin_c": round(x.tmin_c, 2),
                        "tmax_c": round(x.tmax_c, 2),
                        "rain_mm": round(x.rain_mm, 3),
                        "peff_mm": round(x.peff_mm, 3),
                        "rh_max_pct": d.rh_max_pct,
                        "rh_min_pct": d.rh_min_pct,
                        "wind_ms": d.wind_ms,
                        "sunshine_h": d.sunshine_h,
                        "file": d.file,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        }
    }
    Ok(())
}
