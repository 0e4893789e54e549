//! Crew hours by week, stacked by task type, against each crew's capacity: one panel per crew.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    Chart, DrawResult, LegendItem, Marker, Style, category, no_data, series_colour,
};

/// One crew's planned hours.
#[derive(Debug, Clone, PartialEq)]
pub struct CrewLoad {
    /// Crew name (`unassigned` for tasks no crew took: no capacity).
    pub crew: String,
    /// Capacity per week: hours_per_day × the week's days inside the period.
    pub capacity_h: Vec<Option<f64>>,
    /// Hours per task type (same order as [`Workload::types`]) per week.
    pub hours: Vec<Vec<f64>>,
}

/// Hours of planned work (open or done tasks, by planned date) per crew and week.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: Vec<String>,
    pub types: Vec<String>,
    pub crews: Vec<CrewLoad>,
}

const CAPACITY: RGBColor = RGBColor(20, 20, 20);

impl Chart for Workload {
    fn name(&self) -> &'static str {
        "workload"
    }
    fn title(&self, st: &Style) -> String {
        st.tr("Crew workload by week", "各班组每周工作量")
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(
                "hours of open and done tasks by planned day; capacity = hours per day × days of the week in the period",
                "按计划日期统计未完成和已完成任务的工时；能力 = 每日工时 × 本期内该周天数",
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        let mut v: Vec<LegendItem> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| LegendItem::new(st.task_type(t), series_colour(i), Marker::Box))
            .collect();
        v.push(LegendItem::new(
            st.tr("crew capacity", "班组能力"),
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
        if self.crews.is_empty() || self.weeks.is_empty() {
            return no_data(
                area,
                st,
                "no crew work planned in the period",
                "本期无班组任务",
            );
        }
        let n = self.crews.len();
        let cols = n.clamp(1, 3);
        let rows = n.div_ceil(cols);
        let panels = area.split_evenly((rows, cols));
        let labels: Vec<String> = self.weeks.iter().map(|w| st.t(w)).collect();
        let nw = self.weeks.len();
        for (crew, panel) in self.crews.iter().zip(panels.iter()) {
            let totals: Vec<f64> = (0..nw)
                .map(|w| crew.hours.iter().map(|h| h[w]).sum())
                .collect();
            let top = totals
                .iter()
                .copied()
                .chain(crew.capacity_h.iter().flatten().copied())
                .fold(1.0f64, f64::max)
                * 1.15;
            let cap_text = crew
                .capacity_h
                .iter()
                .flatten()
                .copied()
                .fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.max(c))));
            let caption = match cap_text {
                Some(c) => st.tr(
                    &format!("{} (capacity up to {c:.0} h/week)", crew.crew),
                    &format!("{}（能力最多 {c:.0} 小时/周）", crew.crew),
                ),
                None => st.tr(
                    &format!("{} (no crew: no capacity)", crew.crew),
                    &format!("{}（未分配班组）", crew.crew),
                ),
            };
            let mut chart = ChartBuilder::on(panel)
                .margin(st.len(8.0))
                .caption(caption, st.bold(13.0))
                .x_label_area_size(st.len(30.0))
                .y_label_area_size(st.len(52.0))
                .build_cartesian_2d(-0.5f64..(nw as f64 - 0.5), 0f64..top)
                .d()?;
            chart
                .configure_mesh()
                .x_labels(nw.min(12))
                .x_label_formatter(&|v| category(&labels, *v))
                .y_labels(6)
                .y_label_formatter(&|v| format!("{v:.0}"))
                .y_desc(st.tr("hours (h)", "工时（小时）"))
                .label_style(st.font(10.0))
                .axis_desc_style(st.font(12.0))
                .disable_x_mesh()
                .light_line_style(super::style::LIGHT)
                .bold_line_style(super::style::GRID)
                .draw()
                .d()?;
            let half = 0.35;
            for w in 0..nw {
                let x = w as f64;
                let mut y0 = 0.0;
                for (ti, h) in crew.hours.iter().enumerate() {
                    if h[w] <= 0.0 {
                        continue;
                    }
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(x - half, y0), (x + half, y0 + h[w])],
                            series_colour(ti).filled(),
                        )))
                        .d()?;
                    y0 += h[w];
                }
                if let Some(c) = crew.capacity_h[w] {
                    chart
                        .draw_series(DashedLineSeries::new(
                            [(x - 0.48, c), (x + 0.48, c)],
                            st.len(6.0),
                            st.len(4.0),
                            CAPACITY.stroke_width(st.len(2.0)),
                        ))
                        .d()?;
                }
            }
        }
        Ok(())
    }
}
