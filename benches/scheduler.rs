//! Release-mode benchmarks of the scheduler's hot parts (a plain binary, no harness):
//! cron occurrences over a year (peer: Python croniter, `benches/croniter_peer.py`), routing a
//! 300-task crew day, and the water-balance arithmetic of 1,000,000 assets for one day.
//!
//! Run: `cargo bench --bench scheduler` (prints one line per measurement). BENCHMARKS.md records
//! the figures with the machine and the peer run.

use std::hint::black_box;
use std::time::Instant;

use chrono::TimeZone;
use greenward::schedule::CronSchedule;
use greenward::science::BucketParams;
use greenward::science::water_balance::step;
use greenward::tasks::route::walking_order;

const EXPRESSIONS: &[&str] = &[
    "*/5 * * * *",
    "0 7 * * *",
    "0 1 * * TUE",
    "0 0 13 * FRI",
    "30 2 * * *",
    "0 9 1-7 * MON",
];

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let tz = chrono_tz::Asia::Shanghai;
    let start = tz.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let end = tz.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
    println!("cron occurrences over 2027 (Asia/Shanghai), best of 5:");
    for expr in EXPRESSIONS {
        let c = CronSchedule::parse(expr).expect("valid expression");
        let (s, n) = best_of(5, || black_box(c.between(&start, &end)).len());
        // `between` includes `start` itself when it matches; croniter counts strictly after it.
        println!(
            "  {expr:<16} {n:>7} occurrences {s:8.4} s {:>12.0} /s",
            n as f64 / s
        );
    }

    // 300 stops within about 1.5 km of a start point (a deterministic scatter).
    let mut x: u64 = 42;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) as f64) / ((1u64 << 31) as f64)
    };
    let stops: Vec<(f64, f64)> = (0..300)
        .map(|_| (91.12 + next() * 0.015, 29.645 + next() * 0.013))
        .collect();
    let (s, (order, dist)) = best_of(5, || walking_order((91.1305, 29.6530), black_box(&stops)));
    println!(
        "route of {} stops (nearest neighbour + 2-opt): {:.1} ms, {:.0} m",
        order.len(),
        s * 1000.0,
        dist
    );

    // Water balance: one day for 1,000,000 buckets (the arithmetic alone).
    let b = BucketParams::flower_box();
    let mut dep: Vec<f64> = (0..1_000_000).map(|i| (i % 25) as f64).collect();
    let (s, watered) = best_of(5, || {
        let mut n = 0usize;
        for d in dep.iter_mut() {
            *d = step(*d, 0.5 * b.rain_exposure, 4.46 * b.kl, b.taw_mm);
            if *d >= b.raw_mm() {
                n += 1;
            }
        }
        black_box(n)
    });
    println!(
        "water balance of 1,000,000 assets for one day (arithmetic): {:.4} s ({watered} reach MAD x TAW)",
        s
    );
}
