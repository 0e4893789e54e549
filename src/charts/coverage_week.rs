//! Coverage by ISO week for each task type: one line per type, against a target line.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    Chart, DrawResult, LegendItem, Marker, Style, category, no_data, series_colour,
};

/// Coverage (0..=1, `None` when nothing was due) per week for each task type.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageWeek {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// ISO week labels (`2027-W19`), in order.
    pub weeks: Vec<String>,
    /// (task type, coverage per week).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// Target share, 0..=1.
    pub target: f64,
}

impl Chart for CoverageWeek {
    fn name(&self) -> &'static str {
        "coverage-week"
    }
    fn title(&self, st: &Style) -> String {
        st.tr("Maintenance coverage by week", "每周养护覆盖率")
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(
                "coverage = done on time / due (deadline in the week); ISO weeks",
                "覆盖率 = 按时完成 / 到期任务（截止时间在该周）；ISO 周",
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        let mut v: Vec<LegendItem> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, (t, _))| LegendItem::new(st.task_type(t), series_colour(i), Marker::Line))
            .collect();
        v.push(LegendItem::new(
            st.tr(
                &format!("target {:.0} %", self.target * 100.0),
                &format!("目标 {:.0} %", self.target * 100.0),
            ),
            RED,
            Marker::Dashed,
        ));
        v
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        if self.series.is_empty() || self.weeks.is_empty() {
            return no_data(area, st, "no task fell due in the period", "本期无到期任务");
        }
        let n = self.weeks.len();
        let labels: Vec<String> = self.weeks.iter().map(|w| st.t(w)).collect();
        let mut chart = ChartBuilder::on(area)
            .margin(st.len(14.0))
            .margin_right(st.len(30.0))
            .x_label_area_size(st.len(40.0))
            .y_label_area_size(st.len(64.0))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..105f64)
            .d()?;
        chart
            .configure_mesh()
            .x_labels(n.min(26))
            .x_label_formatter(&|v| category(&labels, *v))
            .y_labels(11)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(st.tr("ISO week (by deadline)", "ISO 周（按截止日期）"))
            .y_desc(st.tr("coverage (%)", "覆盖率（%）"))
            .label_style(st.font(12.0))
            .axis_desc_style(st.font(14.0))
            .light_line_style(super::style::LIGHT)
            .bold_line_style(super::style::GRID)
            .draw()
            .d()?;
        // Target line.
        chart
            .draw_series(DashedLineSeries::new(
                [
                    (-0.5, self.target * 100.0),
                    (n as f64 - 0.5, self.target * 100.0),
                ],
                st.len(8.0),
                st.len(5.0),
                RED.stroke_width(st.len(2.0)),
            ))
            .d()?;
        for (i, (_, values)) in self.series.iter().enumerate() {
            let c = series_colour(i);
            // Lines join consecutive weeks that had work due; gaps stay gaps.
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
            for (w, v) in values.iter().enumerate() {
                match v {
                    Some(v) => run.push((w as f64, v * 100.0)),
                    None => runs.push(std::mem::take(&mut run)),
                }
            }
            runs.push(run);
            for r in runs.into_iter().filter(|r| !r.is_empty()) {
                chart
                    .draw_series(LineSeries::new(r.clone(), c.stroke_width(st.len(3.0))))
                    .d()?;
                chart
                    .draw_series(
                        r.into_iter()
                            .map(|p| Circle::new(p, st.len(5.0), c.filled())),
                    )
                    .d()?;
            }
        }
        Ok(())
    }
}
