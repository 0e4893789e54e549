//! `greenward assets …`: list, show, set, retire, replace.

use anyhow::Context;
use serde_json::{Value, json};

use super::{Ctx, OutputFormat};
use crate::interchange::export::asset_properties;
use crate::model::{AssetKind, AssetRecord};
use crate::register::{self, edit::parse_assignments};
use crate::store::AssetFilter;

/// Work with single assets.
#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// List assets.
    #[command(
        after_help = "Examples:\n  greenward assets list --kind tree --zone jokhang-square\n  greenward assets list --format csv > assets.csv"
    )]
    List {
        #[arg(long)]
        kind: Option<AssetKind>,
        #[arg(long)]
        zone: Option<String>,
        #[arg(long)]
        include_retired: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
    /// Show one asset with its history.
    #[command(after_help = "Example:\n  greenward assets show FB-PTL-001")]
    Show { asset_ref: String },
    /// Change fields: field=value (empty value clears; tag:KEY=value sets a free tag).
    #[command(
        after_help = "Examples:\n  greenward assets set TR-JKS-0001 dbh_cm=32 condition=fair --by dawa\n  greenward assets set FB-PTL-001 planting=\"Tagetes erecta\" box_count=4"
    )]
    Set {
        asset_ref: String,
        #[arg(required = true)]
        fields: Vec<String>,
        #[arg(long)]
        by: Option<String>,
    },
    /// Retire an asset: it stays in the register with its history but leaves schedules and lists.
    #[command(
        after_help = "Example:\n  greenward assets retire FB-PTL-009 --reason \"square redesigned\""
    )]
    Retire {
        asset_ref: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: Option<String>,
    },
    /// Start a new occupant on a site (a new tree where a dead one stood); the site keeps its
    /// ref and history.
    #[command(
        after_help = "Example:\n  greenward assets replace TR-BKS-0042 species=\"Salix matsudana\" dbh_cm=6 --reason \"dead tree removed\""
    )]
    Replace {
        asset_ref: String,
        fields: Vec<String>,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        by: Option<String>,
    },
}

/// The JSON form of an asset in `assets list --format json`: the export properties plus `lon`/`lat`.
pub fn asset_json(a: &AssetRecord) -> Value {
    let mut p = asset_properties(a);
    let (lon, lat) = a.anchor();
    p.insert("lon".into(), json!((lon * 1e7).round() / 1e7));
    p.insert("lat".into(), json!((lat * 1e7).round() / 1e7));
    Value::Object(p)
}

fn what(a: &AssetRecord) -> String {
    let p = asset_properties(a);
    ["species", "planting", "plant", "park_type", "water"]
        .iter()
        .find_map(|k| p.get(*k).and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut store = ctx.open_store()?;
        match self.action {
            Action::List {
                kind,
                zone,
                include_retired,
                format,
            } => {
                let assets = store.read().assets(&AssetFilter {
                    kind,
                    zone,
                    include_retired,
                })?;
                let mut out = std::io::stdout().lock();
                match format {
                    OutputFormat::Json => {
                        let v: Vec<Value> = assets.iter().map(asset_json).collect();
                        serde_json::to_writer_pretty(&mut out, &v)?;
                        println!();
                    }
                    OutputFormat::Csv => crate::interchange::export::write_csv(&mut out, &assets)?,
                    OutputFormat::Table => {
                        use std::io::Write;
                        writeln!(
                            out,
                            "{:<14} {:<17} {:<20} {:<9} {:<10} SPECIES/PLANTING",
                            "REF", "KIND", "ZONE", "STATE", "CONDITION"
                        )?;
                        for a in &assets {
                            let p = asset_properties(a);
                            let get = |k: &str| {
                                p.get(k).and_then(Value::as_str).unwrap_or("").to_string()
                            };
                            writeln!(
                                out,
                                "{:<14} {:<17} {:<20} {:<9} {:<10} {}",
                                a.asset_ref,
                                a.kind().as_str(),
                                a.zone.as_deref().unwrap_or(""),
                                get("site_state"),
                                get("condition"),
                                what(a)
                            )?;
                        }
                        writeln!(out, "{} asset(s)", assets.len())?;
                    }
                }
            }
            Action::Show { asset_ref } => {
                let read = store.read();
                let a = read.asset_by_ref(&asset_ref)?.with_context(|| {
                    format!(
                        "no asset with ref '{asset_ref}'\n  list them with: greenward assets list"
                    )
                })?;
                let p = asset_json(&a);
                println!("{}  ({})", a.asset_ref, a.kind());
                if let Value::Object(m) = &p {
                    for (k, v) in m {
                        let v = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string());
                        println!("  {k:<16} {v}");
                    }
                }
                println!(
                    "  {:<16} {}",
                    "source",
                    a.provenance.source.as_deref().unwrap_or("-")
                );
                println!(
                    "  {:<16} {}",
                    "source_id",
                    a.provenance.source_id.as_deref().unwrap_or("-")
                );
                let past = read.past_occupants(a.id)?;
                if !past.is_empty() {
                    println!("past occupants:");
                    for o in past {
                        println!(
                            "  #{} ended {} ({}): {}",
                            o.occupant_no,
                            o.ended_on,
                            o.end_reason.as_deref().unwrap_or("-"),
                            o.data
                        );
                    }
                }
                println!("history:");
                for h in read.asset_history(a.id)? {
                    let by = h.actor.map(|a| format!(" by {a}")).unwrap_or_default();
                    match h.field {
                        Some(f) if f != "occupant" => println!(
                            "  {} {}{}: {} {} -> {}",
                            h.at,
                            h.action,
                            by,
                            f,
                            h.old_value.as_deref().unwrap_or("(none)"),
                            h.new_value.as_deref().unwrap_or("(none)")
                        ),
                        Some(_) => println!(
                            "  {} {}{}: new occupant ({})",
                            h.at,
                            h.action,
                            by,
                            h.new_value.as_deref().unwrap_or("")
                        ),
                        None => println!(
                            "  {} {}{} {}",
                            h.at,
                            h.action,
                            by,
                            h.detail.as_deref().unwrap_or("")
                        ),
                    }
                }
            }
            Action::Set {
                asset_ref,
                fields,
                by,
            } => {
                let assignments = parse_assignments(&fields)?;
                let changes =
                    register::set_fields(&mut store, &asset_ref, &assignments, by.as_deref())?;
                if changes.is_empty() {
                    println!("{asset_ref}: nothing changed");
                }
                for c in changes {
                    println!(
                        "{asset_ref}: {} {} -> {}",
                        c.field,
                        c.old.as_deref().unwrap_or("(none)"),
                        c.new.as_deref().unwrap_or("(none)")
                    );
                }
            }
            Action::Retire {
                asset_ref,
                reason,
                by,
            } => {
                register::retire(&mut store, &asset_ref, &reason, by.as_deref())?;
                println!("{asset_ref}: retired ({reason})");
            }
            Action::Replace {
                asset_ref,
                fields,
                reason,
                by,
            } => {
                let assignments = parse_assignments(&fields)?;
                let changes = register::replace_occupant(
                    &mut store,
                    &asset_ref,
                    &assignments,
                    &reason,
                    ctx.today,
                    by.as_deref(),
                )?;
                println!(
                    "{asset_ref}: new occupant from {} ({} field(s) changed)",
                    ctx.today,
                    changes.len()
                );
            }
        }
        Ok(())
    }
}
