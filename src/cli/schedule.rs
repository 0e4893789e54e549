//! `greenward schedule run`: materialise tasks from the rules and give them to the crews.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

use super::Ctx;
use crate::schedule::files::{BARKHOR_CREWS, BARKHOR_RULES, load_rules_dir};
use crate::schedule::{RuleSet, parse_rules};
use crate::site::SiteConfig;
use crate::store::Store;
use crate::tasks::Crew;
use crate::tasks::crews::{load_crews, parse_crews};
use crate::tasks::generate::{self, RunSummary};

/// Rules into tasks.
#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Create (or update) the tasks of a date range from the rules; idempotent.
    #[command(
        after_help = "Examples:\n  greenward schedule run --from 2027-05-10 --to 2027-05-16\n  greenward schedule run --from 2027-05-10 --to 2027-05-10 --rules schedules/barkhor"
    )]
    Run {
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
        /// Schedule folder with rule files and crews.toml (default: the site's).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

/// The site's schedule folder, if it exists on disk.
pub fn schedule_dir(site: &SiteConfig, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(g) = given {
        return Some(g.to_path_buf());
    }
    let rel = site.site.schedules.as_deref()?;
    // Relative to the site file's folder first, then to the working folder.
    [site.dir.join(rel), PathBuf::from(rel)]
        .into_iter()
        .find(|p| p.is_dir())
}

/// Rules and crews of the site: from its folder, else (for the embedded Barkhor site) embedded.
pub fn load_schedule(
    store: &Store,
    site: &SiteConfig,
    given: Option<&Path>,
) -> anyhow::Result<(RuleSet, Vec<Crew>)> {
    let zones: Vec<String> = store.read().zones()?.into_iter().map(|z| z.name).collect();
    let known = (!zones.is_empty()).then_some(zones.as_slice());
    match schedule_dir(site, given) {
        Some(dir) => {
            let rules = load_rules_dir(&dir, known)?;
            let crews_file = dir.join("crews.toml");
            let crews = if crews_file.exists() {
                load_crews(&crews_file, known)?
            } else {
                Vec::new()
            };
            Ok((rules, crews))
        }
        None if site.site.schedules.as_deref() == Some("schedules/barkhor") => Ok((
            parse_rules(
                "schedules/barkhor/rules.toml (embedded)",
                BARKHOR_RULES,
                known,
            )?,
            parse_crews(
                "schedules/barkhor/crews.toml (embedded)",
                BARKHOR_CREWS,
                known,
            )?,
        )),
        None => anyhow::bail!("the site names no schedule folder that exists; pass --rules DIR"),
    }
}

/// The site's calendar for the scheduler.
pub fn calendar(ctx: &Ctx, site: &SiteConfig) -> anyhow::Result<generate::Calendar> {
    Ok(generate::Calendar {
        tz: site.tz(),
        blackouts: site.blackouts.iter().map(|b| (b.from, b.to)).collect(),
        today: ctx.today,
        latitude: site.site.latitude,
        altitude_m: site.site.altitude_m,
        normals: crate::weather::site_normals_opt(site)?,
        pests: crate::ipm::pests_for_site(site)?,
        festivals: site.festivals.iter().map(|f| f.date).collect(),
    })
}

/// Runs the scheduler over a range and returns what it did.
pub fn run_range(
    ctx: &Ctx,
    store: &mut Store,
    rules_dir: Option<&Path>,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<RunSummary> {
    let site = ctx.site(store)?;
    let (rules, crews) = load_schedule(store, &site, rules_dir)?;
    let cal = calendar(ctx, &site)?;
    generate::run(store, &rules, &crews, &cal, from, to)
        .context("schedule run failed; no task was changed")
}

/// Prints a run's summary.
pub fn print_summary(from: NaiveDate, to: NaiveDate, s: &RunSummary) {
    println!(
        "schedule {from}..{to}: {} created, {} updated, {} unchanged, {} closed kept, {} cancelled (rule changed), {} cancelled (asset retired)",
        s.created,
        s.updated,
        s.unchanged,
        s.closed_kept,
        s.cancelled_rule_changed,
        s.cancelled_retired
    );
    if s.unassigned > 0 {
        println!(
            "{} task(s) have no crew covering their zone and skill",
            s.unassigned
        );
    }
    if !s.moved.is_empty() {
        println!(
            "{} task(s) moved to the next day (crew over its hours):",
            s.moved.len()
        );
        for m in s.moved.iter().take(20) {
            println!(
                "  task {} {} {} ({}): {} -> {}",
                m.task_id, m.task_type, m.asset_ref, m.crew, m.from, m.to
            );
        }
        if s.moved.len() > 20 {
            println!("  ... and {} more", s.moved.len() - 20);
        }
    }
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut store = ctx.open_store()?;
        let Action::Run { from, to, rules } = self.action;
        let s = run_range(ctx, &mut store, rules.as_deref(), from, to)?;
        print_summary(from, to, &s);
        Ok(())
    }
}
