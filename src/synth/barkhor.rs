//! The Barkhor default dataset: the old town of Lhasa around the Jokhang, with the greenery the
//! office's 2025 work report describes (DOMAIN.md §1), placed on the real layout.
//!
//! Zones follow the real squares, streets and parks around the reference coordinates of DOMAIN.md;
//! their outlines, and every asset inside them, are *approximate* (`survey=approximate`): they are
//! placed plausibly, not surveyed. Unity Park in particular is placed near 91.105, 29.655 without a
//! source. The contents match the report's figures: exactly 354 flower-box groups, about 1,500
//! street and square trees with 184 dead, stumps, poor or critical, seven heritage willows, the
//! Longwangtan lake, the Potala square rockery.
//!
//! The committed file `geodata/barkhor/barkhor.geojson` is [`barkhor_geojson`]'s output; the test
//! `tests/synth_barkhor.rs` keeps them equal (`GREENWARD_REGENERATE=1` rewrites the file).
//!
//! # Units
//! Layout is computed in metres east (x) and north (y) of the Jokhang, converted to WGS84 degrees
//! with fixed metres-per-degree at 29.655° N; only `+ − × ÷ √` are used, so the output is the same
//! bytes on every platform.

use crate::model::{AssetKind, Condition, ParkSubtype, SiteState, WaterKind};

use super::rng::SplitMix64;
use super::write::{Feature, UNIT_24};

/// Where the generated file is committed, relative to the crate root.
pub const BARKHOR_FILE: &str = "geodata/barkhor/barkhor.geojson";

/// The zone keys of the Barkhor dataset, in file order.
pub const BARKHOR_ZONE_KEYS: [&str; 14] = {
    let mut keys = [""; 14];
    let mut i = 0;
    while i < 14 {
        keys[i] = ZONES[i].key;
        i += 1;
    }
    keys
};

/// The Barkhor dataset as a GeoJSON FeatureCollection, one feature per line: the 14 zones first,
/// then each zone's assets (parks, water, green areas, tree rows, trees, flower boxes).
///
/// Deterministic: every call returns the same bytes.
pub fn barkhor_geojson() -> String {
    let assets = build_assets();
    let mut out: Vec<u8> = Vec::with_capacity(1 << 20);
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut first = true;
    let mut sep = |out: &mut Vec<u8>| {
        if !first {
            out.extend_from_slice(b",\n");
        }
        first = false;
    };
    for z in &ZONES {
        sep(&mut out);
        write_zone(&mut out, z).expect("writing to a Vec cannot fail");
    }
    // Per-(kind, zone) counters for the refs.
    let mut counters = vec![[0u32; 6]; ZONES.len()];
    for a in &assets {
        sep(&mut out);
        let k = AssetKind::ALL
            .iter()
            .position(|k| *k == a.kind)
            .expect("kind");
        counters[a.zone][k] += 1;
        write_asset(&mut out, a, counters[a.zone][k]).expect("writing to a Vec cannot fail");
    }
    out.extend_from_slice(b"\n]}\n");
    String::from_utf8(out).expect("generated GeoJSON is UTF-8")
}

// ---------------------------------------------------------------------------------------------
// Coordinates

/// A point in metres: x east, y north of the Jokhang.
type P = [f64; 2];

/// The origin of the local frame: the Jokhang (Tsuklakhang), DOMAIN.md §1.
const ORIGIN: P = [91.1318, 29.65285];
/// Metres per degree of longitude and latitude at 29.655° N on WGS84.
const M_PER_DEG_LON: f64 = 96_818.2;
const M_PER_DEG_LAT: f64 = 110_846.6;

fn to_lonlat(p: P) -> [f64; 2] {
    [
        ORIGIN[0] + p[0] / M_PER_DEG_LON,
        ORIGIN[1] + p[1] / M_PER_DEG_LAT,
    ]
}

fn to_metres(lon: f64, lat: f64) -> P {
    [
        (lon - ORIGIN[0]) * M_PER_DEG_LON,
        (lat - ORIGIN[1]) * M_PER_DEG_LAT,
    ]
}

/// An axis-aligned rectangle [x0, y0, x1, y1] in metres.
type Rect = [f64; 4];

fn rect_ring(r: Rect) -> Vec<P> {
    vec![
        [r[0], r[1]],
        [r[2], r[1]],
        [r[2], r[3]],
        [r[0], r[3]],
        [r[0], r[1]],
    ]
}

/// A closed counter-clockwise ellipse around `c` with radii `r`, one vertex every `step`·15°,
/// each radius scaled by a factor in [1 − jitter, 1 + jitter].
fn ellipse_ring(c: P, r: P, step: usize, jitter: f64, rng: &mut SplitMix64) -> Vec<P> {
    let mut ring: Vec<P> = UNIT_24
        .iter()
        .step_by(step)
        .map(|u| {
            let f = if jitter > 0.0 {
                rng.range(1.0 - jitter, 1.0 + jitter)
            } else {
                1.0
            };
            [c[0] + u[0] * r[0] * f, c[1] + u[1] * r[1] * f]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

/// A closed counter-clockwise octagon: the rectangle ±h around `c` with corners cut by `cut`.
fn octagon_ring(c: P, h: P, cut: f64) -> Vec<P> {
    let [cx, cy] = c;
    let [hx, hy] = h;
    vec![
        [cx + hx, cy - hy + cut],
        [cx + hx, cy + hy - cut],
        [cx + hx - cut, cy + hy],
        [cx - hx + cut, cy + hy],
        [cx - hx, cy + hy - cut],
        [cx - hx, cy - hy + cut],
        [cx - hx + cut, cy - hy],
        [cx + hx - cut, cy - hy],
        [cx + hx, cy - hy + cut],
    ]
}

fn octagon_contains(c: P, h: P, cut: f64, p: P) -> bool {
    let (dx, dy) = ((p[0] - c[0]).abs(), (p[1] - c[1]).abs());
    dx < h[0] && dy < h[1] && dx + dy < h[0] + h[1] - cut
}

/// Shoelace area of a closed ring, m² (positive when counter-clockwise).
fn ring_area(r: &[P]) -> f64 {
    r.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

fn dist2(a: P, b: P) -> f64 {
    (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])
}

/// Distance from `p` to the segment a–b.
fn seg_dist(p: P, a: P, b: P) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    };
    dist2(p, [a[0] + t * dx, a[1] + t * dy]).sqrt()
}

/// Something points must keep away from: a bed, a lake, a stream.
enum Keep {
    Rect(Rect),
    Ellipse(P, P),
    Path(Vec<P>),
}

impl Keep {
    fn near(&self, p: P, margin: f64) -> bool {
        match self {
            Keep::Rect(r) => {
                p[0] > r[0] - margin
                    && p[0] < r[2] + margin
                    && p[1] > r[1] - margin
                    && p[1] < r[3] + margin
            }
            Keep::Ellipse(c, r) => {
                let (dx, dy) = (
                    (p[0] - c[0]) / (r[0] + margin),
                    (p[1] - c[1]) / (r[1] + margin),
                );
                dx * dx + dy * dy < 1.0
            }
            Keep::Path(pts) => pts.windows(2).any(|w| seg_dist(p, w[0], w[1]) < margin),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Zones

enum Area {
    /// A rectangle in degrees: [west, south, east, north].
    Deg([f64; 4]),
    /// The Barkhor ring: an octagonal band around the Jokhang.
    Ring,
}

struct ZoneDef {
    key: &'static str,
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    bo: Option<&'static str>,
    care_grade: u8,
    area: Area,
}

/// Centre, half-size, corner cut and half-width of the Barkhor ring's centre line, metres. The
/// kora runs about 150–190 m around the Jokhang, a little further on the east.
const RING_C: P = [40.0, 0.0];
const RING_H: P = [170.0, 150.0];
const RING_CUT: f64 = 50.0;
const RING_W: f64 = 15.0;

const ZONES: [ZoneDef; 14] = [
    ZoneDef {
        key: "potala-square",
        code: "PTL",
        zh: "布达拉宫广场",
        en: "Potala Palace Square",
        bo: None,
        care_grade: 1,
        // South of the palace (29.6579) across Beijing Middle Road, centred on its axis.
        area: Area::Deg([91.1146, 29.6524, 91.1200, 29.6545]),
    },
    ZoneDef {
        key: "jokhang-square",
        code: "JKS",
        zh: "大昭寺广场",
        en: "Jokhang Square",
        bo: None,
        care_grade: 1,
        // West of the Jokhang, outside the Barkhor ring.
        area: Area::Deg([91.1282, 29.6520, 91.1301, 29.6538]),
    },
    ZoneDef {
        key: "great-mosque-square",
        code: "GMS",
        zh: "清真大寺广场",
        en: "Great Mosque Square",
        bo: None,
        care_grade: 1,
        // Around the Great Mosque, 91.1352, 29.6508, south-east of the Jokhang.
        area: Area::Deg([91.1346, 29.6502, 91.1358, 29.6512]),
    },
    ZoneDef {
        key: "small-mosque-square",
        code: "SMS",
        zh: "小清真寺广场",
        en: "Small Mosque Square",
        bo: None,
        care_grade: 1,
        // Just south of the ring, west of the Great Mosque.
        area: Area::Deg([91.1330, 29.6500, 91.1338, 29.6507]),
    },
    ZoneDef {
        key: "barkhor-street",
        code: "BKS",
        zh: "八廓街",
        en: "Barkhor Street",
        bo: Some("བར་སྐོར"),
        care_grade: 1,
        area: Area::Ring,
    },
    ZoneDef {
        key: "beijing-middle-road",
        code: "BJR",
        zh: "北京中路",
        en: "Beijing Middle Road",
        bo: None,
        care_grade: 2,
        // From west of the Potala to east of the Jokhang, between the palace and its square.
        area: Area::Deg([91.1100, 29.6548, 91.1405, 29.6552]),
    },
    ZoneDef {
        key: "duosenge-road",
        code: "DSG",
        zh: "朵森格路",
        en: "Duosenge Road",
        bo: None,
        care_grade: 2,
        area: Area::Deg([91.1236, 29.6470, 91.1240, 29.6546]),
    },
    ZoneDef {
        key: "linkuo-road",
        code: "LKR",
        zh: "林廓路",
        en: "Linkuo Road",
        bo: Some("གླིང་སྐོར"),
        care_grade: 2,
        // The eastern stretch of the Lingkhor, the outer ring road.
        area: Area::Deg([91.1393, 29.6470, 91.1397, 29.6546]),
    },
    ZoneDef {
        key: "yutuo-road",
        code: "YTR",
        zh: "宇拓路",
        en: "Yutuo Road",
        bo: None,
        care_grade: 2,
        // From Duosenge Road east into Jokhang Square.
        area: Area::Deg([91.1241, 29.65265, 91.12815, 29.65305]),
    },
    ZoneDef {
        key: "longwangtan-park",
        code: "LWT",
        zh: "龙王潭公园",
        en: "Longwangtan Park",
        bo: Some("རྫོང་རྒྱབ་ཀླུ་ཁང"),
        care_grade: 1,
        // North of the Potala, around the Lukhang temple (91.117799, 29.6604).
        area: Area::Deg([91.1148, 29.6593, 91.1212, 29.6626]),
    },
    ZoneDef {
        key: "unity-park",
        code: "UNP",
        zh: "团结公园",
        en: "Unity Park",
        bo: None,
        care_grade: 2,
        // Placement assumed (no source): west of the Potala near 91.105, 29.655.
        area: Area::Deg([91.1030, 29.6535, 91.1072, 29.6565]),
    },
    ZoneDef {
        key: "pocket-park-1",
        code: "PP1",
        zh: "口袋公园一",
        en: "Pocket Park 1",
        bo: None,
        care_grade: 3,
        area: Area::Deg([91.1255, 29.6558, 91.1265, 29.6566]),
    },
    ZoneDef {
        key: "pocket-park-2",
        code: "PP2",
        zh: "口袋公园二",
        en: "Pocket Park 2",
        bo: None,
        care_grade: 3,
        area: Area::Deg([91.1362, 29.6520, 91.1374, 29.6530]),
    },
    ZoneDef {
        key: "pocket-park-3",
        code: "PP3",
        zh: "口袋公园三",
        en: "Pocket Park 3",
        bo: None,
        care_grade: 3,
        area: Area::Deg([91.1290, 29.6489, 91.1300, 29.6497]),
    },
];

impl ZoneDef {
    /// The zone rectangle in metres (the ring's outer bounding box for the ring).
    fn rect(&self) -> Rect {
        match self.area {
            Area::Deg([w, s, e, n]) => {
                let a = to_metres(w, s);
                let b = to_metres(e, n);
                [a[0], a[1], b[0], b[1]]
            }
            Area::Ring => {
                let (hx, hy) = (RING_H[0] + RING_W, RING_H[1] + RING_W);
                [
                    RING_C[0] - hx,
                    RING_C[1] - hy,
                    RING_C[0] + hx,
                    RING_C[1] + hy,
                ]
            }
        }
    }

    /// Polygon rings in degrees: exterior counter-clockwise, holes clockwise.
    fn rings(&self) -> Vec<Vec<[f64; 2]>> {
        match self.area {
            Area::Deg([w, s, e, n]) => vec![vec![[w, s], [e, s], [e, n], [w, n], [w, s]]],
            Area::Ring => {
                let outer =
                    octagon_ring(RING_C, [RING_H[0] + RING_W, RING_H[1] + RING_W], RING_CUT);
                let mut inner =
                    octagon_ring(RING_C, [RING_H[0] - RING_W, RING_H[1] - RING_W], RING_CUT);
                inner.reverse();
                [outer, inner]
                    .into_iter()
                    .map(|r| r.into_iter().map(to_lonlat).collect())
                    .collect()
            }
        }
    }

    /// Whether `p` lies inside the zone at least `margin` metres from its edge (rectangles), or
    /// inside the band (ring).
    fn holds(&self, p: P, margin: f64) -> bool {
        match self.area {
            Area::Deg(_) => {
                let r = self.rect();
                p[0] > r[0] + margin
                    && p[0] < r[2] - margin
                    && p[1] > r[1] + margin
                    && p[1] < r[3] - margin
            }
            Area::Ring => {
                let out = [RING_H[0] + RING_W - margin, RING_H[1] + RING_W - margin];
                let inn = [RING_H[0] - RING_W + margin, RING_H[1] - RING_W + margin];
                octagon_contains(RING_C, out, RING_CUT, p)
                    && !octagon_contains(RING_C, inn, RING_CUT, p)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Species and plantings (species_lhasa.csv)

struct Species {
    latin: &'static str,
    zh: &'static str,
    en: &'static str,
    genus: &'static str,
    /// DBH range, cm.
    dbh: [f64; 2],
    /// Height = base + per_cm · dbh, capped: [base, per_cm, max], m.
    height: [f64; 3],
    /// Crown diameter = base + per_cm · dbh: [base, per_cm], m.
    crown: [f64; 2],
    /// Typical DBH growth, cm a year (for a plausible planting year).
    growth: f64,
}

const POPLAR: Species = Species {
    latin: "Populus szechuanica var. tibetica",
    zh: "藏川杨",
    en: "Tibetan poplar",
    genus: "Populus",
    dbh: [12.0, 60.0],
    height: [3.0, 0.35, 24.0],
    crown: [1.5, 0.16],
    growth: 1.3,
};
const BEIJING_POPLAR: Species = Species {
    latin: "Populus x beijingensis",
    zh: "北京杨",
    en: "Beijing poplar",
    genus: "Populus",
    dbh: [12.0, 50.0],
    height: [3.0, 0.35, 22.0],
    crown: [1.5, 0.15],
    growth: 1.3,
};
const CHINESE_WILLOW: Species = Species {
    latin: "Salix matsudana",
    zh: "旱柳",
    en: "Chinese willow",
    genus: "Salix",
    dbh: [10.0, 55.0],
    height: [2.5, 0.28, 16.0],
    crown: [2.0, 0.2],
    growth: 1.1,
};
const WEEPING_WILLOW: Species = Species {
    latin: "Salix babylonica",
    zh: "垂柳",
    en: "Weeping willow",
    genus: "Salix",
    dbh: [10.0, 50.0],
    height: [2.5, 0.26, 14.0],
    crown: [2.5, 0.2],
    growth: 1.1,
};
const HERITAGE_WILLOW: Species = Species {
    latin: "Salix paraplesia var. subintegra",
    zh: "左旋柳",
    en: "Left-twisted willow",
    genus: "Salix",
    dbh: [80.0, 150.0],
    height: [6.0, 0.06, 16.0],
    crown: [6.0, 0.07],
    growth: 0.5,
};
const PAGODA_TREE: Species = Species {
    latin: "Styphnolobium japonicum",
    zh: "国槐",
    en: "Japanese pagoda tree",
    genus: "Styphnolobium",
    dbh: [10.0, 42.0],
    height: [3.0, 0.3, 16.0],
    crown: [2.0, 0.18],
    growth: 0.7,
};
const ELM: Species = Species {
    latin: "Ulmus pumila",
    zh: "榆树",
    en: "Siberian elm",
    genus: "Ulmus",
    dbh: [10.0, 45.0],
    height: [3.0, 0.3, 16.0],
    crown: [2.0, 0.17],
    growth: 0.8,
};
const LOCUST: Species = Species {
    latin: "Robinia pseudoacacia",
    zh: "刺槐",
    en: "Black locust",
    genus: "Robinia",
    dbh: [10.0, 35.0],
    height: [3.0, 0.35, 15.0],
    crown: [2.0, 0.15],
    growth: 0.9,
};
const JUNIPER: Species = Species {
    latin: "Juniperus chinensis",
    zh: "圆柏",
    en: "Chinese juniper",
    genus: "Juniperus",
    dbh: [8.0, 30.0],
    height: [1.5, 0.25, 9.0],
    crown: [1.0, 0.07],
    growth: 0.45,
};
const ARBORVITAE: Species = Species {
    latin: "Platycladus orientalis",
    zh: "侧柏",
    en: "Chinese arborvitae",
    genus: "Platycladus",
    dbh: [8.0, 28.0],
    height: [1.5, 0.28, 9.0],
    crown: [1.0, 0.08],
    growth: 0.45,
};
const CYPRESS: Species = Species {
    latin: "Cupressus gigantea",
    zh: "巨柏",
    en: "Tibetan cypress",
    genus: "Cupressus",
    dbh: [10.0, 40.0],
    height: [2.0, 0.3, 14.0],
    crown: [1.2, 0.1],
    growth: 0.5,
};

type Mix = [(&'static Species, u32)];

/// Street trees: mostly poplar and willow, with pagoda trees, elms and locusts.
const STREET_MIX: &Mix = &[
    (&POPLAR, 34),
    (&CHINESE_WILLOW, 16),
    (&WEEPING_WILLOW, 12),
    (&PAGODA_TREE, 14),
    (&ELM, 10),
    (&LOCUST, 6),
    (&BEIJING_POPLAR, 6),
    (&ARBORVITAE, 2),
];
/// Squares: evergreens for winter green, with willows and pagoda trees.
const SQUARE_MIX: &Mix = &[
    (&JUNIPER, 28),
    (&ARBORVITAE, 18),
    (&CYPRESS, 10),
    (&WEEPING_WILLOW, 14),
    (&PAGODA_TREE, 14),
    (&POPLAR, 10),
    (&ELM, 6),
];
/// Parks: willows and poplars by the water, some evergreens.
const PARK_MIX: &Mix = &[
    (&WEEPING_WILLOW, 22),
    (&CHINESE_WILLOW, 20),
    (&POPLAR, 22),
    (&ELM, 8),
    (&JUNIPER, 10),
    (&ARBORVITAE, 8),
    (&CYPRESS, 5),
    (&LOCUST, 5),
];

const PETUNIA: &str = "Petunia x hybrida";
const MARIGOLD: &str = "Tagetes erecta";
const GERANIUM: &str = "Pelargonium x hortorum";
const SALVIA: &str = "Salvia splendens";
const COSMOS: &str = "Cosmos bipinnatus";
const LAWN: &str = "Poa pratensis";
const CONIFER_BED: &str = "Juniperus chinensis";

/// Box sizes (length, width, depth, m) and current plantings of one zone.
struct BoxSpec {
    dims: [f64; 3],
    plantings: &'static [(&'static str, u32)],
}

const STD_BOX: [f64; 3] = [1.0, 0.3, 0.25];
const STREET_BOXES: BoxSpec = BoxSpec {
    dims: STD_BOX,
    plantings: &[(PETUNIA, 40), (MARIGOLD, 40), (SALVIA, 20)],
};
const MOSQUE_BOXES: BoxSpec = BoxSpec {
    dims: [0.8, 0.3, 0.25],
    plantings: &[(PETUNIA, 50), (GERANIUM, 50)],
};

// ---------------------------------------------------------------------------------------------
// Assets

struct Names {
    en: String,
    zh: String,
    bo: Option<&'static str>,
}

fn names(en: impl Into<String>, zh: impl Into<String>) -> Option<Names> {
    Some(Names {
        en: en.into(),
        zh: zh.into(),
        bo: None,
    })
}

struct Tree {
    species: &'static Species,
    dbh: f64,
    height: f64,
    crown: f64,
    /// (year, month, day)
    planted: Option<(i32, u32, u32)>,
    condition: Condition,
    site_state: SiteState,
    heritage_grade: Option<u8>,
}

enum Body {
    Tree(Tree),
    Boxes {
        count: u32,
        dims: [f64; 3],
        planting: &'static str,
    },
    Row {
        species: &'static Species,
        count: u32,
    },
    Green {
        plant: &'static str,
    },
    Park(ParkSubtype),
    Water {
        water: WaterKind,
        volume_m3: Option<f64>,
    },
}

enum Geom {
    Point(P),
    Line(Vec<P>),
    Polygon(Vec<Vec<P>>),
}

struct Asset {
    zone: usize,
    kind: AssetKind,
    names: Option<Names>,
    body: Body,
    geom: Geom,
}

/// Dead, stump and poor/critical counts drawn over the ordinary trees: 184 in all, matching the
/// report's "180+ dead trees" order of magnitude.
const DEAD: usize = 106;
const STUMPS: usize = 12;
const CRITICAL: usize = 22;
const POOR: usize = 44;

fn build_assets() -> Vec<Asset> {
    let mut assets = Vec::new();
    for (zi, z) in ZONES.iter().enumerate() {
        let mut cx = Ctx::new(zi, &mut assets);
        match z.code {
            "PTL" => potala_square(&mut cx),
            "JKS" => jokhang_square(&mut cx),
            "GMS" => small_square(&mut cx, 16, 24),
            "SMS" => small_square(&mut cx, 10, 16),
            "BKS" => barkhor_street(&mut cx),
            "BJR" => street(&mut cx, 270, 16, [1.2, 0.3, 0.3]),
            "DSG" | "LKR" => street(&mut cx, 75, 3, STD_BOX),
            "YTR" => street(&mut cx, 35, 10, STD_BOX),
            "LWT" => longwangtan(&mut cx),
            "UNP" => unity_park(&mut cx),
            _ => pocket_park(&mut cx),
        }
    }
    assign_bad_conditions(&mut assets);
    assets
}

/// Marks a fixed number of ordinary trees, drawn at random, dead, stumps, critical or poor.
fn assign_bad_conditions(assets: &mut [Asset]) {
    let mut idx: Vec<usize> = assets
        .iter()
        .enumerate()
        .filter(|(_, a)| matches!(&a.body, Body::Tree(t) if t.heritage_grade.is_none()))
        .map(|(i, _)| i)
        .collect();
    SplitMix64::new(0x0000_DEAD_7EE5).shuffle(&mut idx);
    let bands = [
        (DEAD, Condition::Dead, SiteState::Occupied),
        (STUMPS, Condition::Dead, SiteState::Stump),
        (CRITICAL, Condition::Critical, SiteState::Occupied),
        (POOR, Condition::Poor, SiteState::Occupied),
    ];
    let mut it = idx.into_iter();
    for (n, condition, state) in bands {
        for i in it.by_ref().take(n) {
            if let Body::Tree(t) = &mut assets[i].body {
                t.condition = condition;
                t.site_state = state;
                if state == SiteState::Stump {
                    t.height = 0.5;
                    t.crown = 0.0;
                }
            }
        }
    }
}

/// Builds the assets of one zone.
struct Ctx<'a> {
    zi: usize,
    zone: &'static ZoneDef,
    /// Centre of the zone rectangle, metres.
    c: P,
    rng: SplitMix64,
    out: &'a mut Vec<Asset>,
    /// Point assets placed so far, to keep a spacing.
    taken: Vec<P>,
}

/// Minimum spacing of point assets on squares and in parks, m.
const SPACING: f64 = 4.0;
/// Distance of scattered points from the zone edge, m.
const EDGE: f64 = 5.0;

impl<'a> Ctx<'a> {
    fn new(zi: usize, out: &'a mut Vec<Asset>) -> Self {
        let zone = &ZONES[zi];
        let r = zone.rect();
        // One stream per zone, so editing one zone leaves the others unchanged.
        let seed = zone.code.bytes().fold(0x4241_524B_484F_5200_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        });
        Ctx {
            zi,
            zone,
            c: [(r[0] + r[2]) / 2.0, (r[1] + r[3]) / 2.0],
            rng: SplitMix64::new(seed),
            out,
            taken: Vec::new(),
        }
    }

    /// A point given relative to the zone centre.
    fn at(&self, dx: f64, dy: f64) -> P {
        [self.c[0] + dx, self.c[1] + dy]
    }

    /// A rectangle given relative to the zone centre.
    fn rect(&self, r: Rect) -> Rect {
        [
            self.c[0] + r[0],
            self.c[1] + r[1],
            self.c[0] + r[2],
            self.c[1] + r[3],
        ]
    }

    /// The zone rectangle shrunk by `inset` metres.
    fn inset(&self, inset: f64) -> Rect {
        let r = self.zone.rect();
        [r[0] + inset, r[1] + inset, r[2] - inset, r[3] - inset]
    }

    fn push(&mut self, kind: AssetKind, names: Option<Names>, body: Body, geom: Geom) {
        let check = |p: &P| self.zone.holds(*p, 0.5);
        let inside = match &geom {
            Geom::Point(p) => check(p),
            Geom::Line(l) => l.iter().all(check),
            Geom::Polygon(rs) => rs[0].iter().all(check),
        };
        assert!(inside, "{kind} placed outside zone {}", self.zone.key);
        self.out.push(Asset {
            zone: self.zi,
            kind,
            names,
            body,
            geom,
        });
    }

    fn tree_of(&mut self, sp: &'static Species) -> Tree {
        let r = &mut self.rng;
        let dbh = r.range(sp.dbh[0], sp.dbh[1]);
        let height = (sp.height[0] + sp.height[1] * dbh).min(sp.height[2]) * r.range(0.9, 1.1);
        let crown = (sp.crown[0] + sp.crown[1] * dbh) * r.range(0.9, 1.1);
        let year = 2024 - (dbh / sp.growth).round() as i32;
        // Planting records exist from 1985; planted mid-April to late May.
        let day = r.below(42) as u32;
        let planted = (year >= 1985).then(|| {
            if day <= 20 {
                (year, 4, 10 + day)
            } else {
                (year, 5, day - 20)
            }
        });
        let condition = *r.weighted(&[
            (Condition::Excellent, 8),
            (Condition::VeryGood, 22),
            (Condition::Good, 45),
            (Condition::Fair, 25),
        ]);
        Tree {
            species: sp,
            dbh,
            height,
            crown,
            planted,
            condition,
            site_state: SiteState::Occupied,
            heritage_grade: None,
        }
    }

    fn tree(&mut self, sp: &'static Species, p: P) {
        let t = self.tree_of(sp);
        self.push(AssetKind::Tree, None, Body::Tree(t), Geom::Point(p));
    }

    fn heritage(&mut self, p: P, grade: u8, en: String, zh: String) {
        let mut t = self.tree_of(&HERITAGE_WILLOW);
        let band = match grade {
            1 => [130.0, 150.0],
            2 => [100.0, 125.0],
            _ => [80.0, 95.0],
        };
        t.dbh = self.rng.range(band[0], band[1]);
        t.height = (6.0 + 0.06 * t.dbh).min(16.0) * self.rng.range(0.9, 1.1);
        t.crown = (6.0 + 0.07 * t.dbh) * self.rng.range(0.9, 1.1);
        t.planted = None;
        t.condition = *self.rng.weighted(&[
            (Condition::VeryGood, 1),
            (Condition::Good, 3),
            (Condition::Fair, 3),
        ]);
        t.heritage_grade = Some(grade);
        self.taken.push(p);
        self.push(
            AssetKind::Tree,
            names(en, zh),
            Body::Tree(t),
            Geom::Point(p),
        );
    }

    fn boxes(&mut self, p: P, spec: &BoxSpec) {
        let count = *self
            .rng
            .weighted(&[(2, 15), (3, 25), (4, 30), (5, 15), (6, 15)]);
        let planting = *self.rng.weighted(spec.plantings);
        self.push(
            AssetKind::FlowerBoxGroup,
            None,
            Body::Boxes {
                count,
                dims: spec.dims,
                planting,
            },
            Geom::Point(p),
        );
    }

    /// `n` random points in `area`, at least [`SPACING`] from every point placed so far and clear
    /// of `keep` (each with its margin).
    fn scatter(&mut self, n: usize, area: Rect, keep: &[(&Keep, f64)]) -> Vec<P> {
        let mut pts = Vec::with_capacity(n);
        let mut tries = 0;
        while pts.len() < n {
            tries += 1;
            assert!(
                tries < 100_000,
                "cannot place {n} points in {}",
                self.zone.key
            );
            let p = [
                self.rng.range(area[0], area[2]),
                self.rng.range(area[1], area[3]),
            ];
            if keep.iter().any(|(k, m)| k.near(p, *m))
                || self.taken.iter().any(|q| dist2(p, *q) < SPACING * SPACING)
            {
                continue;
            }
            self.taken.push(p);
            pts.push(p);
        }
        pts
    }

    fn scatter_trees(&mut self, n: usize, mix: &Mix, area: Rect, keep: &[(&Keep, f64)]) {
        for p in self.scatter(n, area, keep) {
            let sp = *self.rng.weighted(mix);
            self.tree(sp, p);
        }
    }

    fn scatter_boxes(&mut self, n: usize, spec: &BoxSpec, area: Rect, keep: &[(&Keep, f64)]) {
        for p in self.scatter(n, area, keep) {
            self.boxes(p, spec);
        }
    }

    /// `n` points evenly spaced along a path, jittered a little along and across it.
    fn along(&mut self, path: &[P], n: usize) -> Vec<P> {
        let lens: Vec<f64> = path.windows(2).map(|w| dist2(w[0], w[1]).sqrt()).collect();
        let total: f64 = lens.iter().sum();
        let mut pts = Vec::with_capacity(n);
        for i in 0..n {
            let mut s = (i as f64 + 0.5 + self.rng.range(-0.15, 0.15)) * total / n as f64;
            let mut k = 0;
            while k + 1 < lens.len() && s > lens[k] {
                s -= lens[k];
                k += 1;
            }
            let (a, b) = (path[k], path[k + 1]);
            let t = (s / lens[k]).clamp(0.0, 1.0);
            let (ux, uy) = ((b[0] - a[0]) / lens[k], (b[1] - a[1]) / lens[k]);
            let side = self.rng.range(-0.6, 0.6);
            pts.push([
                a[0] + (b[0] - a[0]) * t - uy * side,
                a[1] + (b[1] - a[1]) * t + ux * side,
            ]);
        }
        pts
    }

    fn trees_along(&mut self, path: &[P], n: usize, mix: &Mix) {
        for p in self.along(path, n) {
            let sp = *self.rng.weighted(mix);
            self.tree(sp, p);
        }
    }

    fn boxes_along(&mut self, path: &[P], n: usize, spec: &BoxSpec) {
        for p in self.along(path, n) {
            self.boxes(p, spec);
        }
    }

    fn park(&mut self, subtype: ParkSubtype, names: Option<Names>, ring: Vec<P>) {
        self.push(
            AssetKind::Park,
            names,
            Body::Park(subtype),
            Geom::Polygon(vec![ring]),
        );
    }

    /// The zone's own park or square feature, 2 m inside the zone outline.
    fn park_whole(&mut self, subtype: ParkSubtype) {
        let z = self.zone;
        let n = Some(Names {
            en: z.en.to_string(),
            zh: z.zh.to_string(),
            bo: z.bo,
        });
        let ring = rect_ring(self.inset(2.0));
        self.park(subtype, n, ring);
    }

    fn green(&mut self, plant: &'static str, names: Option<Names>, ring: Vec<P>) {
        self.push(
            AssetKind::GreenArea,
            names,
            Body::Green { plant },
            Geom::Polygon(vec![ring]),
        );
    }

    fn water(
        &mut self,
        water: WaterKind,
        names: Option<Names>,
        volume_m3: Option<f64>,
        geom: Geom,
    ) {
        self.push(
            AssetKind::WaterFeature,
            names,
            Body::Water { water, volume_m3 },
            geom,
        );
    }

    fn row(&mut self, species: &'static Species, count: u32, names: Option<Names>, line: Vec<P>) {
        self.push(
            AssetKind::TreeRow,
            names,
            Body::Row { species, count },
            Geom::Line(line),
        );
    }
}

fn potala_square(cx: &mut Ctx) {
    cx.park_whole(ParkSubtype::Square);
    // The rockery in the south of the square, the fountain in the north below the palace.
    let rockery_c = cx.at(0.0, -60.0);
    let rockery = ellipse_ring(rockery_c, [40.0, 20.0], 2, 0.08, &mut cx.rng);
    cx.park(
        ParkSubtype::Rockery,
        names("Potala Square rockery", "布达拉宫广场假山"),
        rockery,
    );
    let fountain_c = cx.at(0.0, 60.0);
    let fountain = ellipse_ring(fountain_c, [30.0, 18.0], 1, 0.0, &mut cx.rng);
    let volume = ring_area(&fountain) * 0.4;
    cx.water(
        WaterKind::Fountain,
        names("Potala Square fountain", "布达拉宫广场喷泉"),
        Some(volume),
        Geom::Polygon(vec![fountain]),
    );
    let lawns = [
        [-200.0, -70.0, -80.0, -10.0],
        [80.0, -70.0, 200.0, -10.0],
        [-200.0, 10.0, -80.0, 70.0],
        [80.0, 10.0, 200.0, 70.0],
    ];
    let beds = [[-245.0, -90.0, -220.0, 90.0], [220.0, -90.0, 245.0, 90.0]];
    for (i, l) in lawns.iter().enumerate() {
        let r = rect_ring(cx.rect(*l));
        let n = names(
            format!("Potala Square lawn {}", i + 1),
            format!("布达拉宫广场草坪{}", i + 1),
        );
        cx.green(LAWN, n, r);
    }
    for (b, (en, zh)) in beds.iter().zip([("west", "西"), ("east", "东")]) {
        let r = rect_ring(cx.rect(*b));
        let n = names(
            format!("Potala Square juniper bed {en}"),
            format!("布达拉宫广场圆柏坛{zh}"),
        );
        cx.green(CONIFER_BED, n, r);
    }
    let rockery = Keep::Ellipse(rockery_c, [43.2, 21.6]);
    let fountain = Keep::Ellipse(fountain_c, [30.0, 18.0]);
    let lawns: Vec<Keep> = lawns.iter().map(|l| Keep::Rect(cx.rect(*l))).collect();
    let beds: Vec<Keep> = beds.iter().map(|b| Keep::Rect(cx.rect(*b))).collect();
    let area = cx.inset(EDGE);
    let tree_keep: Vec<(&Keep, f64)> = vec![
        (&rockery, 3.0),
        (&fountain, 4.0),
        (&beds[0], 1.0),
        (&beds[1], 1.0),
    ];
    cx.scatter_trees(170, SQUARE_MIX, area, &tree_keep);
    let mut box_keep = tree_keep;
    box_keep.extend(lawns.iter().map(|l| (l, 2.0)));
    let spec = BoxSpec {
        dims: [1.2, 0.4, 0.3],
        plantings: &[(PETUNIA, 40), (MARIGOLD, 30), (SALVIA, 20), (GERANIUM, 10)],
    };
    cx.scatter_boxes(96, &spec, area, &box_keep);
}

fn jokhang_square(cx: &mut Ctx) {
    cx.park_whole(ParkSubtype::Square);
    let p = cx.at(75.0, 0.0);
    cx.heritage(
        p,
        1,
        "Jokhang Square heritage willow".into(),
        "大昭寺广场古柳".into(),
    );
    let area = cx.inset(EDGE);
    cx.scatter_trees(39, SQUARE_MIX, area, &[]);
    let spec = BoxSpec {
        dims: STD_BOX,
        plantings: &[(MARIGOLD, 40), (COSMOS, 30), (PETUNIA, 30)],
    };
    cx.scatter_boxes(60, &spec, area, &[]);
}

fn small_square(cx: &mut Ctx, trees: usize, boxes: usize) {
    cx.park_whole(ParkSubtype::Square);
    let area = cx.inset(EDGE);
    cx.scatter_trees(trees, SQUARE_MIX, area, &[]);
    cx.scatter_boxes(boxes, &MOSQUE_BOXES, area, &[]);
}

fn barkhor_street(cx: &mut Ctx) {
    let spec = BoxSpec {
        dims: STD_BOX,
        plantings: &[(PETUNIA, 35), (MARIGOLD, 35), (GERANIUM, 30)],
    };
    // Trees 10 m either side of the centre line, boxes 4 m.
    for off in [10.0, -10.0] {
        let loop_ = octagon_ring(RING_C, [RING_H[0] + off, RING_H[1] + off], RING_CUT);
        cx.trees_along(&loop_, 110, STREET_MIX);
    }
    for off in [4.0, -4.0] {
        let loop_ = octagon_ring(RING_C, [RING_H[0] + off, RING_H[1] + off], RING_CUT);
        cx.boxes_along(&loop_, 47, &spec);
    }
}

/// A straight street: two rows of `trees_per_side` trees 12–15 m off the centre line and two
/// rows of `boxes_per_side` box groups 6 m off it.
fn street(cx: &mut Ctx, trees_per_side: usize, boxes_per_side: usize, dims: [f64; 3]) {
    let r = cx.zone.rect();
    let horizontal = r[2] - r[0] > r[3] - r[1];
    let half = if horizontal { r[3] - r[1] } else { r[2] - r[0] } / 2.0;
    let tree_off = (half - 7.0).min(15.0);
    let line = |off: f64| -> Vec<P> {
        if horizontal {
            vec![[r[0] + 6.0, cx.c[1] + off], [r[2] - 6.0, cx.c[1] + off]]
        } else {
            vec![[cx.c[0] + off, r[1] + 6.0], [cx.c[0] + off, r[3] - 6.0]]
        }
    };
    let (t1, t2, b1, b2) = (line(tree_off), line(-tree_off), line(6.0), line(-6.0));
    cx.trees_along(&t1, trees_per_side, STREET_MIX);
    cx.trees_along(&t2, trees_per_side, STREET_MIX);
    let spec = BoxSpec {
        dims,
        plantings: STREET_BOXES.plantings,
    };
    cx.boxes_along(&b1, boxes_per_side, &spec);
    cx.boxes_along(&b2, boxes_per_side, &spec);
}

fn longwangtan(cx: &mut Ctx) {
    cx.park_whole(ParkSubtype::Park);
    // The lake around the Lukhang, which stands on an island (the hole).
    let lc = to_metres(91.117799, 29.6604);
    let lake = ellipse_ring(lc, [110.0, 70.0], 1, 0.06, &mut cx.rng);
    let mut island = ellipse_ring(lc, [22.0, 22.0], 2, 0.0, &mut cx.rng);
    island.reverse();
    let volume = (ring_area(&lake) + ring_area(&island)) * 1.8;
    let lake_keep = Keep::Ellipse(lc, [110.0 * 1.06, 70.0 * 1.06]);
    cx.water(
        WaterKind::Lake,
        Some(Names {
            en: "Longwangtan Lake".into(),
            zh: "龙王潭".into(),
            bo: None,
        }),
        Some(volume),
        Geom::Polygon(vec![lake, island]),
    );
    let off =
        |pts: &[[f64; 2]]| -> Vec<P> { pts.iter().map(|d| [lc[0] + d[0], lc[1] + d[1]]).collect() };
    let east = off(&[[120.0, 5.0], [170.0, 30.0], [230.0, 45.0], [285.0, 70.0]]);
    let north = off(&[[-10.0, 80.0], [-30.0, 125.0], [5.0, 175.0], [40.0, 225.0]]);
    cx.water(
        WaterKind::Stream,
        names("Longwangtan east stream", "龙王潭东溪"),
        None,
        Geom::Line(east.clone()),
    );
    cx.water(
        WaterKind::Stream,
        names("Longwangtan north stream", "龙王潭北溪"),
        None,
        Geom::Line(north.clone()),
    );
    let lawns = [
        [150.0, 60.0, 290.0, 160.0],
        [-290.0, 40.0, -160.0, 150.0],
        [120.0, -170.0, 280.0, -90.0],
    ];
    for (i, l) in lawns.iter().enumerate() {
        let r = rect_ring(cx.rect(*l));
        let n = names(
            format!("Longwangtan lawn {}", i + 1),
            format!("龙王潭草坪{}", i + 1),
        );
        cx.green(LAWN, n, r);
    }
    let bed = rect_ring(cx.rect([-290.0, -170.0, -200.0, -60.0]));
    cx.green(
        CONIFER_BED,
        names("Longwangtan juniper bed", "龙王潭圆柏坛"),
        bed,
    );
    let flowers = rect_ring(cx.rect([-140.0, 70.0, -70.0, 120.0]));
    cx.green(
        COSMOS,
        names("Longwangtan Gesang flower bed", "龙王潭格桑花坛"),
        flowers,
    );
    let row = vec![cx.at(-120.0, -165.0), cx.at(80.0, -165.0)];
    let row_keep = Keep::Path(row.clone());
    cx.row(
        &WEEPING_WILLOW,
        24,
        names("Longwangtan lakeside willows", "龙王潭湖畔垂柳"),
        row,
    );
    // Old willows of Zongjiao Lukang around the lake, every 60°.
    let grades = [2, 3, 3, 2, 3, 1];
    for (i, g) in grades.iter().enumerate() {
        let u = UNIT_24[2 + 4 * i];
        let p = [
            lc[0] + u[0] * (110.0 * 1.06 + 14.0),
            lc[1] + u[1] * (70.0 * 1.06 + 14.0),
        ];
        cx.heritage(
            p,
            *g,
            format!("Longwangtan heritage willow {}", i + 1),
            format!("龙王潭古柳{}号", i + 1),
        );
    }
    let streams = [Keep::Path(east), Keep::Path(north)];
    let keep = [
        (&lake_keep, 5.0),
        (&row_keep, 3.0),
        (&streams[0], 3.0),
        (&streams[1], 3.0),
    ];
    let area = cx.inset(EDGE);
    cx.scatter_trees(64, PARK_MIX, area, &keep);
}

fn unity_park(cx: &mut Ctx) {
    cx.park_whole(ParkSubtype::Park);
    let pc = cx.at(40.0, -20.0);
    let pond = ellipse_ring(pc, [45.0, 28.0], 1, 0.06, &mut cx.rng);
    let volume = ring_area(&pond) * 1.2;
    cx.water(
        WaterKind::Pond,
        names("Unity Park pond", "团结公园水池"),
        Some(volume),
        Geom::Polygon(vec![pond]),
    );
    let stream = vec![
        cx.at(-150.0, 120.0),
        cx.at(-80.0, 70.0),
        cx.at(-20.0, 20.0),
        cx.at(-12.0, -8.0),
    ];
    cx.water(
        WaterKind::Stream,
        names("Unity Park stream", "团结公园溪流"),
        None,
        Geom::Line(stream.clone()),
    );
    for (i, l) in [[-180.0, -150.0, -60.0, -40.0], [80.0, 40.0, 180.0, 140.0]]
        .iter()
        .enumerate()
    {
        let r = rect_ring(cx.rect(*l));
        let n = names(
            format!("Unity Park lawn {}", i + 1),
            format!("团结公园草坪{}", i + 1),
        );
        cx.green(LAWN, n, r);
    }
    let bed = rect_ring(cx.rect([-40.0, 80.0, 40.0, 130.0]));
    cx.green(
        MARIGOLD,
        names("Unity Park marigold bed", "团结公园万寿菊花坛"),
        bed,
    );
    let row = vec![cx.at(-180.0, 150.0), cx.at(180.0, 150.0)];
    let row_keep = Keep::Path(row.clone());
    cx.row(
        &POPLAR,
        18,
        names("Unity Park poplar row", "团结公园杨树行"),
        row,
    );
    let pond_keep = Keep::Ellipse(pc, [45.0 * 1.06, 28.0 * 1.06]);
    let stream_keep = Keep::Path(stream);
    let keep = [(&pond_keep, 5.0), (&row_keep, 3.0), (&stream_keep, 3.0)];
    let area = cx.inset(EDGE);
    cx.scatter_trees(40, PARK_MIX, area, &keep);
}

fn pocket_park(cx: &mut Ctx) {
    cx.park_whole(ParkSubtype::PocketPark);
    let lawn = rect_ring(cx.rect([-20.0, -15.0, 20.0, 15.0]));
    let (en, zh) = (cx.zone.en, cx.zone.zh);
    cx.green(LAWN, names(format!("{en} lawn"), format!("{zh}草坪")), lawn);
    let area = cx.inset(EDGE);
    cx.scatter_trees(8, PARK_MIX, area, &[]);
}

// ---------------------------------------------------------------------------------------------
// Output

const SURVEY: &str = "approximate";

fn write_zone(out: &mut Vec<u8>, z: &ZoneDef) -> std::io::Result<()> {
    let mut f = Feature::start(out, None)?;
    f.str("kind", "zone")?
        .str("name", z.key)?
        .str("name:zh", z.zh)?;
    if let Some(bo) = z.bo {
        f.str("name:bo", bo)?;
    }
    f.str("name:en", z.en)?
        .int("care_grade", i64::from(z.care_grade))?
        .str("survey", SURVEY)?;
    f.polygon(&z.rings())
}

fn write_asset(out: &mut Vec<u8>, a: &Asset, n: u32) -> std::io::Result<()> {
    let z = &ZONES[a.zone];
    let prefix = a.kind.ref_prefix();
    let mut f = Feature::start(out, None)?;
    f.str("kind", a.kind.as_str())?;
    match a.kind {
        AssetKind::Tree => f.str_args("ref", format_args!("{prefix}-{}-{n:04}", z.code))?,
        AssetKind::FlowerBoxGroup => {
            f.str_args("ref", format_args!("{prefix}-{}-{n:03}", z.code))?
        }
        _ => f.str_args("ref", format_args!("{prefix}-{}-{n:02}", z.code))?,
    };
    if let Some(nm) = &a.names {
        f.str("name", &nm.en)?.str("name:zh", &nm.zh)?;
        if let Some(bo) = nm.bo {
            f.str("name:bo", bo)?;
        }
        f.str("name:en", &nm.en)?;
    }
    f.str("zone", z.key)?;
    match &a.body {
        Body::Tree(t) => {
            let sp = t.species;
            f.str("species", sp.latin)?
                .str("species:zh", sp.zh)?
                .str("species:en", sp.en)?
                .str("genus", sp.genus)?
                .fixed("dbh_cm", t.dbh, 1)?
                .fixed("height_m", t.height, 1)?
                .fixed("crown_m", t.crown, 1)?;
            if let Some((y, m, d)) = t.planted {
                f.str_args("planted", format_args!("{y:04}-{m:02}-{d:02}"))?;
            }
            f.str("condition", t.condition.as_str())?
                .str("site_state", t.site_state.as_str())?;
            if let Some(g) = t.heritage_grade {
                f.int("heritage_grade", i64::from(g))?;
            }
        }
        Body::Boxes {
            count,
            dims,
            planting,
        } => {
            f.int("box_count", i64::from(*count))?
                .trimmed("box_length_m", dims[0], 2)?
                .trimmed("box_width_m", dims[1], 2)?
                .trimmed("box_depth_m", dims[2], 2)?
                .str("planting", planting)?
                .str("site_state", SiteState::Occupied.as_str())?;
        }
        Body::Row { species, count } => {
            f.str("species", species.latin)?
                .str("species:zh", species.zh)?
                .str("genus", species.genus)?
                .int("tree_count", i64::from(*count))?;
        }
        Body::Green { plant } => {
            f.str("plant", plant)?;
        }
        Body::Park(t) => {
            f.str("park_type", t.as_str())?;
        }
        Body::Water { water, volume_m3 } => {
            f.str("water", water.as_str())?;
            if let Some(v) = volume_m3 {
                f.fixed("volume_m3", *v, 0)?;
            }
        }
    }
    f.str("survey", SURVEY)?;
    match &a.geom {
        Geom::Point(p) => f.point(to_lonlat(*p)),
        Geom::Line(l) => f.line(&l.iter().map(|p| to_lonlat(*p)).collect::<Vec<_>>()),
        Geom::Polygon(rs) => f.polygon(
            &rs.iter()
                .map(|r| r.iter().map(|p| to_lonlat(*p)).collect())
                .collect::<Vec<_>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trips_reference_points() {
        let p = to_metres(91.117313, 29.657925);
        let back = to_lonlat(p);
        assert!((back[0] - 91.117313).abs() < 1e-12 && (back[1] - 29.657925).abs() < 1e-12);
        // The Potala is about 1.4 km west and 560 m north of the Jokhang.
        assert!(
            (p[0] + 1405.0).abs() < 10.0 && (p[1] - 563.0).abs() < 10.0,
            "{p:?}"
        );
    }

    #[test]
    fn output_is_stable_between_calls() {
        assert_eq!(barkhor_geojson(), barkhor_geojson());
    }
}
