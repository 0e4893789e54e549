//! `greenward pesticides log`: the season's pesticide record.

use anyhow::bail;
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::{Ctx, OutputFormat};
use crate::ipm::PesticideApplication;

/// The pesticide record: what was applied where, when, by whom, in what weather.
#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Applications from --from to --to (default: the calendar year of today).
    #[command(
        after_help = "Examples:\n  greenward pesticides log\n  greenward pesticides log --from 2027-04-20 --to 2027-10-10 --format csv > spraying_2027.csv"
    )]
    Log {
        /// First day (default: 1 January of this year).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day, included (default: 31 December of this year).
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
}

/// The CSV header of `pesticides log --format csv` (stable; JSON uses the same keys).
pub const LOG_COLUMNS: [&str; 18] = [
    "id",
    "applied_at",
    "asset_ref",
    "pest_id",
    "product",
    "active_ingredient",
    "dose",
    "trees",
    "area_m2",
    "tmin_c",
    "tmax_c",
    "rain_mm",
    "wind_ms",
    "weather_source",
    "applicator",
    "reentry_h",
    "reentry_until",
    "task_id",
];

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Action::Log { from, to, format } = self.action;
        let year = ctx.today.year();
        let from = from
            .or(NaiveDate::from_ymd_opt(year, 1, 1))
            .unwrap_or(ctx.today);
        let to = to
            .or(NaiveDate::from_ymd_opt(year, 12, 31))
            .unwrap_or(ctx.today);
        if to < from {
            bail!("--to {to} is before --from {from}");
        }
        let store = ctx.open_store()?;
        let rows = store.read().pesticide_log(from, to)?;
        let mut out = std::io::stdout().lock();
        write_log(&mut out, &rows, format)?;
        if format == OutputFormat::Table {
            eprintln!("{} applications from {from} to {to}", rows.len());
        }
        Ok(())
    }
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map(|x| format!("{x:.decimals$}")).unwrap_or_default()
}

/// The cells of one row, in [`LOG_COLUMNS`] order.
fn cells(p: &PesticideApplication) -> [String; 18] {
    let w = p.weather.as_ref();
    [
        p.id.to_string(),
        p.applied_at.to_rfc3339(),
        p.asset_ref.clone(),
        p.pest_id.clone().unwrap_or_default(),
        p.product.clone(),
        p.active_ingredient.clone().unwrap_or_default(),
        p.dose.clone().unwrap_or_default(),
        p.trees.map(|t| t.to_string()).unwrap_or_default(),
        num(p.area_m2, 1),
        num(w.map(|w| w.tmin_c), 1),
        num(w.map(|w| w.tmax_c), 1),
        num(w.map(|w| w.rain_mm), 1),
        num(w.and_then(|w| w.wind_ms), 1),
        w.map(|w| w.source.as_str().to_string()).unwrap_or_default(),
        p.applicator.clone().unwrap_or_default(),
        num(p.reentry_h, 1),
        p.reentry_until()
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        p.task_id.map(|t| t.to_string()).unwrap_or_default(),
    ]
}

fn json_row(p: &PesticideApplication) -> Value {
    let w = p.weather.as_ref();
    json!({
        "id": p.id,
        "applied_at": p.applied_at.to_rfc3339(),
        "asset_ref": p.asset_ref,
        "pest_id": p.pest_id,
        "product": p.product,
        "active_ingredient": p.active_ingredient,
        "dose": p.dose,
        "trees": p.trees,
        "area_m2": p.area_m2,
        "tmin_c": w.map(|w| w.tmin_c),
        "tmax_c": w.map(|w| w.tmax_c),
        "rain_mm": w.map(|w| w.rain_mm),
        "wind_ms": w.and_then(|w| w.wind_ms),
        "weather_source": w.map(|w| w.source.as_str()),
        "applicator": p.applicator,
        "reentry_h": p.reentry_h,
        "reentry_until": p.reentry_until().map(|t| t.to_rfc3339()),
        "task_id": p.task_id,
    })
}

fn write_log(
    out: &mut impl std::io::Write,
    rows: &[PesticideApplication],
    format: OutputFormat,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(LOG_COLUMNS)?;
            for p in rows {
                w.write_record(cells(p))?;
            }
            w.flush()?;
        }
        OutputFormat::Json => {
            let v: Vec<Value> = rows.iter().map(json_row).collect();
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<16} {:<12} {:<24} {:<28} {:<18} {:>5} {:>13} {:>6} {:>4} {:<8} {:<12} {:>7}",
                "APPLIED",
                "REF",
                "PEST",
                "PRODUCT",
                "DOSE",
                "TREES",
                "TMIN/TMAX_C",
                "RAIN",
                "WIND",
                "WEATHER",
                "APPLICATOR",
                "REENTRY"
            )?;
            for p in rows {
                let w = p.weather.as_ref();
                let temps = w
                    .map(|w| format!("{:.1}/{:.1}", w.tmin_c, w.tmax_c))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{:<16} {:<12} {:<24} {:<28} {:<18} {:>5} {:>13} {:>6} {:>4} {:<8} {:<12} {:>7}",
                    p.applied_at.format("%Y-%m-%d %H:%M"),
                    p.asset_ref,
                    p.pest_id.as_deref().unwrap_or(""),
                    p.product,
                    p.dose.as_deref().unwrap_or(""),
                    p.trees.map(|t| t.to_string()).unwrap_or_default(),
                    temps,
                    num(w.map(|w| w.rain_mm), 1),
                    num(w.and_then(|w| w.wind_ms), 1),
                    w.map(|w| w.source.as_str()).unwrap_or(""),
                    p.applicator.as_deref().unwrap_or(""),
                    p.reentry_h.map(|h| format!("{h:.0} h")).unwrap_or_default()
                )?;
            }
        }
    }
    Ok(())
}
