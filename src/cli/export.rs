//! `greenward export`: the register as GeoJSON (RFC 7946, for QGIS/GDAL) or CSV.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::Ctx;
use crate::interchange::export::{write_csv, write_geojson};
use crate::model::AssetKind;
use crate::store::AssetFilter;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Geojson,
    Csv,
}

/// Export assets (and, without --kind, the zone polygons) to GeoJSON or CSV.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  greenward export --format geojson --out barkhor.geojson\n  greenward export --format csv --kind tree --zone jokhang-square > trees.csv"
)]
pub struct Cmd {
    #[arg(long, value_enum, default_value = "geojson")]
    pub format: ExportFormat,
    /// Only assets of this kind.
    #[arg(long)]
    pub kind: Option<AssetKind>,
    /// Only assets of this zone (by name).
    #[arg(long)]
    pub zone: Option<String>,
    /// Include retired assets.
    #[arg(long)]
    pub include_retired: bool,
    /// Output file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let store = ctx.open_store()?;
        let read = store.read();
        if let Some(z) = &self.zone {
            read.zone_by_name(z)?.with_context(|| {
                format!("zone '{z}' does not exist\n  list zones with: greenward zones list")
            })?;
        }
        let filter = AssetFilter {
            kind: self.kind,
            zone: self.zone.clone(),
            include_retired: self.include_retired,
        };
        let assets = read.assets(&filter)?;
        let zones = match (&self.kind, &self.zone) {
            (None, None) => read.zones()?,
            (None, Some(z)) => read.zones()?.into_iter().filter(|x| &x.name == z).collect(),
            _ => Vec::new(),
        };
        let mut out: Box<dyn Write> = match &self.out {
            Some(p) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create {}", p.display()))?,
            )),
            None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        };
        match self.format {
            ExportFormat::Geojson => write_geojson(&mut out, &zones, &assets)?,
            ExportFormat::Csv => write_csv(&mut out, &assets)?,
        }
        out.flush()?;
        if let Some(p) = &self.out {
            eprintln!("wrote {} assets to {}", assets.len(), p.display());
        }
        Ok(())
    }
}
