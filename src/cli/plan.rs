//! `greenward plan`: a seasonal planning run. Reads the register, rules, crews and last
//! completions; writes nothing to the database.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::Ctx;
use crate::charts::{Lang, Style};
use crate::plan::{self, RawArgs, SeasonPlan, SiteInputs};

/// Project every rule and trigger over a season under a weather scenario.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  greenward plan\n  greenward plan --from 2027-03-01 --to 2027-11-30 --scenario dry --out plan\n  greenward plan --scenario lhasa-2024.csv --treatment-rate 0.3 --treatment-rate willow_sawfly=0.5\n  greenward plan --compare dry,normal,wet\n\nNothing is written to the database. Capacity per week = hours_per_day x days of the ISO week inside the period.\nFiles in --out: plan.html (report), plan.json, plan-*.csv, plan-*.png (see docs/plan.md)."
)]
pub struct Cmd {
    /// First day (default: 1 March of the year after --today).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day (default: 30 November of the --from year).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Weather: normal, dry, wet, or a CSV of a past year (date,tmin_c,tmax_c,rain_mm).
    #[arg(long, default_value = "normal", conflicts_with = "compare")]
    pub scenario: String,
    /// Scenarios side by side, e.g. dry,normal,wet.
    #[arg(long)]
    pub compare: Option<String>,
    /// Relative rain change of the dry, wet or file scenario (default dry -0.4, wet +0.4).
    #[arg(long, allow_hyphen_values = true)]
    pub rain_scale: Option<f64>,
    /// Temperature shift of the dry, wet or file scenario, °C (default dry +1, wet -0.5).
    #[arg(long, allow_hyphen_values = true)]
    pub temp_shift: Option<f64>,
    /// Expected share of scouted hosts treated: 0.3 (every pest) or PEST=0.5; repeatable.
    #[arg(long)]
    pub treatment_rate: Vec<String>,
    /// Seedlings planted last year, to compare the season's with.
    #[arg(long)]
    pub last_year_seedlings: Option<f64>,
    /// Folder for the report, tables and charts.
    #[arg(long, default_value = "plan")]
    pub out: PathBuf,
    /// Schedule folder with rule files and crews.toml (default: the site's).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Chart label language.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// CJK font for Chinese chart labels.
    #[arg(long, env = "GREENWARD_FONT")]
    pub font: Option<PathBuf>,
}

/// What a run wrote.
pub struct Written {
    pub plans: Vec<SeasonPlan>,
    pub report: PathBuf,
    pub files: Vec<PathBuf>,
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let w = self.execute(ctx)?;
        for p in &w.plans {
            print_totals(p);
        }
        if w.plans.len() > 1 {
            print_compare(&w.plans);
        }
        println!(
            "report: {} ({} files in {})",
            w.report.display(),
            w.files.len(),
            self.out.display()
        );
        Ok(())
    }

    /// Plans, writes the outputs and returns them.
    pub fn execute(&self, ctx: &Ctx) -> anyhow::Result<Written> {
        let laps = plan::Laps::start();
        let lap = |what: &str| laps.lap(what);
        let spec = RawArgs {
            from: self.from,
            to: self.to,
            today: Some(ctx.today),
            scenario: Some(self.scenario.clone()),
            compare: self.compare.clone(),
            rain_scale: self.rain_scale,
            temp_shift: self.temp_shift,
            treatment_rate: self.treatment_rate.clone(),
            last_year_seedlings: self.last_year_seedlings,
        }
        .check()?;
        let store = ctx.open_store()?;
        let site = ctx.site(&store)?;
        let (rules, crews) = super::schedule::load_schedule(&store, &site, self.rules.as_deref())?;
        let cal = super::schedule::calendar(ctx, &site)?;
        let normals = cal.normals.ok_or_else(|| {
            anyhow::anyhow!(
                "site '{}' names no climate normals; a plan needs them for its scenarios\n  add climate_normals = \"FILE.csv\" to its site.toml and run greenward init --site again",
                site.site.name
            )
        })?;
        // From the scheduling snapshot when it is current; a plan never writes, so one made
        // from the rows here is not stored (the next scheduling run stores it).
        let mut records = Vec::with_capacity(store.read().max_asset_id()?.max(0) as usize);
        let _not_stored = store.each_asset_for_scheduling_parallel(|r| records.push(r))?;
        lap(&format!("{} assets read", records.len()));
        let last_completion = store
            .read()
            .last_completions(&rules.interval_rule_ids(), |t| {
                t.with_timezone(&cal.tz).date_naive()
            })?;
        drop(store);
        lap("loaded");
        let inputs = SiteInputs {
            records,
            rules,
            crews,
            cal,
            last_completion,
            water_cart_l: site.site.water_cart_l,
        };
        let mut plans = Vec::new();
        for kind in &spec.scenarios {
            plans.push(plan::season_plan(
                &site.site.name,
                &inputs,
                &normals,
                &spec,
                kind,
            )?);
            lap(&format!("planned {}", kind.name()));
        }
        let (files, report) = write_outputs(&self.out, &plans, self.lang, self.font.as_deref())?;
        lap("written");
        Ok(Written {
            plans,
            report,
            files,
        })
    }
}

/// Writes the tables, charts and the HTML report; returns the files and the report's path.
pub fn write_outputs(
    out: &Path,
    plans: &[SeasonPlan],
    lang: Lang,
    font: Option<&Path>,
) -> anyhow::Result<(Vec<PathBuf>, PathBuf)> {
    let mut files = plan::report::write_tables(out, plans)?;
    let (st, warnings) = Style::new(lang, font, 1200, 760);
    for w in warnings {
        eprintln!("greenward: {w}");
    }
    let mut charts = Vec::new();
    for p in plans {
        let c = plan::charts::draw_plan(p, &st, out)?;
        files.extend(c.iter().cloned());
        charts.push(c);
    }
    let compare = if plans.len() > 1 {
        let c = crate::charts::style::render(
            &plan::charts::compare_hours(plans),
            &st,
            out,
            crate::charts::Format::Png,
        )?;
        files.push(c.clone());
        Some(c)
    } else {
        None
    };
    let report = out.join("plan.html");
    plan::report::write_html(&report, plans, &charts, compare.as_deref())?;
    files.push(report.clone());
    Ok((files, report))
}

/// Season totals and the worst week on the console.
pub fn print_totals(p: &SeasonPlan) {
    println!("plan {} {}..{} ({}):", p.scenario, p.from, p.to, p.weather);
    for (label, value) in plan::report::total_lines(p) {
        println!("  {label}: {value}");
    }
    match &p.worst_week {
        Some(w) => println!(
            "  worst week 最忙的一周: {} (from {}), crew {}: {:.1} h of {:.0} h ({:.0} %)",
            w.week, w.week_start, w.crew, w.hours, w.capacity_hours, w.load_pct
        ),
        None => println!("  worst week: no crew work in the period"),
    }
}

/// Totals side by side.
fn print_compare(plans: &[SeasonPlan]) {
    println!();
    print!("{:<28}", "scenario");
    for p in plans {
        print!("{:>14}", p.scenario);
    }
    println!();
    type Row = (&'static str, fn(&SeasonPlan) -> f64);
    let rows: [Row; 7] = [
        ("rain_mm", |p| p.rain_mm),
        ("hours", |p| p.totals.hours),
        ("overloaded_crew_weeks", |p| {
            p.totals.overloaded_crew_weeks as f64
        }),
        ("water_l", |p| p.totals.water_l),
        ("cart_trips", |p| p.totals.cart_trips as f64),
        ("spray_mix_l", |p| p.totals.spray_mix_l),
        ("seedlings", |p| p.totals.seedlings),
    ];
    for (name, f) in rows {
        print!("{name:<28}");
        for p in plans {
            print!("{:>14.0}", f(p));
        }
        println!();
    }
}
