//! Step timings for benchmarks: with `GREENWARD_TIMING` set, long commands (import, schedule
//! run, plan) print each step's time since the process's first lap and the peak memory so far
//! on stderr. Owns nothing else; prints nothing when the variable is unset.

/// Reports on stderr, when `GREENWARD_TIMING` is set, the seconds since the first `Laps` of the
/// process and the peak memory so far (Linux), step by step.
pub struct Laps {
    on: bool,
}

static LAPS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

impl Laps {
    pub fn start() -> Laps {
        LAPS_START.get_or_init(std::time::Instant::now);
        Laps {
            on: std::env::var_os("GREENWARD_TIMING").is_some(),
        }
    }

    pub fn lap(&self, what: &str) {
        if !self.on {
            return;
        }
        let at = LAPS_START.get().map_or(0.0, |s| s.elapsed().as_secs_f64());
        // VmHWM: the resident set's high-water mark.
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map(|kb| format!(", peak {} MB", kb / 1024))
            .unwrap_or_default();
        eprintln!("timing: {what} at {at:.3} s{peak}");
    }
}
