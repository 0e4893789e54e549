//! `greenward init`: create the database and load a site configuration into it.

use std::path::PathBuf;

use anyhow::Context;

use super::Ctx;
use crate::site::{self, SiteConfig};

/// Create (or migrate) the database and load a site configuration.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  greenward init                      # the embedded Barkhor site\n  greenward init --site mycity/site.toml\n  greenward --db city.db init --site mycity/site.toml"
)]
pub struct Cmd {
    /// Site file (default: the embedded Barkhor site, geodata/barkhor/site.toml).
    #[arg(long)]
    pub site: Option<PathBuf>,
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let cfg = match &self.site {
            Some(p) => SiteConfig::load(p)?,
            None => site::embedded_barkhor(),
        };
        let mut store = ctx.open_store()?;
        store
            .write(|tx| tx.set_site_values(&site::to_store_values(&cfg)))
            .context("cannot save the site configuration")?;
        println!(
            "{}: site '{}' ({}, {:.4} N {:.4} E, {} m)",
            ctx.db.display(),
            cfg.site.name,
            cfg.site.timezone,
            cfg.site.latitude,
            cfg.site.longitude,
            cfg.site.altitude_m
        );
        if let Some(a) = &cfg.site.assets {
            println!(
                "next: greenward --db {} import {}",
                ctx.db.display(),
                cfg.resolve(a).display()
            );
        }
        Ok(())
    }
}
