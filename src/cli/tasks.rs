//! `greenward tasks …`: day lists, done, skip, sign-off; `greenward report`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, FixedOffset, NaiveDate};

use super::Ctx;
use crate::model::AssetRecord;
use crate::store::AssetFilter;
use crate::tasks::daylist::{self, DayList};
use crate::tasks::lifecycle::{self, Completion, Severity};
use crate::tasks::{TaskFilter, TaskState};

/// Crew tasks: day lists, completion, skips, sign-off.
#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
    Ics,
    Html,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// A crew's day in walking order (or, without --crew, every open task of the day).
    #[command(
        after_help = "Examples:\n  greenward tasks list --crew potala --date 2027-05-10\n  greenward tasks list --crew potala --date 2027-05-10 --format ics > potala.ics\n  greenward tasks list --crew jokhang --format html --lang zh --out jokhang.html"
    )]
    List {
        #[arg(long)]
        crew: Option<String>,
        /// Day (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        /// Label language first in the HTML list (both are always printed).
        #[arg(long, value_enum, default_value = "zh")]
        lang: Lang,
        /// Include done, skipped and cancelled tasks.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Mark tasks done: by id, or every open task of one asset (--asset) or zone (--zone) on a day.
    #[command(
        after_help = "Examples:\n  greenward tasks done 12 13 14 --by dawa\n  greenward tasks done 40 --water-l 10.5\n  greenward tasks done 77 --product \"Bt var. kurstaki\" --dose \"1 g/L\"\n  greenward tasks done --asset FB-PTL-001 --date 2027-05-10 --by dawa\n  greenward tasks done --zone jokhang-square --date 2027-05-10"
    )]
    Done {
        ids: Vec<i64>,
        #[arg(long, conflicts_with = "zone")]
        asset: Option<String>,
        #[arg(long)]
        zone: Option<String>,
        /// Day of the group (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// When the work was done (RFC 3339; default: now on --today).
        #[arg(long)]
        at: Option<DateTime<FixedOffset>>,
        /// Litres of water given.
        #[arg(long)]
        water_l: Option<f64>,
        /// Product sprayed.
        #[arg(long)]
        product: Option<String>,
        #[arg(long, requires = "product")]
        dose: Option<String>,
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Skip an open task with a reason from the fixed list.
    #[command(
        after_help = "Reasons (valid for coverage: yes/no):\n  covered_by_rain yes, frost_guard yes, asset_retired yes, access_blocked yes, rule_changed yes,\n  duplicate yes, no_time no, no_material no, equipment no, other no\nExample:\n  greenward tasks skip 41 --reason access_blocked --note \"Saga Dawa pilgrims\""
    )]
    Skip {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Why an asset got (or did not get) a watering task on a day: the water-need check.
    #[command(after_help = "Example:\n  greenward tasks why FB-PTL-001 --date 2027-05-12")]
    Why {
        asset_ref: String,
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Sign off a patrol report whose work is done (销号).
    #[command(after_help = "Example:\n  greenward tasks verify 310 --by office")]
    Verify {
        id: i64,
        #[arg(long)]
        by: String,
    },
}

/// A patrol report on an asset: opens an ad-hoc task with a deadline from the site config.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  greenward report FB-JKS-004 --severity minor --note \"box tipped over\" --fixed --by dawa\n  greenward report TR-BKS-0042 --severity major --note \"split limb over the path\""
)]
pub struct ReportCmd {
    pub asset_ref: String,
    #[arg(long, value_enum)]
    pub severity: Severity,
    #[arg(long)]
    pub note: String,
    #[arg(long)]
    pub by: Option<String>,
    /// Minor problem fixed on the spot: close the report at once.
    #[arg(long)]
    pub fixed: bool,
    /// When it was reported (RFC 3339; default: now on --today).
    #[arg(long)]
    pub at: Option<DateTime<FixedOffset>>,
}

impl ReportCmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut store = ctx.open_store()?;
        let site = ctx.site(&store)?;
        let tz = site.tz();
        let at = self
            .at
            .map(|a| a.with_timezone(&tz))
            .unwrap_or_else(|| ctx.now(tz));
        let t = lifecycle::report(
            &mut store,
            &self.asset_ref,
            self.severity,
            &self.note,
            at,
            &site.patrol_deadlines,
            self.by.as_deref(),
            self.fixed,
        )?;
        println!(
            "report {} on {} ({}): {}, deadline {}",
            t.id,
            t.asset_ref,
            self.severity.as_str(),
            if t.state == TaskState::Done {
                "fixed on the spot and signed off"
            } else {
                "open"
            },
            t.deadline_at.to_rfc3339()
        );
        Ok(())
    }
}

/// Loads the assets tasks point at.
fn assets_by_id(store: &crate::store::Store) -> anyhow::Result<BTreeMap<i64, AssetRecord>> {
    Ok(store
        .read()
        .assets(&AssetFilter {
            include_retired: true,
            ..Default::default()
        })?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut store = ctx.open_store()?;
        let site = ctx.site(&store)?;
        let tz = site.tz();
        match self.action {
            Action::List {
                crew,
                date,
                format,
                lang,
                all,
                out,
            } => {
                let date = date.unwrap_or(ctx.today);
                let filter = TaskFilter {
                    from: Some(date),
                    to: Some(date),
                    crew: crew.clone(),
                    state: (!all).then_some(TaskState::Open),
                    ..Default::default()
                };
                let tasks = store.read().tasks(&filter)?;
                let text = match &crew {
                    Some(name) => {
                        let c = store
                            .read()
                            .crews()?
                            .into_iter()
                            .find(|c| &c.name == name)
                            .with_context(|| format!("no crew named '{name}'\n  crews come from the site's crews.toml, loaded by: greenward schedule run"))?;
                        let day: DayList =
                            daylist::build(&c, date, tz, tasks, &assets_by_id(&store)?);
                        match format {
                            ListFormat::Table => daylist::to_table(&day),
                            ListFormat::Csv => daylist::to_csv(&day)?,
                            ListFormat::Json => {
                                serde_json::to_string_pretty(&daylist::to_json(&day))? + "\n"
                            }
                            ListFormat::Ics => daylist::to_ics(&day, &site.site.name),
                            ListFormat::Html => daylist::to_html(&day, lang == Lang::Zh),
                        }
                    }
                    None => {
                        if format != ListFormat::Table {
                            anyhow::bail!(
                                "--format {format:?} needs --crew: a day list is one crew's walk"
                            );
                        }
                        let mut s = format!("{} task(s) on {date}\n", tasks.len());
                        for t in &tasks {
                            s.push_str(&format!(
                                "{:>6} {:<14} {:<18} {:<12} {:<9} {}\n",
                                t.id,
                                t.asset_ref,
                                t.task_type,
                                t.crew.as_deref().unwrap_or("(no crew)"),
                                t.state.as_str(),
                                t.due_at.format("%H:%M")
                            ));
                        }
                        s
                    }
                };
                match out {
                    Some(p) => {
                        std::fs::write(&p, text)
                            .with_context(|| format!("cannot write {}", p.display()))?;
                        eprintln!("wrote {}", p.display());
                    }
                    None => print!("{text}"),
                }
            }
            Action::Done {
                ids,
                asset,
                zone,
                date,
                at,
                water_l,
                product,
                dose,
                by,
                note,
            } => {
                let now = ctx.now(tz).fixed_offset();
                let normals = crate::weather::site_normals_opt(&site)?;
                let pests = crate::ipm::pests_for_site(&site)?;
                let sc = lifecycle::SiteContext {
                    tz,
                    normals: normals.as_ref(),
                    pests: &pests,
                };
                let c = Completion {
                    at,
                    by,
                    water_l,
                    product,
                    dose,
                    note,
                };
                let done = if let Some(r) = asset {
                    let a = store
                        .read()
                        .asset_by_ref(&r)?
                        .with_context(|| format!("no asset with ref '{r}'"))?;
                    let day = date.unwrap_or(ctx.today);
                    let f = TaskFilter {
                        from: Some(day),
                        to: Some(day),
                        asset_id: Some(a.id),
                        ..Default::default()
                    };
                    lifecycle::complete_group(
                        &mut store,
                        f,
                        &format!("asset {r} on {day}"),
                        &c,
                        now,
                        &sc,
                    )?
                } else if let Some(z) = zone {
                    let day = date.unwrap_or(ctx.today);
                    let f = TaskFilter {
                        from: Some(day),
                        to: Some(day),
                        zone: Some(z.clone()),
                        ..Default::default()
                    };
                    lifecycle::complete_group(
                        &mut store,
                        f,
                        &format!("zone {z} on {day}"),
                        &c,
                        now,
                        &sc,
                    )?
                } else {
                    if ids.is_empty() {
                        anyhow::bail!(
                            "name the tasks: greenward tasks done ID… (or --asset REF / --zone ZONE with --date)"
                        );
                    }
                    lifecycle::complete(&mut store, &ids, &c, now, &sc)?
                };
                for t in &done {
                    let waiting = t.task_type == lifecycle::PATROL_REPORT;
                    println!(
                        "task {} ({} {}): done{}",
                        t.id,
                        t.task_type,
                        t.asset_ref,
                        if waiting { ", awaiting sign-off" } else { "" }
                    );
                }
            }
            Action::Skip { id, reason, note } => {
                let t = lifecycle::skip(&mut store, id, &reason, note.as_deref())?;
                println!(
                    "task {} ({} {}): skipped, {reason}",
                    t.id, t.task_type, t.asset_ref
                );
            }
            Action::Why { asset_ref, date } => {
                let day = date.unwrap_or(ctx.today);
                let a = store
                    .read()
                    .asset_by_ref(&asset_ref)?
                    .with_context(|| format!("no asset with ref '{asset_ref}'"))?;
                let checks = store.read().water_checks_of(a.id, day)?;
                if checks.is_empty() {
                    println!(
                        "{asset_ref}: no water-need check on {day} (run greenward schedule run over that day)"
                    );
                }
                for c in checks {
                    let what = if c.task_created {
                        "watering task created"
                    } else {
                        "no watering task"
                    };
                    println!("{asset_ref} {day} ({}): {what}: {}", c.rule_id, c.reason);
                }
            }
            Action::Verify { id, by } => {
                let t = lifecycle::verify(&mut store, id, &by, ctx.now(tz).fixed_offset())?;
                println!("report {} on {}: signed off by {by}", t.id, t.asset_ref);
            }
        }
        Ok(())
    }
}
