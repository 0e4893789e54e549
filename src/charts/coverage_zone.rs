//! Coverage by zone: horizontal bars, worst zone on top, against a target line.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    BAD, Chart, DrawResult, FAIR, GOOD, LegendItem, Marker, Style, category, no_data,
};

/// One zone's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneBar {
    pub zone: String,
    pub zone_zh: Option<String>,
    /// On time / due, 0..=1.
    pub coverage: f64,
    pub due: u64,
}

/// Coverage per zone, worst first (zones where nothing fell due are left out).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageZone {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub zones: Vec<ZoneBar>,
    pub target: f64,
}

impl CoverageZone {
    /// Sorts worst first (then by name).
    pub fn sort(&mut self) {
        self.zones.sort_by(|a, b| {
            a.coverage
                .total_cmp(&b.coverage)
                .then_with(|| a.zone.cmp(&b.zone))
        });
    }

    fn colour(&self, c: f64) -> RGBColor {
        if c >= self.target {
            GOOD
        } else if c >= self.target - 0.15 {
            FAIR
        } else {
            BAD
        }
    }
}

impl Chart for CoverageZone {
    fn name(&self) -> &'static str {
        "coverage-zone"
    }
    fn title(&self, st: &Style) -> String {
        st.tr("Maintenance coverage by zone", "各片区养护覆盖率")
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(
                "done on time / due; worst zone first; n = tasks due",
                "按时完成 / 到期任务；最差片区在上；n = 到期任务数",
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        let t = self.target * 100.0;
        vec![
            LegendItem::new(
                st.tr(&format!("at or above {t:.0} %"), &format!("达到 {t:.0} %")),
                GOOD,
                Marker::Box,
            ),
            LegendItem::new(
                st.tr(
                    &format!("{:.0}–{t:.0} %", t - 15.0),
                    &format!("{:.0}–{t:.0} %", t - 15.0),
                ),
                FAIR,
                Marker::Box,
            ),
            LegendItem::new(
                st.tr(
                    &format!("below {:.0} %", t - 15.0),
                    &format!("低于 {:.0} %", t - 15.0),
                ),
                BAD,
                Marker::Box,
            ),
            LegendItem::new(
                st.tr(&format!("target {t:.0} %"), &format!("目标 {t:.0} %")),
                RED,
                Marker::Dashed,
            ),
        ]
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        if self.zones.is_empty() {
            return no_data(area, st, "no task fell due in the period", "本期无到期任务");
        }
        let n = self.zones.len();
        // Worst first = top: the first zone gets the highest y.
        let labels: Vec<String> = (0..n)
            .map(|y| {
                let z = &self.zones[n - 1 - y];
                st.t(match (st.zh(), &z.zone_zh) {
                    (true, Some(zh)) => zh,
                    _ => &z.zone,
                })
            })
            .collect();
        let label_w = labels
            .iter()
            .map(|l| {
                area.estimate_text_size(l, &st.font(12.0))
                    .map(|s| s.0)
                    .unwrap_or(80)
            })
            .max()
            .unwrap_or(80)
            + st.len(16.0);
        let mut chart = ChartBuilder::on(area)
            .margin(st.len(14.0))
            .margin_right(st.len(40.0))
            .x_label_area_size(st.len(40.0))
            .y_label_area_size(label_w.max(st.len(60.0)))
            .build_cartesian_2d(0f64..110f64, -0.5f64..(n as f64 - 0.5))
            .d()?;
        chart
            .configure_mesh()
            .y_labels(n.min(60))
            .y_label_formatter(&|v| category(&labels, *v))
            .x_labels(12)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(st.tr("coverage (%)", "覆盖率（%）"))
            .y_desc(st.tr("zone", "片区"))
            .label_style(st.font(12.0))
            .axis_desc_style(st.font(14.0))
            .disable_y_mesh()
            .light_line_style(super::style::LIGHT)
            .bold_line_style(super::style::GRID)
            .draw()
            .d()?;
        let half = 0.36;
        chart
            .draw_series(self.zones.iter().enumerate().map(|(i, z)| {
                let y = (n - 1 - i) as f64;
                Rectangle::new(
                    [(0.0, y - half), (z.coverage * 100.0, y + half)],
                    self.colour(z.coverage).filled(),
                )
            }))
            .d()?;
        let font = st.font(11.0).pos(Pos::new(HPos::Left, VPos::Center));
        chart
            .draw_series(self.zones.iter().enumerate().map(|(i, z)| {
                let y = (n - 1 - i) as f64;
                Text::new(
                    st.t(&format!("{:.1} % (n = {})", z.coverage * 100.0, z.due)),
                    (z.coverage * 100.0 + 0.8, y),
                    font.clone(),
                )
            }))
            .d()?;
        let t = self.target * 100.0;
        chart
            .draw_series(DashedLineSeries::new(
                [(t, -0.5), (t, n as f64 - 0.5)],
                st.len(8.0),
                st.len(5.0),
                RED.stroke_width(st.len(2.0)),
            ))
            .d()?;
        Ok(())
    }
}
