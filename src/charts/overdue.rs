//! Overdue tasks by zone and age: stacked horizontal bars of age buckets.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{Chart, DrawResult, LegendItem, Marker, Style, category, no_data};

/// Age buckets in days past the deadline: [0, 1), [1, 3), [3, 7), [7, ∞).
pub const BUCKET_EDGES_D: [f64; 3] = [1.0, 3.0, 7.0];

/// Colours from mild to severe.
const BUCKET_COLOURS: [RGBColor; 4] = [
    RGBColor(253, 204, 138),
    RGBColor(252, 141, 89),
    RGBColor(227, 74, 51),
    RGBColor(179, 0, 0),
];

/// The bucket of an age in days.
pub fn bucket(age_days: f64) -> usize {
    BUCKET_EDGES_D
        .iter()
        .position(|&e| age_days < e)
        .unwrap_or(BUCKET_EDGES_D.len())
}

/// Overdue counts of one zone per age bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneOverdue {
    pub zone: String,
    pub zone_zh: Option<String>,
    pub buckets: [u64; 4],
}

impl ZoneOverdue {
    pub fn total(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// Open tasks past their deadline at `now`, by zone (most overdue first).
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// When the ages were measured (shown in the subtitle).
    pub now: String,
    pub zones: Vec<ZoneOverdue>,
}

fn bucket_label(st: &Style, i: usize) -> String {
    match i {
        0 => st.tr("0–1 d", "0–1 天"),
        1 => st.tr("1–3 d", "1–3 天"),
        2 => st.tr("3–7 d", "3–7 天"),
        _ => st.tr("> 7 d", "> 7 天"),
    }
}

impl Chart for Overdue {
    fn name(&self) -> &'static str {
        "overdue"
    }
    fn title(&self, st: &Style) -> String {
        st.tr(
            "Overdue tasks by zone and age",
            "各片区逾期任务（按逾期天数）",
        )
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(
                &format!(
                    "open tasks past their deadline (deadline in the period), age at {}",
                    self.now
                ),
                &format!(
                    "截止时间在本期内且仍未完成的任务，逾期天数计至 {}",
                    self.now
                ),
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        (0..4)
            .map(|i| {
                LegendItem::new(
                    st.tr(
                        &format!("overdue {}", bucket_label(st, i)),
                        &format!("逾期 {}", bucket_label(st, i)),
                    ),
                    BUCKET_COLOURS[i],
                    Marker::Box,
                )
            })
            .collect()
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        let zones: Vec<&ZoneOverdue> = self.zones.iter().filter(|z| z.total() > 0).collect();
        if zones.is_empty() {
            return no_data(area, st, "no overdue tasks", "无逾期任务");
        }
        let n = zones.len();
        let labels: Vec<String> = (0..n)
            .map(|y| {
                let z = zones[n - 1 - y];
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
        let max = zones.iter().map(|z| z.total()).max().unwrap_or(1) as f64;
        let mut chart = ChartBuilder::on(area)
            .margin(st.len(14.0))
            .margin_right(st.len(30.0))
            .x_label_area_size(st.len(40.0))
            .y_label_area_size(label_w.max(st.len(60.0)))
            .build_cartesian_2d(0f64..(max * 1.12).max(1.0), -0.5f64..(n as f64 - 0.5))
            .d()?;
        chart
            .configure_mesh()
            .y_labels(n.min(60))
            .y_label_formatter(&|v| category(&labels, *v))
            .x_labels(10)
            .x_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .x_desc(st.tr("overdue tasks (count)", "逾期任务（个）"))
            .y_desc(st.tr("zone", "片区"))
            .label_style(st.font(12.0))
            .axis_desc_style(st.font(14.0))
            .disable_y_mesh()
            .light_line_style(super::style::LIGHT)
            .bold_line_style(super::style::GRID)
            .draw()
            .d()?;
        let half = 0.36;
        for (i, z) in zones.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let mut x0 = 0.0;
            for (b, &count) in z.buckets.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let x1 = x0 + count as f64;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y - half), (x1, y + half)],
                        BUCKET_COLOURS[b].filled(),
                    )))
                    .d()?;
                x0 = x1;
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    z.total().to_string(),
                    (x0 + max * 0.01, y),
                    st.font(11.0).pos(Pos::new(HPos::Left, VPos::Center)),
                )))
                .d()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_fall_into_their_buckets() {
        let b: Vec<usize> = [0.0, 0.99, 1.0, 2.9, 3.0, 6.99, 7.0, 30.0]
            .iter()
            .map(|&a| super::bucket(a))
            .collect();
        assert_eq!(b, [0, 0, 1, 1, 2, 2, 3, 3]);
    }
}
