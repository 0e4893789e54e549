//! `greenward zones list`.

use serde_json::json;

use super::{Ctx, OutputFormat};

/// Management zones.
#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// List zones with their asset counts.
    #[command(after_help = "Example:\n  greenward zones list --format csv")]
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let store = ctx.open_store()?;
        let Action::List { format } = self.action;
        let read = store.read();
        let zones = read.zones()?;
        let counts = read.asset_counts_by_zone()?;
        let rows: Vec<_> = zones
            .iter()
            .map(|z| {
                let area = z.geometry.as_ref().map(crate::model::geometry::area_m2);
                (z, area, counts.get(&z.id).copied().unwrap_or(0))
            })
            .collect();
        match format {
            OutputFormat::Table => {
                println!(
                    "{:<22} {:<16} {:>12} {:>7}",
                    "ZONE", "NAME:ZH", "AREA_M2", "ASSETS"
                );
                for (z, area, n) in &rows {
                    let area = area
                        .map(|a| format!("{a:.0}"))
                        .unwrap_or_else(|| "(no polygon)".into());
                    println!(
                        "{:<22} {:<16} {:>12} {:>7}",
                        z.name,
                        z.names.zh.as_deref().unwrap_or(""),
                        area,
                        n
                    );
                }
            }
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(std::io::stdout().lock());
                w.write_record(["zone", "name", "name_zh", "name_en", "area_m2", "assets"])?;
                for (z, area, n) in &rows {
                    w.write_record([
                        z.name.clone(),
                        z.names.name.clone().unwrap_or_default(),
                        z.names.zh.clone().unwrap_or_default(),
                        z.names.en.clone().unwrap_or_default(),
                        area.map(|a| format!("{a:.1}")).unwrap_or_default(),
                        n.to_string(),
                    ])?;
                }
                w.flush()?;
            }
            OutputFormat::Json => {
                let v: Vec<_> = rows
                    .iter()
                    .map(|(z, area, n)| json!({"zone": z.name, "name": z.names.name, "name_zh": z.names.zh, "name_en": z.names.en, "area_m2": area.map(|a| (a * 10.0).round() / 10.0), "assets": n}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
        }
        Ok(())
    }
}
