//! `greenward coverage`: how much of the work that fell due in a period was done on time.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};

use super::{Ctx, OutputFormat};
use crate::coverage::{self, Counts, GroupBy, Report, WaterStress};

/// Coverage of a period: due, on time, late, missed, coverage = on time / due.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "A task falls due when its deadline (due time + grace) passes; open tasks \
whose deadline is after now (the end of --today) are not yet due. Cancelled tasks and skips with \
a valid reason (covered_by_rain, frost_guard, asset_retired, access_blocked, rule_changed, \
duplicate) are not due. Missed = open past the deadline, or skipped without a valid reason.\n\n\
Examples:\n  greenward coverage --from 2027-05-10 --to 2027-05-16\n  greenward coverage --from 2027-05-01 --to 2027-05-31 --by zone,type --format csv\n  greenward coverage --from 2027-05-01 --to 2027-05-31 --by week --format json"
)]
pub struct Cmd {
    /// First day of the period (deadlines on or after it).
    #[arg(long)]
    pub from: NaiveDate,
    /// Last day of the period, inclusive.
    #[arg(long)]
    pub to: NaiveDate,
    /// Group by one or more of zone, type, week (ISO, by deadline), crew; comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "type")]
    pub by: Vec<GroupBy>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Only one part of the report (CSV prints one part; default there: tasks).
    #[arg(long, value_enum)]
    pub section: Option<Section>,
}

/// A part of the coverage report.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Task counts per group.
    Tasks,
    /// Patrol reports closed in time, by severity.
    Patrol,
    /// Water-stress days per asset.
    WaterStress,
}

/// The moment coverage is judged at: the real time when `--today` is the real date, else the
/// end of `--today` (23:59:59 in the site zone), so runs with a fixed `--today` are reproducible.
pub fn as_of(ctx: &Ctx, tz: chrono_tz::Tz) -> DateTime<FixedOffset> {
    let real = chrono::Utc::now().with_timezone(&tz);
    if real.date_naive() == ctx.today {
        return real.fixed_offset();
    }
    let end = ctx.today.and_hms_opt(23, 59, 59).expect("valid time");
    tz.from_local_datetime(&end)
        .latest()
        .unwrap_or(real)
        .fixed_offset()
}

fn pct(c: &Counts) -> String {
    c.coverage()
        .map(|v| format!("{:.1} %", v * 100.0))
        .unwrap_or_else(|| "-".into())
}

fn ratio(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_default()
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        if self.to < self.from {
            anyhow::bail!("--to {} is before --from {}", self.to, self.from);
        }
        let store = ctx.open_store()?;
        let site = ctx.site(&store)?;
        let now = as_of(ctx, site.tz());
        let mut by = self.by.clone();
        by.dedup();
        let report = coverage::build(&store, self.from, self.to, now, &by)?;
        match self.format {
            OutputFormat::Json => {
                let mut v = report.to_json();
                if let Some(s) = self.section {
                    let keep = match s {
                        Section::Tasks => ["groups", "total"].as_slice(),
                        Section::Patrol => &["patrol_reports"],
                        Section::WaterStress => &["water_stress"],
                    };
                    if let Some(o) = v.as_object_mut() {
                        for k in ["groups", "total", "patrol_reports", "water_stress"] {
                            if !keep.contains(&k) {
                                o.remove(k);
                            }
                        }
                    }
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
            OutputFormat::Csv => print_csv(&report, self.section.unwrap_or(Section::Tasks))?,
            OutputFormat::Table => {
                let all = self.section.is_none();
                let want = |s: Section| all || self.section == Some(s);
                println!(
                    "coverage {}..{} (deadlines in the period; judged at {})",
                    report.from,
                    report.to,
                    report.now.to_rfc3339()
                );
                if want(Section::Tasks) {
                    print_groups(&report);
                }
                if want(Section::Patrol) {
                    print_patrol(&report);
                }
                if want(Section::WaterStress) {
                    print_stress(&report);
                }
            }
        }
        Ok(())
    }
}

fn print_groups(r: &Report) {
    let widths: Vec<usize> =
        r.by.iter()
            .enumerate()
            .map(|(i, b)| {
                r.groups
                    .iter()
                    .map(|g| g.key[i].chars().count())
                    .chain([b.as_str().len(), 5])
                    .max()
                    .unwrap_or(8)
            })
            .collect();
    let mut head = String::new();
    for (b, w) in r.by.iter().zip(&widths) {
        head.push_str(&format!("{:<w$}  ", b.as_str().to_uppercase()));
    }
    println!(
        "{head}{:>6} {:>7} {:>6} {:>7} {:>9} {:>11} {:>8} {:>9}",
        "DUE", "ON_TIME", "LATE", "MISSED", "COVERAGE", "NOT_YET_DUE", "EXCUSED", "CANCELLED"
    );
    let line = |label: String, c: &Counts| {
        println!(
            "{label}{:>6} {:>7} {:>6} {:>7} {:>9} {:>11} {:>8} {:>9}",
            c.due,
            c.on_time,
            c.late,
            c.missed,
            pct(c),
            c.not_yet_due,
            c.excused,
            c.cancelled
        );
    };
    for g in &r.groups {
        let mut label = String::new();
        for (k, w) in g.key.iter().zip(&widths) {
            label.push_str(&format!("{k:<w$}  "));
        }
        line(label, &g.counts);
    }
    let total_w: usize = widths.iter().map(|w| w + 2).sum();
    line(format!("{:<total_w$}", "total"), &r.total);
}

fn print_patrol(r: &Report) {
    println!("\npatrol reports closed (signed off) within their deadline:");
    if r.patrol.is_empty() {
        println!("  none fell due");
        return;
    }
    println!(
        "  {:<10} {:>5} {:>14} {:>11} {:>7} {:>8}",
        "SEVERITY", "DUE", "CLOSED_IN_TIME", "CLOSED_LATE", "MISSED", "SHARE"
    );
    for (sev, p) in &r.patrol {
        println!(
            "  {:<10} {:>5} {:>14} {:>11} {:>7} {:>8}",
            sev,
            p.counts.due,
            p.counts.on_time,
            p.counts.late,
            p.counts.missed,
            pct(&p.counts)
        );
    }
}

fn print_stress(r: &Report) {
    println!("\nwater-stress days (depletion over MAD × TAW):");
    match &r.water_stress {
        WaterStress::Unavailable { note } => println!("  {note}"),
        WaterStress::Assets(v) if v.is_empty() => println!("  no depletion recorded"),
        WaterStress::Assets(v) => {
            println!(
                "  {:<14} {:<18} {:<22} {:>5} {:>11} {:>9} {:>10}",
                "REF", "KIND", "ZONE", "DAYS", "STRESS_DAYS", "MAX_MM", "LIMIT_MM"
            );
            for (d, rf, k, z) in v {
                println!(
                    "  {:<14} {:<18} {:<22} {:>5} {:>11} {:>9.1} {:>10.1}",
                    rf, k, z, d.days, d.stress_days, d.max_depletion_mm, d.threshold_mm
                );
            }
        }
    }
}

fn print_csv(r: &Report, section: Section) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    match section {
        Section::Tasks => {
            let mut head: Vec<String> = r.by.iter().map(|b| b.as_str().to_string()).collect();
            head.extend(
                [
                    "due",
                    "on_time",
                    "late",
                    "missed",
                    "coverage",
                    "not_yet_due",
                    "excused",
                    "cancelled",
                ]
                .map(String::from),
            );
            w.write_record(&head)?;
            for g in &r.groups {
                let c = &g.counts;
                let mut row = g.key.clone();
                row.extend([
                    c.due.to_string(),
                    c.on_time.to_string(),
                    c.late.to_string(),
                    c.missed.to_string(),
                    ratio(c.coverage()),
                    c.not_yet_due.to_string(),
                    c.excused.to_string(),
                    c.cancelled.to_string(),
                ]);
                w.write_record(&row)?;
            }
        }
        Section::Patrol => {
            w.write_record([
                "severity",
                "due",
                "closed_in_time",
                "closed_late",
                "missed",
                "closed_in_time_share",
            ])?;
            for (sev, p) in &r.patrol {
                w.write_record([
                    sev.clone(),
                    p.counts.due.to_string(),
                    p.counts.on_time.to_string(),
                    p.counts.late.to_string(),
                    p.counts.missed.to_string(),
                    ratio(p.closed_in_time_share()),
                ])?;
            }
        }
        Section::WaterStress => {
            w.write_record([
                "ref",
                "kind",
                "zone",
                "days",
                "stress_days",
                "max_depletion_mm",
                "threshold_mm",
            ])?;
            match &r.water_stress {
                WaterStress::Unavailable { note } => eprintln!("greenward: {note}"),
                WaterStress::Assets(v) => {
                    for (d, rf, k, z) in v {
                        w.write_record([
                            rf.clone(),
                            k.clone(),
                            z.clone(),
                            d.days.to_string(),
                            d.stress_days.to_string(),
                            format!("{:.1}", d.max_depletion_mm),
                            format!("{:.1}", d.threshold_mm),
                        ])?;
                    }
                }
            }
        }
    }
    w.flush()?;
    Ok(())
}
