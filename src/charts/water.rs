//! Water given by week (litres, from done tasks) beside rain and reference evapotranspiration
//! (mm). Litres and millimetres are never added: they sit on two panels with their own axes.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{Chart, DrawResult, LegendItem, Marker, Style, category, no_data};

/// Weekly water, rain and ET0 over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Water {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: Vec<String>,
    /// Litres given (sum of `water_l` of tasks done in the week).
    pub litres: Vec<f64>,
    /// Rain, mm per week (days of the week inside the period).
    pub rain_mm: Vec<f64>,
    /// Hargreaves ET0, mm per week.
    pub et0_mm: Vec<f64>,
    /// Where rain and temperatures came from (observed weather or climate normals).
    pub weather_note_en: String,
    pub weather_note_zh: String,
}

const WATER: RGBColor = RGBColor(33, 113, 181);
const RAIN: RGBColor = RGBColor(107, 174, 214);
const ET0: RGBColor = RGBColor(230, 85, 13);

impl Chart for Water {
    fn name(&self) -> &'static str {
        "water"
    }
    fn title(&self, st: &Style) -> String {
        st.tr(
            "Water given by week, with rain and ET0",
            "每周浇水量与降雨、参考蒸散量",
        )
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(&self.weather_note_en, &self.weather_note_zh),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        vec![
            LegendItem::new(st.tr("water given (L)", "浇水量（升）"), WATER, Marker::Box),
            LegendItem::new(st.tr("rain (mm)", "降雨（毫米）"), RAIN, Marker::Box),
            LegendItem::new(
                st.tr("ET0, Hargreaves (mm)", "参考蒸散量 ET0，Hargreaves（毫米）"),
                ET0,
                Marker::Box,
            ),
        ]
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        let nw = self.weeks.len();
        if nw == 0 {
            return no_data(area, st, "empty period", "空的时间段");
        }
        let labels: Vec<String> = self.weeks.iter().map(|w| st.t(w)).collect();
        let h = area.dim_in_pixel().1;
        let (top, bottom) = area.split_vertically(h / 2);
        let lmax = self.litres.iter().copied().fold(1.0f64, f64::max) * 1.15;
        let mut c1 = ChartBuilder::on(&top)
            .margin(st.len(10.0))
            .margin_right(st.len(30.0))
            .x_label_area_size(st.len(26.0))
            .y_label_area_size(st.len(70.0))
            .build_cartesian_2d(-0.5f64..(nw as f64 - 0.5), 0f64..lmax)
            .d()?;
        c1.configure_mesh()
            .x_labels(nw.min(26))
            .x_label_formatter(&|v| category(&labels, *v))
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_desc(st.tr("water given (L)", "浇水量（升）"))
            .label_style(st.font(11.0))
            .axis_desc_style(st.font(13.0))
            .disable_x_mesh()
            .light_line_style(super::style::LIGHT)
            .bold_line_style(super::style::GRID)
            .draw()
            .d()?;
        c1.draw_series(self.litres.iter().enumerate().map(|(i, &l)| {
            let x = i as f64;
            Rectangle::new([(x - 0.3, 0.0), (x + 0.3, l)], WATER.filled())
        }))
        .d()?;
        c1.draw_series(self.litres.iter().enumerate().map(|(i, &l)| {
            Text::new(
                format!("{l:.0} L"),
                (i as f64, l),
                st.font(10.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        }))
        .d()?;

        let mmax = self
            .rain_mm
            .iter()
            .chain(&self.et0_mm)
            .copied()
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut c2 = ChartBuilder::on(&bottom)
            .margin(st.len(10.0))
            .margin_right(st.len(30.0))
            .x_label_area_size(st.len(40.0))
            .y_label_area_size(st.len(70.0))
            .build_cartesian_2d(-0.5f64..(nw as f64 - 0.5), 0f64..mmax)
            .d()?;
        c2.configure_mesh()
            .x_labels(nw.min(26))
            .x_label_formatter(&|v| category(&labels, *v))
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(st.tr("ISO week", "ISO 周"))
            .y_desc(st.tr("rain, ET0 (mm/week)", "降雨、ET0（毫米/周）"))
            .label_style(st.font(11.0))
            .axis_desc_style(st.font(13.0))
            .disable_x_mesh()
            .light_line_style(super::style::LIGHT)
            .bold_line_style(super::style::GRID)
            .draw()
            .d()?;
        c2.draw_series(self.rain_mm.iter().enumerate().map(|(i, &r)| {
            let x = i as f64;
            Rectangle::new([(x - 0.32, 0.0), (x - 0.02, r)], RAIN.filled())
        }))
        .d()?;
        c2.draw_series(self.et0_mm.iter().enumerate().map(|(i, &e)| {
            let x = i as f64;
            Rectangle::new([(x + 0.02, 0.0), (x + 0.32, e)], ET0.filled())
        }))
        .d()?;
        Ok(())
    }
}
