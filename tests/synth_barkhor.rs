//! The committed Barkhor dataset: reproducible, and holding what the work report describes.
//!
//! Regenerate the committed file after changing `src/synth/barkhor.rs`:
//! `GREENWARD_REGENERATE=1 cargo test --test synth_barkhor`

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use geo::{Contains, Coord, LineString, Point, Polygon, Relate};
use greenward::synth::{BARKHOR_FILE, BARKHOR_ZONE_KEYS, barkhor_geojson};
use serde_json::Value;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(BARKHOR_FILE)
}

fn features(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).expect("valid JSON");
    assert_eq!(v["type"], "FeatureCollection");
    v["features"].as_array().expect("features").clone()
}

fn prop<'a>(f: &'a Value, k: &str) -> &'a str {
    f["properties"][k].as_str().unwrap_or("")
}

fn coord(v: &Value) -> Coord<f64> {
    Coord {
        x: v[0].as_f64().unwrap(),
        y: v[1].as_f64().unwrap(),
    }
}

fn line(v: &Value) -> LineString<f64> {
    v.as_array().unwrap().iter().map(coord).collect()
}

fn polygon(v: &Value) -> Polygon<f64> {
    let rings: Vec<LineString<f64>> = v.as_array().unwrap().iter().map(line).collect();
    Polygon::new(rings[0].clone(), rings[1..].to_vec())
}

fn inside(zone: &Polygon<f64>, g: &Value) -> bool {
    let c = &g["coordinates"];
    match g["type"].as_str().unwrap() {
        "Point" => zone.contains(&Point::from(coord(c))),
        "LineString" => zone.contains(&line(c)),
        "Polygon" => zone.contains(&polygon(c)),
        t => panic!("unexpected geometry {t}"),
    }
}

#[test]
fn committed_file_matches_the_generator() {
    let generated = barkhor_geojson();
    let path = committed_path();
    if std::env::var("GREENWARD_REGENERATE").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} differs from barkhor_geojson() ({} vs {} bytes).\n\
         Regenerate it with: GREENWARD_REGENERATE=1 cargo test --test synth_barkhor",
        path.display(),
        committed.len(),
        generated.len()
    );
}

#[test]
fn contents_match_the_work_report() {
    let feats = features(&barkhor_geojson());
    let count = |kind: &str| feats.iter().filter(|f| prop(f, "kind") == kind).count();
    assert_eq!(count("flower_box_group"), 354);
    let trees: Vec<&Value> = feats.iter().filter(|f| prop(f, "kind") == "tree").collect();
    assert!(
        (1480..=1520).contains(&trees.len()),
        "{} trees",
        trees.len()
    );
    let bad = trees
        .iter()
        .filter(|t| {
            matches!(prop(t, "condition"), "dead" | "poor" | "critical")
                || prop(t, "site_state") == "stump"
        })
        .count();
    assert!((170..=200).contains(&bad), "{bad} dead or poor trees");
    let heritage: Vec<_> = trees
        .iter()
        .filter(|t| t["properties"].get("heritage_grade").is_some())
        .collect();
    assert!((5..=10).contains(&heritage.len()));
    for h in heritage {
        assert_eq!(prop(h, "species"), "Salix paraplesia var. subintegra");
        assert!(h["properties"]["dbh_cm"].as_f64().unwrap() >= 80.0);
    }
    for (kind, at_least) in [("park", 10), ("green_area", 10), ("water_feature", 4)] {
        assert!(count(kind) >= at_least, "{kind}: {}", count(kind));
    }
    let park_types: HashSet<&str> = feats
        .iter()
        .filter(|f| prop(f, "kind") == "park")
        .map(|f| prop(f, "park_type"))
        .collect();
    for t in ["park", "pocket_park", "square", "rockery"] {
        assert!(park_types.contains(t), "no {t}");
    }
    for f in &feats {
        assert_eq!(prop(f, "survey"), "approximate");
        let n = f["properties"]["box_count"].as_i64();
        assert!(n.is_none_or(|n| (2..=6).contains(&n)));
    }
}

#[test]
fn zones_are_all_present_and_disjoint() {
    let feats = features(&barkhor_geojson());
    let zones: Vec<(&str, Polygon<f64>)> = feats
        .iter()
        .filter(|f| prop(f, "kind") == "zone")
        .map(|f| (prop(f, "name"), polygon(&f["geometry"]["coordinates"])))
        .collect();
    let names: Vec<&str> = zones.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, BARKHOR_ZONE_KEYS);
    for f in feats.iter().filter(|f| prop(f, "kind") == "zone") {
        assert!(!prop(f, "name:zh").is_empty() && !prop(f, "name:en").is_empty());
    }
    for (i, (a, pa)) in zones.iter().enumerate() {
        for (b, pb) in &zones[i + 1..] {
            let m = pa.relate(pb);
            assert!(m.is_disjoint(), "{a} and {b} overlap or touch");
        }
    }
}

#[test]
fn refs_are_unique_and_assets_lie_inside_their_zone() {
    let feats = features(&barkhor_geojson());
    let zones: HashMap<&str, Polygon<f64>> = feats
        .iter()
        .filter(|f| prop(f, "kind") == "zone")
        .map(|f| (prop(f, "name"), polygon(&f["geometry"]["coordinates"])))
        .collect();
    let mut refs = HashSet::new();
    for f in feats.iter().filter(|f| prop(f, "kind") != "zone") {
        let r = prop(f, "ref");
        assert!(
            !r.is_empty() && r.chars().all(|c| c.is_ascii_graphic()),
            "bad ref {r:?}"
        );
        assert!(refs.insert(r.to_string()), "duplicate ref {r}");
        let zone = zones
            .get(prop(f, "zone"))
            .unwrap_or_else(|| panic!("{r}: unknown zone {:?}", prop(f, "zone")));
        assert!(inside(zone, &f["geometry"]), "{r} lies outside its zone");
    }
}
