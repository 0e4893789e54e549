//! `greenward import FILE`: GeoJSON and CSV (city tree inventories as published) into the
//! register.

use std::path::PathBuf;

use anyhow::Context;

use super::{Ctx, progress_bar};
use crate::interchange::{ColumnMap, DateOrder};
use crate::model::AssetKind;
use crate::register::{ImportOptions, ImportSummary, import_file};

/// Import assets and zones from a file, in one transaction.
///
/// Example: greenward import geodata/barkhor/barkhor.geojson
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  greenward import trees.geojson\n  greenward import osm.geojson --kind tree --source osm-2026\n  greenward import city.geojson --skip-invalid --report rejected.txt\n  greenward import 2015_Street_Tree_Census.csv\n  greenward import arbres.csv --date-format dmy --map \"girth=circumference_cm,easting=lon,northing=lat\"\n\nCSV: the delimiter (comma, semicolon, tab) is detected; header names of the NYC census, the Paris\ninventory and generic files (lon/lat, species, dbh_cm, height_m, ...) are recognised; other columns\nare kept as tags. Sizes are converted to cm and m (inches, feet, circumference -> DBH = C/pi)."
)]
pub struct Cmd {
    /// GeoJSON file (a FeatureCollection, a Feature, or newline-delimited Features) or CSV/TSV file.
    pub file: PathBuf,
    /// Kind of the features that do not say (tree, flower_box_group, tree_row, green_area, park, water_feature).
    #[arg(long)]
    pub kind: Option<AssetKind>,
    /// Source name for upserts (default: the file's base name).
    #[arg(long)]
    pub source: Option<String>,
    /// Import the valid features and write the invalid ones with their reasons to a report.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Report file for --skip-invalid (default: FILE.rejected.txt).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Who is importing, for the audit log.
    #[arg(long)]
    pub by: Option<String>,
    /// Order of dates written with the year last: dmy (3/4/2010 is 3 April) or mdy (March 4).
    /// Without it an ambiguous date is refused.
    #[arg(long, value_name = "dmy|mdy")]
    pub date_format: Option<DateOrder>,
    /// CSV columns the built-in aliases miss, as COLUMN=FIELD (comma-separated or repeated);
    /// FIELD is e.g. lon, lat, id, species, dbh_in, circumference_cm, height_ft, ignore, tag.
    #[arg(long, value_name = "COLUMN=FIELD", value_delimiter = ',')]
    pub map: Vec<ColumnMap>,
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut store = ctx.open_store()?;
        let opts = ImportOptions {
            kind: self.kind,
            source: self.source,
            skip_invalid: self.skip_invalid,
            report: self.report,
            actor: self.by,
            date_order: self.date_format,
            map: self.map,
        };
        let bar = progress_bar(None, "reading features");
        let summary = import_file(&mut store, &self.file, &opts, Some(&bar));
        bar.finish_and_clear();
        let summary = summary.with_context(|| {
            format!(
                "import of {} failed; the database is unchanged",
                self.file.display()
            )
        })?;
        print_summary(&summary);
        Ok(())
    }
}

/// Prints what an import did.
pub fn print_summary(s: &ImportSummary) {
    println!(
        "imported {} (source {}): {} created, {} updated, {} rejected",
        s.file,
        s.source,
        s.created,
        s.updated,
        s.rejected.len()
    );
    if s.zones_imported > 0 {
        println!("zones: {} from polygons", s.zones_imported);
    }
    if !s.new_zones.is_empty() {
        println!(
            "new zones (named by assets, no polygon yet): {}",
            s.new_zones.join(", ")
        );
    }
    if s.unzoned > 0 {
        println!(
            "{} asset(s) outside every zone went to 'unzoned'",
            s.unzoned
        );
    }
    if !s.by_kind.is_empty() {
        let parts: Vec<String> = s.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("by kind: {}", parts.join(", "));
    }
    if let Some(r) = &s.report {
        println!("rejected records and their reasons: {}", r.display());
    }
}
