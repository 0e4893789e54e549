//! The command line: argument parsing (clap) and one file per noun, each a `Cmd` with `run`.
//!
//! Owns: turning arguments into calls on the library, printing results, exit codes.
//! Never: SQL, formulas, or format parsing of its own; it calls the parts that own them.

pub mod assets;
pub mod calc;
pub mod chart;
pub mod coverage;
pub mod cron;
pub mod demo;
pub mod export;
pub mod import;
pub mod init;
pub mod observe;
pub mod pesticides;
pub mod plan;
pub mod schedule;
pub mod synth;
pub mod tasks;
pub mod weather;
pub mod zones;

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

/// What every command gets: where the database is and what day it is.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Database path (`--db`, `GREENWARD_DB`, default `./greenward.db`).
    pub db: PathBuf,
    /// The day commands treat as today (`--today`, `GREENWARD_TODAY`, default the local date).
    pub today: NaiveDate,
}

impl Ctx {
    /// The site configuration stored by `init`/`demo`, else the embedded Barkhor site.
    pub fn site(&self, store: &crate::store::Store) -> anyhow::Result<crate::site::SiteConfig> {
        match store.site_value("config")? {
            Some(json) => {
                let dir = store
                    .site_value("dir")?
                    .and_then(|d| serde_json::from_str::<PathBuf>(&d).ok())
                    .unwrap_or_default();
                Ok(crate::site::SiteConfig::from_json(&json, dir)?)
            }
            None => Ok(crate::site::embedded_barkhor()),
        }
    }

    /// "Now" in the site zone: the real time when `--today` is the real date, else noon of
    /// `--today`, so runs with a fixed `--today` are reproducible.
    pub fn now(&self, tz: chrono_tz::Tz) -> chrono::DateTime<chrono_tz::Tz> {
        use chrono::TimeZone;
        let real = chrono::Utc::now().with_timezone(&tz);
        if real.date_naive() == self.today {
            return real;
        }
        let noon = self.today.and_hms_opt(12, 0, 0).expect("noon exists");
        tz.from_local_datetime(&noon).earliest().unwrap_or(real)
    }

    /// Opens the database (creating it and applying migrations if needed).
    pub fn open_store(&self) -> anyhow::Result<crate::store::Store> {
        Ok(crate::store::Store::open(&self.db)?)
    }
}

/// Output formats of list commands. CSV and JSON are stable and documented in the README.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
}

/// A progress bar on stderr; drawn only when stderr is a terminal.
pub fn progress_bar(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let style = match len {
        Some(_) => indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})",
        ),
        None => indicatif::ProgressStyle::with_template("{spinner} {msg}: {pos} ({per_sec})"),
    };
    if let Ok(s) = style {
        bar.set_style(s);
    }
    bar.set_message(what.to_string());
    bar
}

#[derive(Parser, Debug)]
#[command(
    name = "greenward",
    version,
    about = "Keeps a city's greenery alive: asset register, maintenance schedule, crew task lists."
)]
pub struct Cli {
    /// SQLite database file.
    #[arg(
        long,
        global = true,
        env = "GREENWARD_DB",
        default_value = "greenward.db"
    )]
    pub db: PathBuf,
    /// Treat this date (YYYY-MM-DD) as today; makes every date-dependent result reproducible.
    #[arg(long, global = true, env = "GREENWARD_TODAY")]
    pub today: Option<NaiveDate>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The main job on the embedded Barkhor default: a fresh database and a summary.
    Demo(demo::Cmd),
    /// Create the database and load a site configuration.
    Init(init::Cmd),
    /// Import assets and zones from GeoJSON.
    Import(import::Cmd),
    /// Export the register as GeoJSON or CSV.
    Export(export::Cmd),
    /// List, show, edit, retire and replace assets.
    Assets(assets::Cmd),
    /// Management zones.
    Zones(zones::Cmd),
    /// Turn the rules into tasks for a date range.
    Schedule(schedule::Cmd),
    /// Crew tasks: day lists, done, skip, sign-off.
    Tasks(tasks::Cmd),
    /// Write a synthetic city for tests and benchmarks.
    Synth(synth::Cmd),
    /// Report a problem on an asset (a patrol report with a deadline).
    Report(tasks::ReportCmd),
    /// Agronomy calculators: radiation, ET0, degree-days, water balance.
    Calc(calc::Cmd),
    /// Cron expression tools.
    Cron(cron::Cmd),
    /// Daily weather: import observed and forecast days, list the series in use.
    Weather(weather::Cmd),
    /// Record a scouting observation of a pest on an asset.
    Observe(observe::Cmd),
    /// The pesticide record.
    Pesticides(pesticides::Cmd),
    /// Maintenance coverage of a period: due, on time, late, missed, by type, zone, week, crew.
    Coverage(coverage::Cmd),
    /// Charts (PNG or SVG): coverage, overdue, workload, water, degree-days, map.
    Chart(chart::Cmd),
    /// Seasonal plan: project every rule over a season under a weather scenario (writes nothing).
    Plan(plan::Cmd),
}

/// Runs the program and returns the process exit code.
pub fn main() -> i32 {
    // `println!` panics when the reader of a pipe goes away (`greenward export | head`): that is
    // a normal end for a command-line tool, not a crash.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let ctx = Ctx {
        db: cli.db.clone(),
        today: cli
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    };
    let result = match cli.command {
        Command::Demo(c) => c.run(&ctx),
        Command::Init(c) => c.run(&ctx),
        Command::Import(c) => c.run(&ctx),
        Command::Export(c) => c.run(&ctx),
        Command::Assets(c) => c.run(&ctx),
        Command::Zones(c) => c.run(&ctx),
        Command::Schedule(c) => c.run(&ctx),
        Command::Tasks(c) => c.run(&ctx),
        Command::Synth(c) => c.run(&ctx),
        Command::Report(c) => c.run(&ctx),
        Command::Calc(c) => c.run(&ctx),
        Command::Cron(c) => c.run(&ctx),
        Command::Weather(c) => c.run(&ctx),
        Command::Observe(c) => c.run(&ctx),
        Command::Pesticides(c) => c.run(&ctx),
        Command::Coverage(c) => c.run(&ctx),
        Command::Chart(c) => c.run(&ctx),
        Command::Plan(c) => c.run(&ctx),
    };
    match result {
        Ok(()) => 0,
        Err(e) => report_error(&e),
    }
}

/// Prints the whole error chain with a `greenward:` prefix; a broken pipe counts as success.
fn report_error(e: &anyhow::Error) -> i32 {
    if e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    }) {
        return 0;
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "greenward: {e}");
    for cause in e.chain().skip(1) {
        let _ = write!(err, "\n  caused by: {cause}");
    }
    let _ = writeln!(err);
    1
}
