//! `greenward synth`: a synthetic city, reproducible from its seed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use geo::{Contains, Coord, LineString, Point, Polygon};
use greenward::synth::city::{ASSETS_FILE, SITE_FILE, ZONES_FILE};
use greenward::synth::synth_city;
use serde_json::Value;

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

fn features(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], r#"{"type":"FeatureCollection","features":["#);
    assert_eq!(*lines.last().unwrap(), "]}");
    // One feature per line, each valid JSON on its own.
    let feats: Vec<Value> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| serde_json::from_str(l.strip_suffix(',').unwrap_or(l)).expect("feature line"))
        .collect();
    // And the whole file is one valid FeatureCollection.
    let all: Value = serde_json::from_slice(bytes).unwrap();
    assert_eq!(all["features"].as_array().unwrap().len(), feats.len());
    feats
}

fn coords(g: &Value) -> Vec<Coord<f64>> {
    fn walk(v: &Value, out: &mut Vec<Coord<f64>>) {
        let a = v.as_array().unwrap();
        if a[0].is_number() {
            out.push(Coord {
                x: a[0].as_f64().unwrap(),
                y: a[1].as_f64().unwrap(),
            });
        } else {
            a.iter().for_each(|x| walk(x, out));
        }
    }
    let mut out = Vec::new();
    walk(&g["coordinates"], &mut out);
    out
}

fn polygon(g: &Value) -> Polygon<f64> {
    let ring: LineString<f64> = coords(g).into_iter().collect();
    Polygon::new(ring, vec![])
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let sa = synth_city(2_000, 7, a.path()).unwrap();
    let sb = synth_city(2_000, 7, b.path()).unwrap();
    synth_city(2_000, 8, c.path()).unwrap();
    assert_eq!(sa, sb);
    for f in [ASSETS_FILE, ZONES_FILE, SITE_FILE] {
        assert!(read(a.path(), f) == read(b.path(), f), "{f} differs");
    }
    assert!(read(a.path(), ASSETS_FILE) != read(c.path(), ASSETS_FILE));
}

#[test]
fn counts_refs_and_placement() {
    let dir = tempfile::tempdir().unwrap();
    let s = synth_city(2_000, 7, dir.path()).unwrap();
    let feats = features(&read(dir.path(), ASSETS_FILE));
    assert_eq!(feats.len(), 2_000);
    assert_eq!(s.assets, 2_000);

    let mut by_kind: HashMap<String, usize> = HashMap::new();
    let mut park_types: HashMap<String, usize> = HashMap::new();
    for f in &feats {
        let p = &f["properties"];
        *by_kind
            .entry(p["kind"].as_str().unwrap().into())
            .or_default() += 1;
        if let Some(t) = p["park_type"].as_str() {
            *park_types.entry(t.into()).or_default() += 1;
        }
        assert!(p.get("zone").is_none(), "assets carry no zone");
    }
    let n = |k: &str| by_kind.get(k).copied().unwrap_or(0);
    assert_eq!(n("tree"), s.trees);
    assert_eq!(n("flower_box_group"), s.flower_box_groups);
    assert_eq!(n("park"), s.parks + s.squares);
    assert_eq!(park_types["square"], s.squares);
    assert_eq!(n("green_area"), s.green_areas);
    assert_eq!(n("water_feature"), s.water_features);
    assert_eq!(n("tree"), 1_700); // 85 %
    assert_eq!(n("flower_box_group"), 160); // 8 %
    assert!(s.parks > 0 && s.squares > 0 && s.green_areas > 0 && s.water_features > 0);

    let mut refs = HashSet::new();
    let mut ids = HashSet::new();
    for f in &feats {
        assert!(refs.insert(f["properties"]["ref"].as_str().unwrap().to_string()));
        assert!(ids.insert(f["id"].as_str().expect("string id").to_string()));
    }

    // Every coordinate lies inside the district grid, and every asset inside exactly one district.
    let zones = features(&read(dir.path(), ZONES_FILE));
    assert_eq!(zones.len(), s.zones);
    let districts: Vec<Polygon<f64>> = zones.iter().map(|z| polygon(&z["geometry"])).collect();
    for z in &zones {
        let name = z["properties"]["name"].as_str().unwrap();
        assert!(name.starts_with("district-"), "{name}");
    }
    let [w, so, e, no] = s.bbox;
    for f in &feats {
        for c in coords(&f["geometry"]) {
            assert!(
                c.x > w && c.x < e && c.y > so && c.y < no,
                "{c:?} outside the city"
            );
        }
        let first = Point::from(coords(&f["geometry"])[0]);
        let holders = districts.iter().filter(|d| d.contains(&first)).count();
        assert_eq!(holders, 1, "{}", f["properties"]["ref"]);
    }
}

#[test]
fn districts_and_site_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = synth_city(23_000, 42, dir.path()).unwrap();
    // 4 districts of ~5,750 assets.
    assert_eq!(s.zones, 4);
    let zones = features(&read(dir.path(), ZONES_FILE));
    let names: Vec<&str> = zones
        .iter()
        .map(|z| z["properties"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "district-00-00",
            "district-00-01",
            "district-01-00",
            "district-01-01"
        ]
    );
    let site = String::from_utf8(read(dir.path(), SITE_FILE)).unwrap();
    assert!(site.starts_with(
        "[site]\nname = \"Synthetic city (seed 42, 23000 assets)\"\ntimezone = \"Europe/Berlin\"\n"
    ));
    let parsed: toml::Table = toml::from_str(&site).unwrap();
    assert_eq!(parsed["site"]["assets"].as_str(), Some("assets.geojson"));
    assert_eq!(parsed["blackout"][0]["from"].as_str(), Some("2027-09-26"));
}

/// `cargo test --release --test synth_city -- --ignored --nocapture`
#[test]
#[ignore = "writes ~300 MB; run in release to time a million assets"]
fn a_million_assets_in_release() {
    let dir = tempfile::tempdir().unwrap();
    let t = std::time::Instant::now();
    let s = synth_city(1_000_000, 42, dir.path()).unwrap();
    let took = t.elapsed();
    let size = std::fs::metadata(dir.path().join(ASSETS_FILE))
        .unwrap()
        .len();
    println!("{s:?}\n1,000,000 assets, {size} bytes in {took:?}");
    assert_eq!(s.assets, 1_000_000);
}
