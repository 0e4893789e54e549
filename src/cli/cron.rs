//! `greenward cron`: cron expression tools.

use std::io::Write;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat};
use chrono_tz::Tz;

use super::Ctx;
use crate::schedule::cron::{CronSchedule, parse_zone, resolve_local};

#[derive(clap::Args, Debug)]
pub struct Cmd {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Print the next occurrences of a 5-field cron expression, one RFC 3339 time per line.
    Next(NextArgs),
}

#[derive(clap::Args, Debug)]
struct NextArgs {
    /// "MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK", or @hourly, @daily, @weekly, @monthly, @yearly.
    expr: String,
    /// Count strictly after this time: RFC 3339 (2026-03-10T07:00:00+08:00), or
    /// YYYY-MM-DDTHH:MM[:SS] or YYYY-MM-DD read in --tz [default: today 00:00 in --tz].
    #[arg(long)]
    from: Option<String>,
    /// IANA time zone the expression is evaluated in (the site's zone).
    #[arg(long, default_value = "Asia/Shanghai")]
    tz: String,
    /// How many occurrences to print.
    #[arg(short = 'n', long = "count", default_value_t = 5)]
    n: usize,
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self.action {
            Action::Next(args) => next(args, ctx),
        }
    }
}

fn next(args: NextArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let schedule = CronSchedule::parse(&args.expr)?;
    let tz = parse_zone(&args.tz)?;
    let from = match &args.from {
        Some(text) => parse_from(text, tz)?,
        None => resolve_local(tz, ctx.today.and_time(chrono::NaiveTime::MIN)),
    };
    let mut out = std::io::stdout().lock();
    for t in schedule.iter_after(from).take(args.n) {
        writeln!(out, "{}", t.to_rfc3339_opts(SecondsFormat::Secs, false))?;
    }
    out.flush()?;
    Ok(())
}

/// Reads `--from`: an RFC 3339 time (moved into `tz`), or a naive date-time or date read in `tz`.
fn parse_from(text: &str, tz: Tz) -> anyhow::Result<DateTime<Tz>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&tz));
    }
    // RFC 3339 without seconds, as people write it: 2026-04-20T01:00+08:00, 2026-04-20T01:00Z.
    if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M%:z") {
        return Ok(dt.with_timezone(&tz));
    }
    if let Some(utc) = t.strip_suffix(['Z', 'z'])
        && let Ok(naive) = NaiveDateTime::parse_from_str(utc, "%Y-%m-%dT%H:%M")
    {
        return Ok(naive.and_utc().with_timezone(&tz));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(resolve_local(tz, naive));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(resolve_local(tz, date.and_time(chrono::NaiveTime::MIN)));
    }
    anyhow::bail!(
        "--from '{text}' is not a time; give RFC 3339 (2026-03-10T07:00:00+08:00) or \
         YYYY-MM-DDTHH:MM[:SS] read in the --tz zone"
    )
}
