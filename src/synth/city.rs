//! A synthetic city of any size, for load tests and demos: `greenward synth`.
//!
//! The city is a square street grid of 100 m blocks centred on 13.40 E, 52.52 N (Berlin-like),
//! its side growing with √N. Blocks are grouped into a grid of districts (`district-RR-CC`, row
//! from the north, column from the west) sized to hold about 2,000–10,000 assets each. Every block
//! has street trees on its four sidewalks; some blocks are squares with flower-box groups, some are
//! parks with a pond and lawns or beds. The mix is about 85 % trees, 8 % flower-box groups and 7 %
//! parks, squares, green areas and ponds, and the total is exactly the number asked for.
//!
//! Assets carry no `zone`: the importer assigns zones by containment. Each has a unique `ref` and a
//! string feature `id`. The same seed gives the same bytes; features are streamed one per line
//! through a `BufWriter`, so a million assets take a few hundred MB on disk and almost no memory.
//!
//! # Units
//! Layout in metres on a local plane, converted to WGS84 degrees with fixed metres-per-degree at
//! 52.52° N; no platform trigonometry, so every machine writes the same bytes.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::model::{AssetKind, Condition, ParkSubtype, SiteState, WaterKind};

use super::rng::SplitMix64;
use super::write::{Feature, UNIT_24};

/// File names written into the output directory.
pub const ASSETS_FILE: &str = "assets.geojson";
pub const ZONES_FILE: &str = "zones.geojson";
pub const SITE_FILE: &str = "site.toml";
/// Monthly climate normals of the synthetic city, beside `site.toml`.
pub const NORMALS_FILE: &str = "normals.csv";

/// Approximate Berlin monthly normals (1991–2020, rounded; an estimate for synthetic runs).
pub const BERLIN_NORMALS: &str = "month,tmax_mean_C,tmin_mean_C,precip_mm
1,3.0,-1.9,42
2,4.6,-1.4,33
3,8.9,1.0,40
4,14.4,4.3,37
5,19.3,8.7,54
6,22.4,11.9,69
7,24.6,14.0,56
8,24.3,13.8,58
9,19.6,10.3,45
10,13.9,6.2,37
11,7.6,2.3,44
12,3.9,-0.7,55
";

/// Folder of the generic rules and crews, beside `site.toml`.
pub const SCHEDULES_DIR: &str = "schedules";

/// Generic maintenance rules for a synthetic city (no zone names: they select by kind and
/// condition). Minutes follow the Barkhor estimates.
pub const GENERIC_RULES: &str = r#"# Generic rules of a synthetic city (greenward synth). Minutes are estimates.

[[rule]]
id = "box-watering"
task = "watering"
select = { kind = "flower_box_group" }
cron = "0 7 * * *"
season = "05-01..09-30"
minutes_per_asset = 2.0
per = "box"
skill = "watering"
priority = 2
estimate = true

[[rule]]
id = "tree-watering"
task = "watering"
select = { kind = "tree", site_state = ["occupied"] }
every = "14d"
season = "04-15..09-15"
minutes_per_asset = 5.0
skill = "watering"
priority = 3
estimate = true

[[rule]]
id = "tree-inspection"
task = "inspection"
select = { kind = "tree", site_state = ["occupied"] }
every = "30d"
minutes_per_asset = 1.0
skill = "inspection"
priority = 4
estimate = true

[[rule]]
id = "dead-tree-removal"
task = "removal"
select = { kind = "tree", condition = ["dead"], site_state = ["occupied"] }
cron = "0 8 * * MON"
single_open = true
grace = "30d"
minutes_per_asset = 90.0
skill = "arborist"
priority = 1
estimate = true

[[rule]]
id = "pond-cleaning"
task = "cleaning"
select = { kind = "water_feature" }
cron = "0 9 * * WED"
minutes_per_asset = 30.0
skill = "cleaning"
estimate = true

[[rule]]
id = "park-sanitation"
task = "sanitation"
select = { kind = "park" }
cron = "0 8 * * *"
minutes_per_asset = 20.0
skill = "cleaning"
estimate = true
"#;

/// What [`synth_city`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSummary {
    /// Features in `assets.geojson` (the number asked for).
    pub assets: usize,
    pub trees: usize,
    pub flower_box_groups: usize,
    /// Park features with `park_type=square`.
    pub squares: usize,
    /// Park features with `park_type=park`.
    pub parks: usize,
    pub green_areas: usize,
    pub water_features: usize,
    /// Districts in `zones.geojson`.
    pub zones: usize,
    /// Outline of the district grid: [west, south, east, north] in degrees.
    pub bbox: [f64; 4],
}

/// Writes `zones.geojson`, `assets.geojson` (exactly `assets` features) and `site.toml` for a
/// synthetic city into `out_dir`, creating it if needed. Deterministic in (`assets`, `seed`).
pub fn synth_city(assets: usize, seed: u64, out_dir: &Path) -> io::Result<SynthSummary> {
    let plan = Plan::new(assets);
    fs::create_dir_all(out_dir)?;
    write_zones(
        &plan,
        &mut BufWriter::new(File::create(out_dir.join(ZONES_FILE))?),
    )?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out_dir.join(ASSETS_FILE))?);
    write_assets(&plan, seed, &mut w)?;
    w.flush()?;
    drop(w);
    fs::write(out_dir.join(SITE_FILE), site_toml(assets, seed))?;
    let schedules = out_dir.join(SCHEDULES_DIR);
    fs::create_dir_all(&schedules)?;
    fs::write(schedules.join("rules.toml"), GENERIC_RULES)?;
    fs::write(schedules.join("crews.toml"), crews_toml(&plan))?;
    fs::write(out_dir.join(NORMALS_FILE), BERLIN_NORMALS)?;
    let c = plan.side / 2.0;
    let sw = to_lonlat([0.0, 0.0], c);
    let ne = to_lonlat([plan.side, plan.side], c);
    Ok(SynthSummary {
        assets,
        trees: plan.trees,
        flower_box_groups: plan.boxes,
        squares: plan.squares,
        parks: plan.parks,
        green_areas: plan.lawns,
        water_features: plan.ponds,
        zones: plan.grid * plan.grid,
        bbox: [sw[0], sw[1], ne[0], ne[1]],
    })
}

/// One crew per district (all skills), plus a city-wide arborist crew.
fn crews_toml(plan: &Plan) -> String {
    let mut s = String::from("# Crews of a synthetic city (greenward synth): one per district.\n");
    let c = plan.side / 2.0;
    let cell = plan.side / plan.grid as f64;
    for r in 0..plan.grid {
        for col in 0..plan.grid {
            // Start at the district's centre (rows count from the north).
            let xy = [
                (col as f64 + 0.5) * cell,
                plan.side - (r as f64 + 0.5) * cell,
            ];
            let ll = to_lonlat(xy, c);
            s.push_str(&format!(
                "\n[[crew]]\nname = \"crew-{r:02}-{col:02}\"\nzones = [\"district-{r:02}-{col:02}\"]\nskills = [\"watering\", \"inspection\", \"cleaning\"]\nhours_per_day = 400\nstart = [{:.6}, {:.6}]\n",
                ll[0], ll[1]
            ));
        }
    }
    s.push_str("\n[[crew]]\nname = \"arborists\"\nskills = [\"arborist\"]\nhours_per_day = 80\nstart = [13.40, 52.52]\n");
    s
}

/// The `site.toml` of a synthetic city.
fn site_toml(assets: usize, seed: u64) -> String {
    format!(
        r#"[site]
name = "Synthetic city (seed {seed}, {assets} assets)"
timezone = "Europe/Berlin"
latitude = 52.52
longitude = 13.40
altitude_m = 34
climate_normals = "{NORMALS_FILE}"
care_grade = 2
assets = "{ASSETS_FILE}"
zones = "{ZONES_FILE}"
schedules = "{SCHEDULES_DIR}"

[patrol_deadlines]
general_hours = 24
major_days = 7

[[blackout]]
name = "City marathon"
from = "2027-09-26"
to = "2027-09-26"
note = "synthetic"
"#
    )
}

// ---------------------------------------------------------------------------------------------
// Layout

const CENTRE: [f64; 2] = [13.40, 52.52];
/// Metres per degree of longitude and latitude at 52.52° N on WGS84.
const M_PER_DEG_LON: f64 = 67_879.4;
const M_PER_DEG_LAT: f64 = 111_277.2;
/// Block pitch (block plus half the street on each side), m.
const PITCH: f64 = 100.0;
/// Street trees stand this far inside the block's pitch cell, m.
const TREE_INSET: f64 = 6.0;
/// Parks and squares fill the block inside this inset, m.
const INNER_INSET: f64 = 12.0;
/// At most this many street trees per block (11 m apart), and box groups per square.
const TREES_PER_BLOCK: usize = 32;
const BOXES_PER_SQUARE: usize = 30;
/// A park is split into 4 × 4 cells: the middle 2 × 2 hold the pond, the 12 around it lawns.
const PARK_CELLS: usize = 12;
/// Districts hold about this many assets (between half and twice it).
const DISTRICT_ASSETS: usize = 5_000;

/// (x, y) metres from the south-west corner of the city, to degrees.
fn to_lonlat(p: [f64; 2], half_side: f64) -> [f64; 2] {
    [
        CENTRE[0] + (p[0] - half_side) / M_PER_DEG_LON,
        CENTRE[1] + (p[1] - half_side) / M_PER_DEG_LAT,
    ]
}

/// Smallest s with s·s ≥ n.
fn ceil_sqrt(n: usize) -> usize {
    let mut s = (n as f64).sqrt() as usize;
    while s * s < n {
        s += 1;
    }
    while s > 0 && (s - 1) * (s - 1) >= n {
        s -= 1;
    }
    s
}

/// The share of item `i` when `total` things are spread as evenly as possible over `n` items.
fn share(total: usize, n: usize, i: usize) -> usize {
    let (t, n, i) = (total as u128, n as u128, i as u128);
    ((i + 1) * t / n - i * t / n) as usize
}

/// Counts and grid sizes, computed from N alone.
struct Plan {
    assets: usize,
    trees: usize,
    boxes: usize,
    /// Square features (`park_type=square`); boxes sit on `max(squares, 1)` blocks.
    squares: usize,
    box_blocks: usize,
    parks: usize,
    ponds: usize,
    lawns: usize,
    /// Districts per side.
    grid: usize,
    /// Blocks per side.
    blocks: usize,
    side: f64,
}

impl Plan {
    fn new(n: usize) -> Plan {
        let trees = (n * 85 + 50) / 100;
        let boxes = ((n * 8 + 50) / 100).min(n - trees);
        let rest = n - trees - boxes;
        let squares = boxes.div_ceil(BOXES_PER_SQUARE).min(rest);
        let box_blocks = if boxes > 0 { squares.max(1) } else { 0 };
        let rest = rest - squares;
        let parks = rest.div_ceil(PARK_CELLS);
        let ponds = parks.min(rest - parks);
        let lawns = rest - parks - ponds;
        let needed = trees
            .div_ceil(TREES_PER_BLOCK)
            .max(box_blocks + parks)
            .max(1);
        let grid = ceil_sqrt((n / DISTRICT_ASSETS).max(1));
        let per_district = ceil_sqrt(needed).div_ceil(grid).max(1);
        let blocks = grid * per_district;
        Plan {
            assets: n,
            trees,
            boxes,
            squares,
            box_blocks,
            parks,
            ponds,
            lawns,
            grid,
            blocks,
            side: blocks as f64 * PITCH,
        }
    }

    /// Width of the zero-padded number in refs.
    fn ref_width(&self) -> usize {
        self.assets.to_string().len().max(6)
    }
}

// ---------------------------------------------------------------------------------------------
// Zones

fn write_zones(plan: &Plan, w: &mut impl Write) -> io::Result<()> {
    let g = plan.grid;
    let d = plan.side / g as f64;
    let h = plan.side / 2.0;
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for r in 0..g {
        for c in 0..g {
            if r + c > 0 {
                w.write_all(b",\n")?;
            }
            // Row 0 is the northernmost.
            let (x0, x1) = (c as f64 * d, (c + 1) as f64 * d);
            let (y0, y1) = (plan.side - (r + 1) as f64 * d, plan.side - r as f64 * d);
            let ring: Vec<[f64; 2]> = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
                .iter()
                .map(|p| to_lonlat(*p, h))
                .collect();
            // Care grade 1 in the centre, 3 on the outskirts.
            let ring_no = (2 * r).abs_diff(g - 1).max((2 * c).abs_diff(g - 1));
            let grade = if ring_no * 3 < g {
                1
            } else if ring_no * 3 < 2 * g {
                2
            } else {
                3
            };
            let mut f = Feature::start(w, None)?;
            f.str("kind", "zone")?
                .str_args("name", format_args!("district-{r:02}-{c:02}"))?
                .str_args("name:en", format_args!("District {r:02}-{c:02}"))?
                .int("care_grade", grade)?;
            f.polygon(&[ring])?;
        }
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

// ---------------------------------------------------------------------------------------------
// Assets

struct CitySpecies {
    latin: &'static str,
    en: &'static str,
    genus: &'static str,
    /// DBH range, cm; height = base + per_cm · dbh capped at max, m; crown = base + per_cm · dbh.
    dbh: [f64; 2],
    height: [f64; 3],
    crown: [f64; 2],
    growth: f64,
}

macro_rules! sp {
    ($latin:literal, $en:literal, $genus:literal, $dbh:expr, $h:expr, $c:expr, $g:literal) => {
        CitySpecies {
            latin: $latin,
            en: $en,
            genus: $genus,
            dbh: $dbh,
            height: $h,
            crown: $c,
            growth: $g,
        }
    };
}

/// Common street trees of a central European city, with rough weights.
const CITY_TREES: [(CitySpecies, u32); 14] = [
    (
        sp!(
            "Tilia cordata",
            "Small-leaved lime",
            "Tilia",
            [10.0, 70.0],
            [3.0, 0.3, 22.0],
            [2.0, 0.16],
            0.8
        ),
        18,
    ),
    (
        sp!(
            "Tilia x europaea",
            "Common lime",
            "Tilia",
            [12.0, 80.0],
            [3.0, 0.3, 25.0],
            [2.0, 0.16],
            0.8
        ),
        8,
    ),
    (
        sp!(
            "Acer platanoides",
            "Norway maple",
            "Acer",
            [10.0, 60.0],
            [3.0, 0.3, 20.0],
            [2.0, 0.18],
            0.8
        ),
        16,
    ),
    (
        sp!(
            "Acer pseudoplatanus",
            "Sycamore maple",
            "Acer",
            [10.0, 60.0],
            [3.0, 0.3, 22.0],
            [2.0, 0.18],
            0.8
        ),
        5,
    ),
    (
        sp!(
            "Quercus robur",
            "Pedunculate oak",
            "Quercus",
            [10.0, 90.0],
            [3.0, 0.25, 25.0],
            [2.0, 0.17],
            0.6
        ),
        9,
    ),
    (
        sp!(
            "Platanus x hispanica",
            "London plane",
            "Platanus",
            [12.0, 100.0],
            [3.0, 0.25, 28.0],
            [2.5, 0.18],
            1.0
        ),
        8,
    ),
    (
        sp!(
            "Aesculus hippocastanum",
            "Horse chestnut",
            "Aesculus",
            [12.0, 80.0],
            [3.0, 0.25, 22.0],
            [2.5, 0.18],
            0.8
        ),
        5,
    ),
    (
        sp!(
            "Robinia pseudoacacia",
            "Black locust",
            "Robinia",
            [10.0, 55.0],
            [3.0, 0.3, 20.0],
            [2.0, 0.15],
            0.9
        ),
        6,
    ),
    (
        sp!(
            "Betula pendula",
            "Silver birch",
            "Betula",
            [8.0, 45.0],
            [3.0, 0.4, 20.0],
            [1.5, 0.14],
            0.9
        ),
        5,
    ),
    (
        sp!(
            "Fraxinus excelsior",
            "European ash",
            "Fraxinus",
            [10.0, 60.0],
            [3.0, 0.3, 24.0],
            [2.0, 0.16],
            0.9
        ),
        4,
    ),
    (
        sp!(
            "Carpinus betulus",
            "Hornbeam",
            "Carpinus",
            [8.0, 45.0],
            [2.5, 0.3, 16.0],
            [1.5, 0.15],
            0.6
        ),
        6,
    ),
    (
        sp!(
            "Prunus avium",
            "Wild cherry",
            "Prunus",
            [8.0, 40.0],
            [2.5, 0.3, 14.0],
            [2.0, 0.15],
            0.7
        ),
        4,
    ),
    (
        sp!(
            "Pinus sylvestris",
            "Scots pine",
            "Pinus",
            [10.0, 50.0],
            [3.0, 0.3, 20.0],
            [1.5, 0.12],
            0.6
        ),
        3,
    ),
    (
        sp!(
            "Sorbus aucuparia",
            "Rowan",
            "Sorbus",
            [6.0, 30.0],
            [2.0, 0.3, 12.0],
            [1.5, 0.14],
            0.6
        ),
        3,
    ),
];

const CONDITIONS: [(Condition, u32); 7] = [
    (Condition::Excellent, 6),
    (Condition::VeryGood, 18),
    (Condition::Good, 46),
    (Condition::Fair, 20),
    (Condition::Poor, 6),
    (Condition::Critical, 2),
    (Condition::Dead, 2),
];

const PLANTINGS: [(&str, u32); 6] = [
    ("Petunia x hybrida", 30),
    ("Tagetes patula", 20),
    ("Pelargonium x hortorum", 20),
    ("Begonia semperflorens", 15),
    ("Salvia splendens", 10),
    ("Viola x wittrockiana", 5),
];
const BOX_SIZES: [[f64; 3]; 3] = [[1.0, 0.3, 0.25], [1.2, 0.4, 0.3], [0.8, 0.3, 0.25]];
const GREEN_PLANTS: [(&str, u32); 4] = [
    ("Poa pratensis", 6),
    ("Lolium perenne", 2),
    ("Rosa x hybrida", 1),
    ("Lavandula angustifolia", 1),
];

#[derive(Clone, Copy, PartialEq)]
enum Block {
    Plain,
    Square,
    Park,
}

/// Streams features one per line, numbering ids and refs.
struct Out<'w, W: Write> {
    w: &'w mut W,
    half: f64,
    width: usize,
    next_id: u64,
    refs: [u64; 6],
    rng: SplitMix64,
}

impl<W: Write> Out<'_, W> {
    /// Opens the next feature with its id and ref.
    fn start(&mut self, kind: AssetKind) -> io::Result<Feature<'_, W>> {
        if self.next_id > 0 {
            self.w.write_all(b",\n")?;
        }
        self.next_id += 1;
        let k = AssetKind::ALL
            .iter()
            .position(|x| *x == kind)
            .expect("kind");
        self.refs[k] += 1;
        let (n, width, prefix) = (self.refs[k], self.width, kind.ref_prefix());
        let mut f = Feature::start_numbered(self.w, self.next_id)?;
        f.str("kind", kind.as_str())?
            .str_args("ref", format_args!("{prefix}-{n:0width$}"))?;
        Ok(f)
    }

    fn ll(&self, p: [f64; 2]) -> [f64; 2] {
        to_lonlat(p, self.half)
    }

    fn rect(&self, r: [f64; 4]) -> Vec<[f64; 2]> {
        [
            [r[0], r[1]],
            [r[2], r[1]],
            [r[2], r[3]],
            [r[0], r[3]],
            [r[0], r[1]],
        ]
        .iter()
        .map(|p| self.ll(*p))
        .collect()
    }

    fn tree(&mut self, p: [f64; 2]) -> io::Result<()> {
        let r = &mut self.rng;
        let state = match r.below(100) {
            0 => SiteState::Stump,
            1 => SiteState::Vacant,
            _ => SiteState::Occupied,
        };
        let sp = r.weighted(&CITY_TREES);
        let dbh = r.range(sp.dbh[0], sp.dbh[1]);
        let height = (sp.height[0] + sp.height[1] * dbh).min(sp.height[2]) * r.range(0.9, 1.1);
        let crown = (sp.crown[0] + sp.crown[1] * dbh) * r.range(0.9, 1.1);
        let condition = *r.weighted(&CONDITIONS);
        let year = 2024 - (dbh / sp.growth) as i64;
        let day = r.below(50);
        // Planted in spring (March–April) or autumn (October–November); records from 1970.
        let (month, day) = match (r.below(2), day) {
            (0, d) if d < 25 => (3, d + 5),
            (0, d) => (4, d - 24),
            (_, d) if d < 25 => (10, d + 5),
            (_, d) => (11, d - 24),
        };
        let p = self.ll(p);
        let mut f = self.start(AssetKind::Tree)?;
        if state != SiteState::Vacant {
            f.str("species", sp.latin)?
                .str("species:en", sp.en)?
                .str("genus", sp.genus)?
                .fixed("dbh_cm", dbh, 1)?;
            if state == SiteState::Occupied {
                f.fixed("height_m", height, 1)?.fixed("crown_m", crown, 1)?;
                if year >= 1970 {
                    f.str_args("planted", format_args!("{year}-{month:02}-{day:02}"))?;
                }
                f.str("condition", condition.as_str())?;
            } else {
                f.str("condition", Condition::Dead.as_str())?;
            }
        }
        f.str("site_state", state.as_str())?;
        f.point(p)
    }

    fn boxes(&mut self, p: [f64; 2], dims: [f64; 3]) -> io::Result<()> {
        let count = 2 + self.rng.below(5);
        let planting = *self.rng.weighted(&PLANTINGS);
        let p = self.ll(p);
        let mut f = self.start(AssetKind::FlowerBoxGroup)?;
        f.int("box_count", count as i64)?
            .trimmed("box_length_m", dims[0], 2)?
            .trimmed("box_width_m", dims[1], 2)?
            .trimmed("box_depth_m", dims[2], 2)?
            .str("planting", planting)?
            .str("site_state", SiteState::Occupied.as_str())?;
        f.point(p)
    }

    fn park(&mut self, subtype: ParkSubtype, number: usize, r: [f64; 4]) -> io::Result<()> {
        let ring = self.rect(r);
        let label = if subtype == ParkSubtype::Square {
            "Square"
        } else {
            "Park"
        };
        let mut f = self.start(AssetKind::Park)?;
        f.str_args("name", format_args!("{label} {number}"))?
            .str("park_type", subtype.as_str())?;
        f.polygon(&[ring])
    }

    fn green(&mut self, r: [f64; 4]) -> io::Result<()> {
        let plant = *self.rng.weighted(&GREEN_PLANTS);
        let ring = self.rect(r);
        let mut f = self.start(AssetKind::GreenArea)?;
        f.str("plant", plant)?;
        f.polygon(&[ring])
    }

    fn pond(&mut self, c: [f64; 2], radius: [f64; 2]) -> io::Result<()> {
        let depth = self.rng.range(0.8, 1.5);
        let mut ring: Vec<[f64; 2]> = UNIT_24
            .iter()
            .step_by(2)
            .map(|u| [c[0] + u[0] * radius[0], c[1] + u[1] * radius[1]])
            .collect();
        ring.push(ring[0]);
        let area: f64 = ring
            .windows(2)
            .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
            .sum::<f64>()
            / 2.0;
        let ring: Vec<[f64; 2]> = ring.iter().map(|p| self.ll(*p)).collect();
        let mut f = self.start(AssetKind::WaterFeature)?;
        f.str("water", WaterKind::Pond.as_str())?
            .fixed("volume_m3", area * depth, 0)?;
        f.polygon(&[ring])
    }
}

fn write_assets(plan: &Plan, seed: u64, w: &mut impl Write) -> io::Result<()> {
    let nb = plan.blocks * plan.blocks;
    let mut rng = SplitMix64::new(seed);
    // Which blocks are squares and parks: the first of a shuffled list.
    let mut kinds = vec![Block::Plain; nb];
    let mut order: Vec<u32> = (0..nb as u32).collect();
    rng.shuffle(&mut order);
    for (i, b) in order.iter().enumerate().take(plan.box_blocks + plan.parks) {
        kinds[*b as usize] = if i < plan.box_blocks {
            Block::Square
        } else {
            Block::Park
        };
    }
    drop(order);

    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut out = Out {
        w,
        half: plan.side / 2.0,
        width: plan.ref_width(),
        next_id: 0,
        refs: [0; 6],
        rng,
    };
    let (mut square_no, mut park_no) = (0, 0);
    let inner_side = PITCH - 2.0 * INNER_INSET;
    let loop_side = PITCH - 2.0 * TREE_INSET;
    for (b, kind) in kinds.iter().enumerate() {
        // Row 0 is the northernmost, as for districts.
        let (row, col) = (b / plan.blocks, b % plan.blocks);
        let x0 = col as f64 * PITCH;
        let y0 = plan.side - (row + 1) as f64 * PITCH;

        // Street trees, evenly round the block's sidewalks, counter-clockwise from the SW corner.
        let m = share(plan.trees, nb, b);
        for i in 0..m {
            let jitter = out.rng.range(-0.3, 0.3);
            let t = ((i as f64 + 0.5 + jitter) * 4.0 / m as f64).clamp(0.0, 3.999_999);
            let (edge, s) = (t as usize, (t - t.floor()) * loop_side);
            let (lx, ly) = match edge {
                0 => (s, 0.0),
                1 => (loop_side, s),
                2 => (loop_side - s, loop_side),
                _ => (0.0, loop_side - s),
            };
            out.tree([x0 + TREE_INSET + lx, y0 + TREE_INSET + ly])?;
        }

        let inner = [
            x0 + INNER_INSET,
            y0 + INNER_INSET,
            x0 + INNER_INSET + inner_side,
            y0 + INNER_INSET + inner_side,
        ];
        match kind {
            Block::Plain => {}
            Block::Square => {
                if square_no < plan.squares {
                    out.park(ParkSubtype::Square, square_no + 1, inner)?;
                }
                let m = share(plan.boxes, plan.box_blocks, square_no);
                let dims = BOX_SIZES[out.rng.below(3) as usize];
                let q = ceil_sqrt(m).max(1);
                let cell = (inner_side - 6.0) / q as f64;
                for i in 0..m {
                    let (cx, cy) = ((i % q) as f64 + 0.5, (i / q) as f64 + 0.5);
                    let jx = out.rng.range(-0.2, 0.2);
                    let jy = out.rng.range(-0.2, 0.2);
                    out.boxes(
                        [
                            inner[0] + 3.0 + (cx + jx) * cell,
                            inner[1] + 3.0 + (cy + jy) * cell,
                        ],
                        dims,
                    )?;
                }
                square_no += 1;
            }
            Block::Park => {
                out.park(ParkSubtype::Park, park_no + 1, inner)?;
                let cell = inner_side / 4.0;
                if park_no < plan.ponds {
                    let rx = out.rng.range(0.6, 0.9) * cell;
                    let ry = out.rng.range(0.6, 0.9) * cell;
                    let c = [inner[0] + 2.0 * cell, inner[1] + 2.0 * cell];
                    out.pond(c, [rx, ry])?;
                }
                // The 12 cells round the edge, in an order that spreads a few lawns out.
                const RING: [(usize, usize); PARK_CELLS] = [
                    (0, 0),
                    (3, 3),
                    (3, 0),
                    (0, 3),
                    (1, 0),
                    (2, 3),
                    (3, 1),
                    (0, 2),
                    (2, 0),
                    (1, 3),
                    (3, 2),
                    (0, 1),
                ];
                let lawns = share(plan.lawns, plan.parks, park_no);
                for &(i, j) in RING.iter().take(lawns) {
                    let gx = inner[0] + i as f64 * cell;
                    let gy = inner[1] + j as f64 * cell;
                    out.green([gx + 1.5, gy + 1.5, gx + cell - 1.5, gy + cell - 1.5])?;
                }
                park_no += 1;
            }
        }
    }
    debug_assert_eq!(out.next_id as usize, plan.assets);
    out.w.write_all(b"\n]}\n")?;
    out.w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_hits_the_total_and_the_district_sizes() {
        for n in [
            0, 1, 2, 5, 7, 13, 99, 2_000, 7_500, 9_999, 10_000, 25_000, 123_457, 1_000_000,
        ] {
            let p = Plan::new(n);
            assert_eq!(
                p.trees + p.boxes + p.squares + p.parks + p.ponds + p.lawns,
                n,
                "{n}"
            );
            assert!(p.lawns <= p.parks * (PARK_CELLS - 2) || p.parks == 0, "{n}");
            let blocks = p.blocks * p.blocks;
            assert!(blocks >= p.box_blocks + p.parks, "{n}");
            assert!(p.trees.div_ceil(blocks) <= TREES_PER_BLOCK, "{n}");
            assert_eq!(p.blocks % p.grid, 0);
            let per_district = n / (p.grid * p.grid);
            if n >= 2 * DISTRICT_ASSETS {
                assert!(
                    (2_000..=10_000).contains(&per_district),
                    "{n}: {per_district}"
                );
            }
        }
    }

    #[test]
    fn shares_add_up() {
        let total: usize = (0..7).map(|i| share(100, 7, i)).sum();
        assert_eq!(total, 100);
        assert_eq!(ceil_sqrt(0), 0);
        assert_eq!(ceil_sqrt(54), 8);
        assert_eq!(ceil_sqrt(64), 8);
    }
}
