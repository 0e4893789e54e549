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

/// Runs `greenward --db DB --today TODAY ARGS…`, with none of the caller's GREENWARD_*
/// settings (database, date, chart font) leaking in.
pub fn run_on(db: &Path, today: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenward"))
        .arg("--db")
        .arg(db)
        .args(["--today", today])
        .args(args)
        .env_remove("GREENWARD_DB")
        .env_remove("GREENWARD_TODAY")
        .env_remove("GREENWARD_FONT")
        .output()
        .expect("the greenward binary runs")
}

/// Runs on a given `--today` and asserts success; returns stdout and stderr.
pub fn ok_both_on(db: &Path, today: &str, args: &[&str]) -> (String, String) {
    let out = run_on(db, today, args);
    let (so, se) = (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        String::from_utf8(out.stderr).expect("utf-8 output"),
    );
    assert!(
        out.status.success(),
        "greenward {args:?} failed:\nstdout: {so}\nstderr: {se}"
    );
    (so, se)
}

/// Runs and asserts success; returns stdout.
pub fn ok(db: &Path, args: &[&str]) -> String {
    ok_on(db, "2027-05-10", args)
}

/// Runs on a given `--today` and asserts success; returns stdout.
pub fn ok_on(db: &Path, today: &str, args: &[&str]) -> String {
    ok_both_on(db, today, args).0
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

/// A small test site in a temporary folder: `site.toml` (Asia/Shanghai, latitude 29.65, the Lhasa
/// climate normals, schedules in `rules/`), the given rules and crews, the Barkhor pests, and a
/// database with the site loaded and `assets` (a GeoJSON file) imported.
pub struct TestSite {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub rules: PathBuf,
}

/// Builds a [`TestSite`]; `site_extra` is appended to the `[site]` table.
pub fn test_site(rules: &str, crews: &str, assets: &Path, site_extra: &str) -> TestSite {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sched = dir.path().join("rules");
    std::fs::create_dir(&sched).unwrap();
    std::fs::write(sched.join("rules.toml"), rules).unwrap();
    std::fs::write(sched.join("crews.toml"), crews).unwrap();
    std::fs::copy(
        root.join("schedules/barkhor/pests.toml"),
        sched.join("pests.toml"),
    )
    .unwrap();
    let normals = root.join("geodata/barkhor/lhasa_55591_normals.csv");
    let site = format!(
        "[site]\nname = \"Test site\"\ntimezone = \"Asia/Shanghai\"\nlatitude = 29.65\nlongitude = 91.13\naltitude_m = 3650\nclimate_normals = \"{}\"\nschedules = \"rules\"\n{site_extra}",
        normals.display()
    );
    std::fs::write(dir.path().join("site.toml"), site).unwrap();
    let db = dir.path().join("t.db");
    ok(
        &db,
        &[
            "init",
            "--site",
            dir.path().join("site.toml").to_str().unwrap(),
        ],
    );
    ok(&db, &["import", assets.to_str().unwrap()]);
    TestSite {
        dir,
        db,
        rules: sched,
    }
}
