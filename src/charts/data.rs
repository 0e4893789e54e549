//! The charts' data, loaded from the store into the plain structs the chart files draw.
//!
//! Weather for the water and degree-day charts: observed days of the `weather` table where it
//! exists and has them, else the site's normal year (science::normals) from its climate-normals
//! file, else the embedded Lhasa 55591 normals. ET0 is Hargreaves at the site latitude.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use geo::Geometry;

use super::coverage_week::CoverageWeek;
use super::coverage_zone::{CoverageZone, ZoneBar};
use super::degree_days::{self, DegreeDays, PestDef};
use super::map::{ColourBy, Layer, Map, MapLine, MapPoint, MapPolygon};
use super::overdue::{self, Overdue, ZoneOverdue};
use super::water::Water;
use super::workload::{CrewLoad, Workload};
use crate::coverage::metrics::{self, GroupBy, Outcome, UNASSIGNED};
use crate::coverage::{Counts, iso_week_label, weeks_of};
use crate::model::{AssetKind, KindData};
use crate::science::{self, DailyWeather, MonthlyNormals};
use crate::site::SiteConfig;
use crate::store::{AssetFilter, DateField, Store};
use crate::tasks::TaskState;

/// The Barkhor site's climate normals (WMO 55591 Lhasa), the fallback for any site.
pub const BARKHOR_NORMALS: &str = include_str!("../../geodata/barkhor/lhasa_55591_normals.csv");

/// The period a chart covers and the moment overdue and "not yet due" are judged at.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub now: DateTime<FixedOffset>,
}

fn week_index(weeks: &[(String, NaiveDate)], d: NaiveDate) -> Option<usize> {
    let label = iso_week_label(d);
    weeks.iter().position(|w| w.0 == label)
}

/// Coverage per ISO week (of the deadline) for each task type.
pub fn coverage_week(store: &Store, p: &Period, target: f64) -> anyhow::Result<CoverageWeek> {
    let tasks = store
        .read()
        .zoned_tasks(p.from, p.to, DateField::Deadline)?;
    let weeks = weeks_of(p.from, p.to);
    let groups = metrics::group(&tasks, &[GroupBy::Type, GroupBy::Week], p.now);
    let mut series: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    for g in groups {
        if g.counts.due == 0 {
            continue;
        }
        let Some(w) = weeks.iter().position(|x| x.0 == g.key[1]) else {
            continue;
        };
        series
            .entry(g.key[0].clone())
            .or_insert_with(|| vec![None; weeks.len()])[w] = g.counts.coverage();
    }
    Ok(CoverageWeek {
        from: p.from,
        to: p.to,
        weeks: weeks.into_iter().map(|w| w.0).collect(),
        series: series.into_iter().collect(),
        target,
    })
}

fn zone_names(store: &Store) -> anyhow::Result<HashMap<String, Option<String>>> {
    Ok(store
        .read()
        .zones()?
        .into_iter()
        .map(|z| (z.name, z.names.zh))
        .collect())
}

/// Coverage per zone, worst first.
pub fn coverage_zone(store: &Store, p: &Period, target: f64) -> anyhow::Result<CoverageZone> {
    let tasks = store
        .read()
        .zoned_tasks(p.from, p.to, DateField::Deadline)?;
    let zh = zone_names(store)?;
    let zones = metrics::group(&tasks, &[GroupBy::Zone], p.now)
        .into_iter()
        .filter_map(|g| {
            let coverage = g.counts.coverage()?;
            Some(ZoneBar {
                zone_zh: zh.get(&g.key[0]).cloned().flatten(),
                zone: g.key[0].clone(),
                coverage,
                due: g.counts.due,
            })
        })
        .collect();
    let mut c = CoverageZone {
        from: p.from,
        to: p.to,
        zones,
        target,
    };
    c.sort();
    Ok(c)
}

/// Open tasks past their deadline (deadline in the period, before now) by zone and age.
pub fn overdue(store: &Store, p: &Period) -> anyhow::Result<Overdue> {
    let tasks = store
        .read()
        .zoned_tasks(p.from, p.to, DateField::Deadline)?;
    let zh = zone_names(store)?;
    let mut by: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    for t in &tasks {
        if t.task.is_overdue(p.now) {
            let age = (p.now - t.task.deadline_at).num_seconds() as f64 / 86_400.0;
            by.entry(t.zone.clone()).or_default()[overdue::bucket(age)] += 1;
        }
    }
    let mut zones: Vec<ZoneOverdue> = by
        .into_iter()
        .map(|(zone, buckets)| ZoneOverdue {
            zone_zh: zh.get(&zone).cloned().flatten(),
            zone,
            buckets,
        })
        .collect();
    zones.sort_by(|a, b| b.total().cmp(&a.total()).then_with(|| a.zone.cmp(&b.zone)));
    Ok(Overdue {
        from: p.from,
        to: p.to,
        now: p.now.format("%Y-%m-%d %H:%M").to_string(),
        zones,
    })
}

/// Hours of open and done tasks (by planned day) per crew, task type and week.
pub fn workload(store: &Store, p: &Period) -> anyhow::Result<Workload> {
    let tasks = store.read().zoned_tasks(p.from, p.to, DateField::DueDate)?;
    let crews = store.read().crews()?;
    let weeks = weeks_of(p.from, p.to);
    let live: Vec<_> = tasks
        .iter()
        .filter(|t| matches!(t.task.state, TaskState::Open | TaskState::Done))
        .collect();
    let types: Vec<String> = live
        .iter()
        .map(|t| t.task.task_type.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let days_in = |monday: NaiveDate| -> f64 {
        (0..7)
            .map(|i| monday + Duration::days(i))
            .filter(|d| *d >= p.from && *d <= p.to)
            .count() as f64
    };
    let mut loads: BTreeMap<String, CrewLoad> = BTreeMap::new();
    for c in &crews {
        loads.insert(
            c.name.clone(),
            CrewLoad {
                crew: c.name.clone(),
                capacity_h: weeks
                    .iter()
                    .map(|w| Some(c.hours_per_day * days_in(w.1)))
                    .collect(),
                hours: vec![vec![0.0; weeks.len()]; types.len()],
            },
        );
    }
    for t in live {
        let crew = t
            .task
            .crew
            .clone()
            .unwrap_or_else(|| UNASSIGNED.to_string());
        let Some(w) = week_index(&weeks, t.task.due_date) else {
            continue;
        };
        let Some(ti) = types.iter().position(|x| *x == t.task.task_type) else {
            continue;
        };
        let load = loads.entry(crew.clone()).or_insert_with(|| CrewLoad {
            crew,
            capacity_h: vec![None; weeks.len()],
            hours: vec![vec![0.0; weeks.len()]; types.len()],
        });
        load.hours[ti][w] += t.task.minutes / 60.0;
    }
    // Crews in the site's order (by name), the unassigned last.
    let mut crews_out: Vec<CrewLoad> = loads.into_values().collect();
    crews_out.sort_by_key(|c| (c.crew == UNASSIGNED, c.crew.clone()));
    Ok(Workload {
        from: p.from,
        to: p.to,
        weeks: weeks.into_iter().map(|w| w.0).collect(),
        types,
        crews: crews_out,
    })
}

/// The site's climate normals with a note (en, zh) on where they came from; a site without
/// normals gets the embedded Lhasa ones (and the note says so).
pub fn site_normals(site: &SiteConfig) -> anyhow::Result<(MonthlyNormals, String, String)> {
    if let (Some(n), Some(rel)) = (
        crate::weather::site_normals_opt(site)?,
        &site.site.climate_normals,
    ) {
        let path = site.resolve(rel);
        return Ok((
            n,
            format!("climate normals {}", path.display()),
            format!("气候常年值 {}", path.display()),
        ));
    }
    Ok((
        science::parse_normals(BARKHOR_NORMALS).expect("the embedded normals parse (tested)"),
        "climate normals of Lhasa 55591 (embedded)".into(),
        "拉萨 55591 站气候常年值（内置）".into(),
    ))
}

/// Daily weather for `[from, to]` from the site's series (observed and forecast rows of the
/// `weather` table, the normal year elsewhere), with a note (en, zh) on the sources.
pub fn weather_series(
    store: &Store,
    site: &SiteConfig,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<(Vec<DailyWeather>, String, String)> {
    let (normals, n_en, n_zh) = site_normals(site)?;
    let series = crate::weather::daily_series(store, &normals, from, to)?;
    let total = series.len();
    let n_obs = series
        .iter()
        .filter(|d| d.source == crate::weather::WeatherSource::Observed)
        .count();
    let (en, zh) = match n_obs {
        0 => (
            format!("weather: {n_en} (no observed days in the range)"),
            format!("气象：{n_zh}（此期间无观测）"),
        ),
        n if n == total => (
            "weather: observed (weather table)".to_string(),
            "气象：实测（weather 表）".to_string(),
        ),
        n => (
            format!("weather: observed {n} of {total} days, {n_en} for the rest"),
            format!("气象：实测 {n}/{total} 天，其余为{n_zh}"),
        ),
    };
    Ok((series.into_iter().map(|d| d.weather).collect(), en, zh))
}

/// Litres given per week (done tasks, by the day they were done) beside rain and ET0.
pub fn water(store: &Store, site: &SiteConfig, p: &Period) -> anyhow::Result<Water> {
    let weeks = weeks_of(p.from, p.to);
    let mut litres = vec![0.0; weeks.len()];
    for t in store.read().zoned_tasks(p.from, p.to, DateField::DoneAt)? {
        if t.task.state != TaskState::Done {
            continue;
        }
        let (Some(l), Some(at)) = (t.task.water_l, t.task.done_at) else {
            continue;
        };
        if let Some(w) = week_index(&weeks, at.date_naive()) {
            litres[w] += l;
        }
    }
    let (days, en, zh) = weather_series(store, site, p.from, p.to)?;
    let mut rain = vec![0.0; weeks.len()];
    let mut et0 = vec![0.0; weeks.len()];
    for d in &days {
        if let Some(w) = week_index(&weeks, d.date) {
            rain[w] += d.rain_mm;
            et0[w] += science::hargreaves_et0_at(
                site.site.latitude,
                d.date.ordinal(),
                d.tmin_c,
                d.tmax_c,
            );
        }
    }
    Ok(Water {
        from: p.from,
        to: p.to,
        weeks: weeks.into_iter().map(|w| w.0).collect(),
        litres,
        rain_mm: rain,
        et0_mm: et0,
        weather_note_en: format!("{en}; ET0 by Hargreaves at {:.2}° N", site.site.latitude),
        weather_note_zh: format!(
            "{zh}；ET0 按 Hargreaves 公式，纬度 {:.2}°",
            site.site.latitude
        ),
    })
}

/// Where the pest windows came from.
#[derive(Debug, Clone)]
pub struct Pests {
    pub defs: Vec<PestDef>,
    pub note_en: String,
    pub note_zh: String,
}

impl Pests {
    /// The DOMAIN.md §3 fallback list.
    pub fn fallback(why_en: &str, why_zh: &str) -> Pests {
        Pests {
            defs: degree_days::fallback_pests(),
            note_en: format!("pest windows: DOMAIN.md §3 defaults ({why_en})"),
            note_zh: format!("虫害窗口：DOMAIN.md §3 默认值（{why_zh}）"),
        }
    }
}

/// Degree-days from 1 January of the period's first year through 31 December of its last.
pub fn degree_days(
    store: &Store,
    site: &SiteConfig,
    p: &Period,
    pests: &Pests,
) -> anyhow::Result<DegreeDays> {
    let jan1 = NaiveDate::from_ymd_opt(p.from.year(), 1, 1).expect("1 January exists");
    let dec31 = NaiveDate::from_ymd_opt(p.to.year(), 12, 31).expect("31 December exists");
    let (days, en, zh) = weather_series(store, site, jan1, dec31)?;
    let series = degree_days::dd10().accumulate(&days, jan1);
    let windows = degree_days::place_windows(&pests.defs, &days, p.from.year());
    let mut scouting = BTreeSet::new();
    let mut treatment = BTreeSet::new();
    for t in store.read().zoned_tasks(jan1, p.to, DateField::DoneAt)? {
        if t.task.state != TaskState::Done {
            continue;
        }
        let Some(at) = t.task.done_at else { continue };
        match t.task.task_type.as_str() {
            "pest_scouting" => scouting.insert(at.date_naive()),
            "pest_treatment" => treatment.insert(at.date_naive()),
            _ => false,
        };
    }
    Ok(DegreeDays {
        from: p.from,
        to: p.to,
        series,
        windows,
        scouting: scouting.into_iter().collect(),
        treatment: treatment.into_iter().collect(),
        weather_note_en: en,
        weather_note_zh: zh,
        pests_note_en: pests.note_en.clone(),
        pests_note_zh: pests.note_zh.clone(),
    })
}

fn coords(ls: &geo::LineString<f64>) -> Vec<(f64, f64)> {
    ls.coords().map(|c| (c.x, c.y)).collect()
}

fn polygons_of(g: &Geometry<f64>, layer: Layer, out: &mut Vec<MapPolygon>) {
    match g {
        Geometry::Polygon(p) => out.push(MapPolygon {
            layer,
            exterior: coords(p.exterior()),
            holes: p.interiors().iter().map(coords).collect(),
        }),
        Geometry::MultiPolygon(mp) => {
            for p in &mp.0 {
                polygons_of(&Geometry::Polygon(p.clone()), layer, out);
            }
        }
        Geometry::GeometryCollection(gc) => {
            for g in &gc.0 {
                polygons_of(g, layer, out);
            }
        }
        _ => {}
    }
}

fn lines_of(g: &Geometry<f64>, layer: Layer, out: &mut Vec<MapLine>) {
    match g {
        Geometry::LineString(l) => out.push(MapLine {
            layer,
            points: coords(l),
        }),
        Geometry::MultiLineString(ml) => {
            for l in &ml.0 {
                out.push(MapLine {
                    layer,
                    points: coords(l),
                });
            }
        }
        _ => {}
    }
}

/// Zones, areas and lines of the register, and each tree and box group with its coverage and
/// overdue days in the period.
pub fn map(store: &Store, p: &Period, colour_by: ColourBy, target: f64) -> anyhow::Result<Map> {
    let read = store.read();
    let mut polygons = Vec::new();
    let mut lines = Vec::new();
    for z in read.zones()? {
        if let Some(g) = &z.geometry {
            polygons_of(g, Layer::Zone, &mut polygons);
        }
    }
    let mut counts: HashMap<i64, Counts> = HashMap::new();
    let mut overdue_days: HashMap<i64, f64> = HashMap::new();
    for t in read.zoned_tasks(p.from, p.to, DateField::Deadline)? {
        let o = metrics::classify(&t.task, p.now);
        counts.entry(t.task.asset_id).or_default().add(o);
        if o == Outcome::Missed && t.task.state == TaskState::Open {
            let age = (p.now - t.task.deadline_at).num_seconds() as f64 / 86_400.0;
            let e = overdue_days.entry(t.task.asset_id).or_insert(age);
            *e = e.max(age);
        }
    }
    let mut points = Vec::new();
    for a in read.assets(&AssetFilter::default())? {
        match &a.data {
            KindData::Park { .. } => polygons_of(&a.geometry, Layer::Park, &mut polygons),
            KindData::GreenArea { .. } => polygons_of(&a.geometry, Layer::Lawn, &mut polygons),
            KindData::WaterFeature { .. } => {
                polygons_of(&a.geometry, Layer::Water, &mut polygons);
                lines_of(&a.geometry, Layer::Water, &mut lines);
            }
            KindData::TreeRow { .. } => lines_of(&a.geometry, Layer::TreeRow, &mut lines),
            KindData::Tree(_) | KindData::FlowerBoxGroup(_) => {
                let (lon, lat) = a.anchor();
                if !(lon.is_finite() && lat.is_finite()) {
                    continue;
                }
                points.push(MapPoint {
                    lon,
                    lat,
                    is_box: a.kind() == AssetKind::FlowerBoxGroup,
                    coverage: counts.get(&a.id).and_then(Counts::coverage),
                    overdue_days: overdue_days.get(&a.id).copied(),
                });
            }
        }
    }
    Ok(Map {
        from: p.from,
        to: p.to,
        colour_by,
        target,
        polygons,
        lines,
        points,
    })
}
