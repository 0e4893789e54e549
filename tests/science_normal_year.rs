//! Cross-checks the normal year greenward builds from the shipped Lhasa normals against the reference
//! series `lhasa_normal_year_daily.csv` in the shared domain folder (skipped when that is absent).

use std::path::Path;

use greenward::science::{normal_year, parse_normals};

#[test]
fn built_normal_year_matches_the_domain_reference() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = manifest.join("../shared/domain/lhasa_normal_year_daily.csv");
    let Ok(text) = std::fs::read_to_string(&reference) else {
        eprintln!(
            "skipped: reference series {} is not available",
            reference.display()
        );
        return;
    };
    let normals = std::fs::read_to_string(manifest.join("geodata/barkhor/lhasa_55591_normals.csv"))
        .expect("shipped normals are readable");
    let built = normal_year(&parse_normals(&normals).expect("normals parse"), 2027);

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = 0;
    for (record, day) in reader.records().zip(&built) {
        let record = record.expect("reference row");
        let num = |i: usize| record[i].parse::<f64>().expect("reference number");
        assert_eq!(&record[0], day.date.to_string(), "dates line up");
        // The reference is rounded to 0.01 °C and 0.001 mm.
        let close = |name: &str, want: f64, got: f64, tol: f64| {
            assert!(
                (want - got).abs() <= tol,
                "{} {name}: reference {want}, built {got}",
                day.date
            );
        };
        close("tmin_c", num(1), day.tmin_c, 0.006);
        close("tmax_c", num(2), day.tmax_c, 0.006);
        close("normal_rain_mm", num(3), day.rain_mm, 0.0006);
        close("normal_peff_mm", num(4), day.peff_mm, 0.0006);
        rows += 1;
    }
    assert_eq!(rows, 365);
    assert_eq!(built.len(), 365);
}
