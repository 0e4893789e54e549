//! `greenward synth`: write a synthetic city (zones, assets, site file, generic rules and crews).

use std::path::PathBuf;

use anyhow::Context;

use super::Ctx;
use crate::synth::city::{ASSETS_FILE, SCHEDULES_DIR, SITE_FILE, ZONES_FILE, synth_city};

/// Write a realistic synthetic city: same seed, same files.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  greenward synth --assets 1000000 --seed 42 --out /tmp/city\n  greenward --db /tmp/city.db init --site /tmp/city/site.toml\n  greenward --db /tmp/city.db import /tmp/city/zones.geojson\n  greenward --db /tmp/city.db import /tmp/city/assets.geojson"
)]
pub struct Cmd {
    /// Number of assets (trees, box groups, parks, lawns, ponds).
    #[arg(long)]
    pub assets: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output folder (created if needed).
    #[arg(long)]
    pub out: PathBuf,
}

impl Cmd {
    pub fn run(self, _ctx: &Ctx) -> anyhow::Result<()> {
        if self.assets == 0 {
            anyhow::bail!("--assets must be at least 1");
        }
        let s = synth_city(self.assets, self.seed, &self.out)
            .with_context(|| format!("cannot write the city into {}", self.out.display()))?;
        let d = self.out.display();
        println!(
            "{d}: {} assets ({} trees, {} flower-box groups, {} squares, {} parks, {} green areas, {} water features) in {} districts",
            s.assets,
            s.trees,
            s.flower_box_groups,
            s.squares,
            s.parks,
            s.green_areas,
            s.water_features,
            s.zones
        );
        println!(
            "files: {d}/{ZONES_FILE}, {d}/{ASSETS_FILE}, {d}/{SITE_FILE}, {d}/{SCHEDULES_DIR}/rules.toml, {d}/{SCHEDULES_DIR}/crews.toml"
        );
        Ok(())
    }
}
