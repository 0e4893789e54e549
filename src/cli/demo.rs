//! `greenward demo`: the main job on the embedded Barkhor default — a fresh database from the
//! embedded site and dataset, and a summary of the register.

use std::collections::BTreeMap;

use anyhow::Context;
use bevy_ecs::prelude::Without;

use super::Ctx;
use crate::model::AssetWorld;
use crate::model::components::{Container, Kind, Retired, ZoneMember};
use crate::register::import::{ImportOptions, apply, read_geojson_bytes};
use crate::site;
use crate::store::{AssetFilter, Store};

/// The Barkhor dataset, embedded so the demo runs from any folder.
pub const BARKHOR_GEOJSON: &str = include_str!("../../geodata/barkhor/barkhor.geojson");

/// Build a fresh demo database from the embedded Barkhor site and print a summary.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  greenward demo\n  greenward --db /tmp/barkhor.db demo --from 2027-06-01 --to 2027-06-07"
)]
pub struct Cmd {
    /// First day of the showcase week of tasks.
    #[arg(long, default_value = "2027-05-10")]
    pub from: chrono::NaiveDate,
    /// Last day of the showcase week.
    #[arg(long, default_value = "2027-05-16")]
    pub to: chrono::NaiveDate,
    /// Tasks shown per crew day (the full lists: greenward tasks list --crew C --date D).
    #[arg(long, default_value_t = 8)]
    pub show: usize,
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut store = fresh_demo_store(ctx)?;
        let cfg = site::embedded_barkhor();
        let mut values = site::to_store_values(&cfg);
        values.push(("demo".into(), "true".into()));
        store.write(|tx| tx.set_site_values(&values))?;

        let source = "barkhor.geojson";
        let opts = ImportOptions::default();
        let file = "geodata/barkhor/barkhor.geojson";
        let batch = read_geojson_bytes(file, BARKHOR_GEOJSON.as_bytes(), &opts, source, None)?;
        let summary = apply(&mut store, file, source, batch, &opts)
            .context("the embedded Barkhor dataset did not import")?;
        println!(
            "greenward demo: {} — {} ({})",
            cfg.site.name,
            cfg.site.name_zh.as_deref().unwrap_or(""),
            ctx.db.display()
        );
        super::import::print_summary(&summary);
        print_register_summary(&store)?;

        println!();
        let run = super::schedule::run_range(ctx, &mut store, None, self.from, self.to)?;
        super::schedule::print_summary(self.from, self.to, &run);
        print_first_days(&store, &cfg, self.from, self.show)?;
        drop(store);

        // The season plan of the showcase year: normal weather, 1 March to 30 November.
        println!();
        let year = chrono::Datelike::year(&self.from);
        let plan = super::plan::Cmd {
            from: chrono::NaiveDate::from_ymd_opt(year, 3, 1),
            to: chrono::NaiveDate::from_ymd_opt(year, 11, 30),
            scenario: "normal".into(),
            compare: None,
            rain_scale: None,
            temp_shift: None,
            treatment_rate: Vec::new(),
            last_year_seedlings: None,
            out: std::path::PathBuf::from("charts/plan"),
            rules: None,
            lang: crate::charts::Lang::En,
            font: None,
        };
        let written = plan.execute(ctx)?;
        for p in &written.plans {
            super::plan::print_totals(p);
        }
        println!(
            "season plan report: {} (tables and charts beside it; greenward plan --compare dry,normal,wet for scenarios)",
            written.report.display()
        );
        Ok(())
    }
}

/// Opens the demo database fresh: an absent file, or an earlier demo database, is recreated;
/// any other database is left alone.
fn fresh_demo_store(ctx: &Ctx) -> anyhow::Result<Store> {
    if ctx.db.exists() {
        let is_demo = {
            let store = ctx.open_store()?;
            let empty = store.read().asset_count()? == 0;
            empty || store.site_value("demo")?.as_deref() == Some("true")
        };
        if !is_demo {
            anyhow::bail!(
                "{} holds a register that is not a demo; the demo starts from a fresh database\n  run it elsewhere: greenward --db barkhor-demo.db demo",
                ctx.db.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{suffix}", ctx.db.display());
            if std::path::Path::new(&p).exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("cannot remove the old demo database {p}"))?;
            }
        }
    }
    ctx.open_store()
}

/// Each crew's list for the first day of the week, in walking order.
fn print_first_days(
    store: &Store,
    cfg: &site::SiteConfig,
    day: chrono::NaiveDate,
    show: usize,
) -> anyhow::Result<()> {
    use crate::tasks::{TaskFilter, TaskState, daylist};
    let assets: BTreeMap<i64, crate::model::AssetRecord> = store
        .read()
        .assets(&AssetFilter::default())?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    for crew in store.read().crews()? {
        let tasks = store.read().tasks(&TaskFilter {
            from: Some(day),
            to: Some(day),
            crew: Some(crew.name.clone()),
            state: Some(TaskState::Open),
            ..Default::default()
        })?;
        let list = daylist::build(&crew, day, cfg.tz(), tasks, &assets);
        println!();
        let table = daylist::to_table(&list);
        let mut lines = table.lines();
        for l in lines.by_ref().take(2 + show) {
            println!("{l}");
        }
        let rest = lines.count();
        if rest > 0 {
            println!(
                "  … {rest} more: greenward tasks list --crew {} --date {day}",
                crew.name
            );
        }
    }
    Ok(())
}

/// Counts by kind and by zone, read from the ECS world (a query over components).
pub fn print_register_summary(store: &Store) -> anyhow::Result<()> {
    let records = store.read().assets(&AssetFilter::default())?;
    let mut world = AssetWorld::from_records(&records);
    let mut by_kind: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_zone: BTreeMap<String, usize> = BTreeMap::new();
    let mut boxes = 0u32;
    let mut q = world
        .world
        .query_filtered::<(&Kind, Option<&ZoneMember>, Option<&Container>), Without<Retired>>();
    for (kind, zone, container) in q.iter(&world.world) {
        *by_kind.entry(kind.0.as_str()).or_default() += 1;
        *by_zone
            .entry(zone.map(|z| z.zone.to_string()).unwrap_or_default())
            .or_default() += 1;
        boxes += container.map(|c| c.0.box_count).unwrap_or(0);
    }
    println!("assets by kind:");
    for (k, n) in &by_kind {
        println!("  {k:<18} {n:>6}");
    }
    println!(
        "  {:<18} {boxes:>6}  (boxes in the flower-box groups)",
        "boxes"
    );
    println!("assets by zone:");
    for (z, n) in &by_zone {
        println!("  {z:<22} {n:>6}");
    }
    Ok(())
}
