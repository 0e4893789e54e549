//! The command line: argument parsing (clap) and one file per noun, each a `Cmd` with `run`.
//!
//! Owns: turning arguments into calls on the library, printing results, exit codes.
//! Never: SQL, formulas, or format parsing of its own; it calls the parts that own them.

pub mod calc;
pub mod cron;

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
    /// Agronomy calculators: radiation, ET0, degree-days, water balance.
    Calc(calc::Cmd),
    /// Cron expression tools.
    Cron(cron::Cmd),
}

/// Runs the program and returns the process exit code.
pub fn main() -> i32 {
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
        Command::Calc(c) => c.run(&ctx),
        Command::Cron(c) => c.run(&ctx),
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
