//! `greenward observe`: record a scouting observation of a pest on an asset.

use anyhow::{Context, bail};

use super::Ctx;
use crate::ipm::{self, Observation, SEVERITY_MAX};

/// Record what a scouting visit found: a pest and its severity on one asset.
///
/// Only records it, and says whether it is at or over the pest's action threshold (then the
/// scheduler plans a treatment in the pest's spraying hours).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Severity: 0 none found, 1 light, 2 moderate, 3 severe.\n\nExamples:\n  greenward observe TR-JKS-0012 --pest willow_sawfly --severity 2 --pct-crown 15 --by dawa\n  greenward observe TR-BKS-0042 --pest asian_longhorned_beetle --severity 0 --note \"no exit holes\""
)]
pub struct Cmd {
    /// The asset's ref (as on its tag).
    pub asset_ref: String,
    /// Pest id from the site's pests.toml (e.g. willow_sawfly).
    #[arg(long)]
    pub pest: String,
    /// 0 none found, 1 light, 2 moderate, 3 severe.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub severity: u8,
    /// Share of the crown affected, % (0-100).
    #[arg(long)]
    pub pct_crown: Option<f64>,
    /// Who scouted.
    #[arg(long)]
    pub by: Option<String>,
    /// Free note.
    #[arg(long)]
    pub note: Option<String>,
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        if self.severity > SEVERITY_MAX {
            bail!(
                "--severity {}: the scale runs from 0 to {SEVERITY_MAX}",
                self.severity
            );
        }
        if let Some(p) = self.pct_crown
            && !(p.is_finite() && (0.0..=100.0).contains(&p))
        {
            bail!("--pct-crown {p}: the share of the crown must be between 0 and 100 %");
        }
        let mut store = ctx.open_store()?;
        let site = ctx.site(&store)?;
        let pests = ipm::pests_for_site(&site)?;
        let Some(pest) = pests.get(&self.pest) else {
            bail!(
                "--pest {}: not a pest of {}; known: {}",
                self.pest,
                pests.source,
                pests.ids().join(", ")
            );
        };
        let Some(asset) = store.read().asset_by_ref(&self.asset_ref)? else {
            bail!(
                "{}: no asset has this ref\n  check the tag, or find it with `greenward assets list`",
                self.asset_ref
            );
        };
        if let Some(reason) = &asset.retired {
            bail!(
                "{}: the asset is retired ({reason}); observations are for assets in the register",
                self.asset_ref
            );
        }
        if !pest.hosts_asset(&asset) {
            eprintln!(
                "note: {} is not on the host list of {} ({}); recorded anyway",
                self.asset_ref,
                pest.id,
                pest.hosts.join(", ")
            );
        }
        let obs = Observation {
            id: 0,
            asset_id: asset.id,
            asset_ref: asset.asset_ref.clone(),
            pest_id: pest.id.clone(),
            severity: self.severity,
            pct_crown: self.pct_crown,
            observed_at: ctx.today,
            observer: self.by.clone(),
            note: self.note.clone(),
        };
        let id = store
            .write(|tx| tx.insert_observation(&obs))
            .context("the observation was not recorded")?;
        let crown = self
            .pct_crown
            .map(|p| format!(", {p:.0} % of the crown"))
            .unwrap_or_default();
        println!(
            "observation {id}: {} {} ({}) severity {}{crown} on {}",
            asset.asset_ref,
            pest.id,
            pest.display_name(),
            self.severity,
            ctx.today
        );
        if pest.over_threshold(self.severity) {
            println!(
                "at or over the action threshold {}: a treatment is needed (spraying hours {})",
                pest.action_threshold, pest.spray_hours
            );
        } else {
            println!(
                "below the action threshold {}: no treatment",
                pest.action_threshold
            );
        }
        Ok(())
    }
}
