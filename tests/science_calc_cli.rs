//! `greenward calc` end to end: runs the built binary and checks the figures against DOMAIN.md.

use std::process::{Command, Output};

fn greenward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenward"))
        .args(args)
        .env_remove("GREENWARD_DB")
        .env_remove("GREENWARD_TODAY")
        .output()
        .expect("the greenward binary runs")
}

/// Runs a command that must succeed and returns its standard output.
fn stdout_of(args: &[&str]) -> String {
    let out = greenward(args);
    assert!(
        out.status.success(),
        "greenward {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The leading figure of a line: "32.2 MJ/m2/day  Ra …" → 32.2.
fn figure(line: &str) -> f64 {
    line.split_whitespace()
        .next()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| panic!("no leading figure in {line:?}"))
}

#[test]
fn ra_fao56_example_8() {
    let out = stdout_of(&["calc", "ra", "--lat", "-20", "--date", "2015-09-03"]);
    assert_eq!(
        out.trim_end(),
        "32.2 MJ/m2/day  Ra at -20.00° on 2015-09-03 (FAO-56 eq. 21)"
    );
}

#[test]
fn ra_lhasa_mid_may() {
    let out = stdout_of(&["calc", "ra", "--lat", "29.65", "--date", "2027-05-15"]);
    assert_eq!(figure(&out), 40.0);
}

#[test]
fn dd_domain_checks() {
    let base = ["calc", "dd", "--base", "10", "--upper", "30"];
    let run = |tmin: &str, tmax: &str, method: &str| {
        let mut args = base.to_vec();
        args.extend(["--tmin", tmin, "--tmax", tmax, "--method", method]);
        figure(&stdout_of(&args))
    };
    assert_eq!(run("3.0", "17.1", "sine"), 2.27);
    assert_eq!(run("3.0", "17.1", "average"), 0.05);
    assert_eq!(run("7.1", "21.0", "sine"), 4.62);
    assert_eq!(run("7.1", "21.0", "average"), 4.05);
    // Single sine is the default and says so.
    let out = stdout_of(&[
        "calc", "dd", "--tmin", "-2", "--tmax", "17.1", "--base", "10",
    ]);
    assert!(out.contains("single sine"), "{out}");
}

#[test]
fn et0_names_its_method() {
    let h = stdout_of(&[
        "calc",
        "et0",
        "--lat",
        "29.65",
        "--date",
        "2027-05-15",
        "--tmin",
        "7.1",
        "--tmax",
        "21.0",
    ]);
    assert_eq!(figure(&h), 4.46);
    assert!(h.contains("Hargreaves"), "{h}");
    let pm = stdout_of(&[
        "calc",
        "et0",
        "--lat",
        "50.8",
        "--date",
        "2015-07-06",
        "--tmin",
        "12.3",
        "--tmax",
        "21.5",
        "--rh-max",
        "84",
        "--rh-min",
        "63",
        "--wind",
        "2.078",
        "--sunshine",
        "9.25",
        "--altitude",
        "100",
    ]);
    assert!((figure(&pm) - 3.9).abs() <= 0.05, "{pm}");
    assert!(pm.contains("Penman-Monteith"), "{pm}");
}

#[test]
fn balance_normal_year_box() {
    let out = stdout_of(&[
        "calc",
        "balance",
        "--asset-type",
        "box",
        "--from",
        "2027-05-01",
        "--to",
        "2027-10-31",
    ]);
    let waterings = out.lines().filter(|l| l.contains(" water on ")).count();
    assert_eq!(waterings, 13, "{out}");
    let total = out
        .lines()
        .find(|l| l.contains("total applied"))
        .expect("a total line");
    assert_eq!(figure(total), 127.5, "{total}");
    assert!(total.contains("102.0 L net"), "{total}");
}

#[test]
fn bad_input_names_option_and_value() {
    let out = greenward(&["calc", "ra", "--lat", "95", "--date", "2027-05-15"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--lat 95"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let out = greenward(&["calc", "dd", "--tmin", "20", "--tmax", "10", "--base", "10"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--tmin 20") && err.contains("--tmax 10"),
        "{err}"
    );
}
