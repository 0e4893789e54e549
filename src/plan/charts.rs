//! Plan charts (plotters, the look of [`crate::charts::style`]): crew hours by week against
//! capacity, water by week with cart trips, and weekly hours per scenario for `--compare`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::SeasonPlan;
use super::weekly::week_label;
use crate::charts::style::{
    self, Chart, DrawResult, Format, LegendItem, Marker, Style, category, no_data, series_colour,
};
use crate::charts::workload::{CrewLoad, Workload};

/// Crew hours by week (the workload chart's panels) for a plan.
pub struct PlanHours {
    pub scenario: String,
    pub load: Workload,
}

impl Chart for PlanHours {
    fn name(&self) -> &'static str {
        "plan-hours"
    }
    fn title(&self, st: &Style) -> String {
        st.tr(
            &format!("Planned crew hours by week ({} scenario)", self.scenario),
            &format!("各班组每周计划工时（{}情景）", self.scenario),
        )
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.load.from, self.load.to),
            st.tr(
                "projected tasks by planned day, before levelling; capacity = hours per day × days of the week in the period",
                "按计划日期统计的预计任务工时（调峰前）；能力 = 每日工时 × 本期内该周天数",
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        self.load.legend(st)
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        self.load.draw(area, st)
    }
}

/// The workload data of a plan: weeks, task types, and per crew hours and capacity.
pub fn plan_hours(p: &SeasonPlan) -> PlanHours {
    let weeks: Vec<NaiveDate> = p
        .weekly
        .crews
        .iter()
        .map(|c| c.week_start)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let types: Vec<String> = p
        .weekly
        .hours
        .iter()
        .map(|h| h.task_type.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let crews: Vec<String> = p
        .weekly
        .crews
        .iter()
        .map(|c| c.crew.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let wi: BTreeMap<NaiveDate, usize> = weeks.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let ti: BTreeMap<&str, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let loads = crews
        .iter()
        .map(|crew| {
            let mut hours = vec![vec![0.0; weeks.len()]; types.len()];
            for h in p.weekly.hours.iter().filter(|h| &h.crew == crew) {
                hours[ti[h.task_type.as_str()]][wi[&h.week_start]] += h.hours;
            }
            let mut capacity_h = vec![None; weeks.len()];
            for c in p.weekly.crews.iter().filter(|c| &c.crew == crew) {
                if c.capacity_hours > 0.0 {
                    capacity_h[wi[&c.week_start]] = Some(c.capacity_hours);
                }
            }
            CrewLoad {
                crew: crew.clone(),
                capacity_h,
                hours,
            }
        })
        .collect();
    PlanHours {
        scenario: p.scenario.clone(),
        load: Workload {
            from: p.from,
            to: p.to,
            weeks: weeks.iter().map(|w| week_label(*w)).collect(),
            types,
            crews: loads,
        },
    }
}

const WATER: RGBColor = RGBColor(31, 119, 180);
const TRIPS: RGBColor = RGBColor(214, 39, 40);

/// Litres by week with cart trips.
pub struct PlanWater {
    pub scenario: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: Vec<String>,
    pub water_l: Vec<f64>,
    pub cart_trips: Vec<u64>,
    pub cart_l: f64,
}

/// The water chart data of a plan.
pub fn plan_water(p: &SeasonPlan) -> PlanWater {
    let mut by: BTreeMap<NaiveDate, (f64, u64)> = BTreeMap::new();
    for c in &p.weekly.crews {
        by.entry(c.week_start).or_default();
    }
    for w in &p.weekly.water {
        let e = by.entry(w.week_start).or_default();
        e.0 += w.water_l;
        e.1 += w.cart_trips;
    }
    PlanWater {
        scenario: p.scenario.clone(),
        from: p.from,
        to: p.to,
        weeks: by.keys().map(|w| week_label(*w)).collect(),
        water_l: by.values().map(|v| v.0).collect(),
        cart_trips: by.values().map(|v| v.1).collect(),
        cart_l: p.water_cart_l,
    }
}

impl Chart for PlanWater {
    fn name(&self) -> &'static str {
        "plan-water"
    }
    fn title(&self, st: &Style) -> String {
        st.tr(
            &format!("Planned water by week ({} scenario)", self.scenario),
            &format!("每周计划浇水量（{}情景）", self.scenario),
        )
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(
                &format!(
                    "water-need waterings from the projected water balance; cart trips of {:.0} L per zone and week",
                    self.cart_l
                ),
                &format!(
                    "按预计水分平衡的需水浇灌；水车每车 {:.0} 升，按片区和周计车次",
                    self.cart_l
                ),
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        vec![
            LegendItem::new(st.tr("water (L)", "浇水量（升）"), WATER, Marker::Box),
            LegendItem::new(st.tr("water-cart trips", "水车车次"), TRIPS, Marker::Point),
        ]
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        if self.water_l.iter().all(|l| *l <= 0.0) {
            return no_data(area, st, "no water-need watering planned", "本期无需水浇灌");
        }
        let n = self.weeks.len();
        let labels: Vec<String> = self.weeks.iter().map(|w| st.t(w)).collect();
        let top = self.water_l.iter().copied().fold(1.0f64, f64::max) * 1.15;
        let top_trips = self.cart_trips.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.15;
        let mut chart = ChartBuilder::on(area)
            .margin(st.len(10.0))
            .x_label_area_size(st.len(34.0))
            .y_label_area_size(st.len(70.0))
            .right_y_label_area_size(st.len(50.0))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
            .d()?
            .set_secondary_coord(-0.5f64..(n as f64 - 0.5), 0f64..top_trips);
        chart
            .configure_mesh()
            .x_labels(n.min(14))
            .x_label_formatter(&|v| category(&labels, *v))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_desc(st.tr("water (L)", "浇水量（升）"))
            .label_style(st.font(10.0))
            .axis_desc_style(st.font(12.0))
            .disable_x_mesh()
            .light_line_style(style::LIGHT)
            .bold_line_style(style::GRID)
            .draw()
            .d()?;
        chart
            .configure_secondary_axes()
            .y_desc(st.tr("cart trips", "车次"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(st.font(10.0))
            .axis_desc_style(st.font(12.0))
            .draw()
            .d()?;
        chart
            .draw_series(self.water_l.iter().enumerate().map(|(i, l)| {
                let x = i as f64;
                Rectangle::new([(x - 0.38, 0.0), (x + 0.38, *l)], WATER.filled())
            }))
            .d()?;
        chart
            .draw_secondary_series(
                self.cart_trips
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Circle::new((i as f64, *t as f64), st.len(4.0), TRIPS.filled())),
            )
            .d()?;
        Ok(())
    }
}

/// Weekly hours of every crew together, one line per scenario, with the total capacity.
pub struct CompareHours {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: Vec<String>,
    pub series: Vec<(String, Vec<f64>)>,
    pub capacity: Vec<f64>,
}

/// The comparison data of several plans over the same period.
pub fn compare_hours(plans: &[SeasonPlan]) -> CompareHours {
    let weeks: Vec<NaiveDate> = plans
        .iter()
        .flat_map(|p| p.weekly.crews.iter().map(|c| c.week_start))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let idx: BTreeMap<NaiveDate, usize> = weeks.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let mut capacity = vec![0.0; weeks.len()];
    if let Some(p) = plans.first() {
        for c in &p.weekly.crews {
            capacity[idx[&c.week_start]] += c.capacity_hours;
        }
    }
    let series = plans
        .iter()
        .map(|p| {
            let mut v = vec![0.0; weeks.len()];
            for c in &p.weekly.crews {
                v[idx[&c.week_start]] += c.hours;
            }
            (p.scenario.clone(), v)
        })
        .collect();
    CompareHours {
        from: plans.first().map_or(NaiveDate::MIN, |p| p.from),
        to: plans.first().map_or(NaiveDate::MIN, |p| p.to),
        weeks: weeks.iter().map(|w| week_label(*w)).collect(),
        series,
        capacity,
    }
}

const CAPACITY: RGBColor = RGBColor(20, 20, 20);

impl Chart for CompareHours {
    fn name(&self) -> &'static str {
        "plan-compare-hours"
    }
    fn title(&self, st: &Style) -> String {
        st.tr("Weekly crew hours by scenario", "各情景每周班组工时")
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(
                "all crews together, before levelling; dashed: total capacity",
                "全部班组合计（调峰前）；虚线：总能力",
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        let mut v: Vec<LegendItem> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, (n, _))| LegendItem::new(st.t(n), series_colour(i), Marker::Line))
            .collect();
        v.push(LegendItem::new(
            st.tr("total capacity", "总能力"),
            CAPACITY,
            Marker::Dashed,
        ));
        v
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        if self.weeks.is_empty() {
            return no_data(area, st, "no weeks in the period", "本期无数据");
        }
        let n = self.weeks.len();
        let labels: Vec<String> = self.weeks.iter().map(|w| st.t(w)).collect();
        let top = self
            .series
            .iter()
            .flat_map(|s| s.1.iter().copied())
            .chain(self.capacity.iter().copied())
            .fold(1.0f64, f64::max)
            * 1.1;
        let mut chart = ChartBuilder::on(area)
            .margin(st.len(10.0))
            .x_label_area_size(st.len(34.0))
            .y_label_area_size(st.len(60.0))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
            .d()?;
        chart
            .configure_mesh()
            .x_labels(n.min(14))
            .x_label_formatter(&|v| category(&labels, *v))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_desc(st.tr("hours (h)", "工时（小时）"))
            .label_style(st.font(10.0))
            .axis_desc_style(st.font(12.0))
            .light_line_style(style::LIGHT)
            .bold_line_style(style::GRID)
            .draw()
            .d()?;
        chart
            .draw_series(DashedLineSeries::new(
                self.capacity
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i as f64, *c)),
                st.len(6.0),
                st.len(4.0),
                CAPACITY.stroke_width(st.len(2.0)),
            ))
            .d()?;
        for (i, (_, v)) in self.series.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    v.iter().enumerate().map(|(w, h)| (w as f64, *h)),
                    series_colour(i).stroke_width(st.len(3.0)),
                ))
                .d()?;
        }
        Ok(())
    }
}

/// Draws a plan's charts as PNG into `dir` (`plan-hours-<scenario>.png`,
/// `plan-water-<scenario>.png`); returns the files.
pub fn draw_plan(p: &SeasonPlan, st: &Style, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    // Drawn in a private folder, then renamed into place: two runs into the same folder never
    // see each other's half-written files.
    let tmp = dir.join(format!(".plan-charts-{}", std::process::id()));
    let drawn = [
        style::render(&plan_hours(p), st, &tmp, Format::Png)?,
        style::render(&plan_water(p), st, &tmp, Format::Png)?,
    ];
    let mut out = Vec::new();
    for f in drawn {
        let stem = f
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let to = dir.join(format!("{stem}-{}.png", p.scenario));
        std::fs::rename(&f, &to)?;
        out.push(to);
    }
    let _ = std::fs::remove_dir(&tmp);
    Ok(out)
}
