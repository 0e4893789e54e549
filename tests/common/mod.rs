//! Shared test helpers: running the binary, finding the shared real-world fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The real third-party data beside the project (`../shared/testdata`), or `None` with a printed
/// reason when this checkout has no `../shared` (a fresh clone elsewhere).
pub fn shared_file(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (no ../shared beside this checkout)",
            p.display()
        );
        None
    }
}

/// A named fixture in `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `greenward --db DB --today 2027-05-10 ARGS…`.
pub fn run(db: &Path, args: &[&str]) -> Output {
    run_on(db, "2027-05-10", args)
}

/// Runs `greenward --db DB --today TODAY ARGS…`.
pub fn run_on(db: &Path, today: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenward"))
        .arg("--db")
        .arg(db)
        .args(["--today", today])
        .args(args)
        .env_remove("GREENWARD_DB")
        .env_remove("GREENWARD_TODAY")
        .output()
        .expect("the greenward binary runs")
}

/// Runs and asserts success; returns stdout.
pub fn ok(db: &Path, args: &[&str]) -> String {
    ok_on(db, "2027-05-10", args)
}

/// Runs on a given `--today` and asserts success; returns stdout.
pub fn ok_on(db: &Path, today: &str, args: &[&str]) -> String {
    let out = run_on(db, today, args);
    assert!(
        out.status.success(),
        "greenward {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs and asserts failure; returns stderr.
pub fn fails(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        !out.status.success(),
        "greenward {args:?} should fail but succeeded:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).expect("utf-8 output");
    assert!(
        !err.contains("panicked"),
        "greenward {args:?} panicked:\n{err}"
    );
    err
}

/// Everything the register holds, as an export (zones and assets, retired included), for
/// "unchanged" checks.
pub fn snapshot(db: &Path) -> String {
    ok(db, &["export", "--format", "geojson", "--include-retired"])
}
