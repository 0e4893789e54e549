//! The look shared by every chart and the frame around it: title, date range and notes on top,
//! the chart, a legend strip below; fonts, sizes, colours, label language; PNG or SVG output.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, RGBColor};

use super::fonts::{self, LoadedFont};

/// Output file format.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Label language.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// Converts a drawing error (whose type depends on the backend) into `anyhow`.
pub trait DrawResult<T> {
    fn d(self) -> anyhow::Result<T>;
}

impl<T, E: std::fmt::Display> DrawResult<T> for Result<T, E> {
    fn d(self) -> anyhow::Result<T> {
        self.map_err(|e| anyhow::anyhow!("drawing failed: {e}"))
    }
}

/// Fonts, language and size of one set of charts.
#[derive(Debug, Clone)]
pub struct Style {
    /// The language labels are drawn in (English when Chinese was asked for but no CJK font
    /// was found).
    pub lang: Lang,
    pub font: &'static LoadedFont,
    pub width: u32,
    pub height: u32,
    /// Size factor against a 1000 × 640 chart.
    pub scale: f64,
}

impl Style {
    /// The style for `lang`; with Chinese it looks for a CJK font (`font`: `--font` or
    /// `GREENWARD_FONT`) and falls back to English labels with a warning when there is none.
    /// Returns the style and the warnings to print.
    pub fn new(lang: Lang, font: Option<&Path>, width: u32, height: u32) -> (Style, Vec<String>) {
        let mut warnings = Vec::new();
        let (lang, font) = match lang {
            Lang::En => (Lang::En, fonts::latin()),
            Lang::Zh => match fonts::find_cjk(font) {
                Ok(f) => (Lang::Zh, f),
                Err(e) => {
                    warnings.push(format!(
                        "no CJK font for Chinese labels: {}; drawing English labels instead\n  install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei) or pass --font PATH / GREENWARD_FONT",
                        e.reason
                    ));
                    (Lang::En, fonts::latin())
                }
            },
        };
        let scale = (f64::from(width) / 1000.0)
            .min(f64::from(height) / 640.0)
            .clamp(0.4, 4.0);
        (
            Style {
                lang,
                font,
                width,
                height,
                scale,
            },
            warnings,
        )
    }

    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    /// `text` made drawable in the chosen font: a character the font lacks is replaced by an
    /// ASCII stand-in (° → deg, – → -, …) or `?`, never drawn as an empty box.
    pub fn t(&self, text: &str) -> String {
        let missing = self.font.missing(text);
        if missing.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if !missing.contains(&c) {
                out.push(c);
                continue;
            }
            out.push_str(match c {
                '°' => "deg",
                '–' | '—' | '−' => "-",
                '×' => "x",
                '≥' => ">=",
                '≤' => "<=",
                '…' => "...",
                '·' => "-",
                '（' => "(",
                '）' => ")",
                '，' => ",",
                '：' => ":",
                _ => "?",
            });
        }
        out
    }

    /// The English or Chinese text, made drawable.
    pub fn tr(&self, en: &str, zh: &str) -> String {
        self.t(if self.zh() { zh } else { en })
    }

    /// A font size in pixels for a base size on a 1000 × 640 chart.
    pub fn px(&self, base: f64) -> f64 {
        (base * self.scale).max(8.0)
    }

    /// A pixel length for a base length on a 1000 × 640 chart.
    pub fn len(&self, base: f64) -> u32 {
        (base * self.scale).round().max(1.0) as u32
    }

    pub fn font(&self, base: f64) -> TextStyle<'static> {
        FontDesc::new(
            FontFamily::Name(self.font.family),
            self.px(base),
            FontStyle::Normal,
        )
        .into()
    }

    pub fn bold(&self, base: f64) -> TextStyle<'static> {
        FontDesc::new(
            FontFamily::Name(self.font.family),
            self.px(base),
            FontStyle::Bold,
        )
        .into()
    }

    /// A task type's label.
    pub fn task_type(&self, code: &str) -> String {
        let zh = match code {
            "watering" => "浇水",
            "deadheading" => "摘残花",
            "winter_irrigation" => "冬灌",
            "pest_scouting" => "虫情巡查",
            "pest_treatment" => "病虫害防治",
            "inspection" => "巡检",
            "pruning" => "修剪",
            "replanting" => "补植",
            "removal" => "移除",
            "whitewashing" => "树干涂白",
            "cleaning" => "清洁",
            "sanitation" => "保洁",
            "patrol_report" => "巡查问题",
            _ => code,
        };
        self.tr(&code.replace('_', " "), zh)
    }

    /// "2027-05-10 – 2027-05-16" (or 至 in Chinese).
    pub fn date_range(&self, from: NaiveDate, to: NaiveDate) -> String {
        self.tr(&format!("{from} – {to}"), &format!("{from} 至 {to}"))
    }
}

/// Distinct colours for series (Tableau 10).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub fn series_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Traffic-light colours for coverage against a target.
pub const GOOD: RGBColor = RGBColor(46, 139, 87);
pub const FAIR: RGBColor = RGBColor(240, 173, 40);
pub const BAD: RGBColor = RGBColor(200, 50, 40);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
pub const LIGHT: RGBColor = RGBColor(247, 247, 247);
pub const MUTED: RGBColor = RGBColor(150, 150, 150);

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Marker {
    Box,
    Line,
    Dashed,
    Point,
    /// A translucent band.
    Band,
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    pub label: String,
    pub colour: RGBColor,
    pub marker: Marker,
}

impl LegendItem {
    pub fn new(label: String, colour: RGBColor, marker: Marker) -> Self {
        LegendItem {
            label,
            colour,
            marker,
        }
    }
}

/// A chart: plain data that can draw itself into the body of the frame.
pub trait Chart {
    /// File name without extension (`coverage-week`).
    fn name(&self) -> &'static str;
    fn title(&self, st: &Style) -> String;
    /// Lines under the title: the date range first, then notes (data sources, fallbacks).
    fn subtitle(&self, st: &Style) -> Vec<String>;
    fn legend(&self, st: &Style) -> Vec<LegendItem>;
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()>;
}

fn legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[LegendItem],
    st: &Style,
) -> Vec<Vec<(LegendItem, u32)>> {
    let font = st.font(13.0);
    let avail = area.dim_in_pixel().0.saturating_sub(2 * st.len(20.0));
    let mut rows: Vec<Vec<(LegendItem, u32)>> = vec![Vec::new()];
    let mut used = 0u32;
    for it in items {
        let (tw, _) = area
            .estimate_text_size(&it.label, &font)
            .unwrap_or((100, 10));
        let w = st.len(34.0) + tw + st.len(18.0);
        if used + w > avail && used > 0 {
            rows.push(Vec::new());
            used = 0;
        }
        used += w;
        if let Some(r) = rows.last_mut() {
            r.push((it.clone(), w));
        }
    }
    rows.retain(|r| !r.is_empty());
    rows
}

/// Draws a legend strip (rows of entries, centred).
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Vec<(LegendItem, u32)>],
    st: &Style,
) -> anyhow::Result<()> {
    let font = st.font(13.0);
    let row_h = st.len(22.0) as i32;
    let width = area.dim_in_pixel().0 as i32;
    for (r, row) in rows.iter().enumerate() {
        let total: u32 = row.iter().map(|x| x.1).sum();
        let mut x = (width - total as i32) / 2;
        let y = r as i32 * row_h + row_h / 2;
        for (it, w) in row {
            let sw = st.len(26.0) as i32;
            let h = st.len(5.0) as i32;
            let c = it.colour;
            match it.marker {
                Marker::Box => area
                    .draw(&Rectangle::new(
                        [(x, y - 2 * h), (x + sw, y + 2 * h)],
                        c.filled(),
                    ))
                    .d()?,
                Marker::Band => area
                    .draw(&Rectangle::new(
                        [(x, y - 2 * h), (x + sw, y + 2 * h)],
                        c.mix(0.35).filled(),
                    ))
                    .d()?,
                Marker::Line => area
                    .draw(&PathElement::new(
                        vec![(x, y), (x + sw, y)],
                        c.stroke_width(st.len(3.0)),
                    ))
                    .d()?,
                Marker::Dashed => {
                    let seg = sw / 5;
                    for k in [0, 2, 4] {
                        area.draw(&PathElement::new(
                            vec![(x + k * seg, y), (x + (k + 1) * seg, y)],
                            c.stroke_width(st.len(2.0)),
                        ))
                        .d()?;
                    }
                }
                Marker::Point => area
                    .draw(&Circle::new((x + sw / 2, y), st.len(5.0), c.filled()))
                    .d()?,
            }
            area.draw(&Text::new(
                it.label.clone(),
                (x + sw + st.len(6.0) as i32, y),
                font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .d()?;
            x += *w as i32;
        }
    }
    Ok(())
}

fn draw_frame<DB: DrawingBackend, C: Chart>(
    root: DrawingArea<DB, Shift>,
    chart: &C,
    st: &Style,
) -> anyhow::Result<()> {
    root.fill(&WHITE).d()?;
    let title = st.t(&chart.title(st));
    let sub: Vec<String> = chart.subtitle(st).iter().map(|s| st.t(s)).collect();
    let legend: Vec<LegendItem> = chart
        .legend(st)
        .into_iter()
        .map(|mut l| {
            l.label = st.t(&l.label);
            l
        })
        .collect();
    let title_h = st.len(34.0);
    let sub_h = st.len(18.0);
    let head_h = title_h + sub_h * sub.len() as u32 + st.len(6.0);
    let (head, rest) = root.split_vertically(head_h);
    let cx = (st.width / 2) as i32;
    head.draw(&Text::new(
        title,
        (cx, st.len(8.0) as i32),
        st.bold(22.0).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .d()?;
    for (i, s) in sub.iter().enumerate() {
        head.draw(&Text::new(
            s.clone(),
            (cx, (title_h + sub_h * i as u32) as i32),
            st.font(13.0)
                .color(&RGBColor(80, 80, 80))
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .d()?;
    }
    let rows = legend_rows(&rest, &legend, st);
    let legend_h = if rows.is_empty() {
        st.len(6.0)
    } else {
        st.len(22.0) * rows.len() as u32 + st.len(8.0)
    };
    let body_h = rest.dim_in_pixel().1.saturating_sub(legend_h);
    let (body, foot) = rest.split_vertically(body_h);
    chart.draw(&body, st)?;
    draw_legend(&foot, &rows, st)?;
    Ok(())
}

/// Draws `chart` into `dir/NAME.png|svg` and returns the path.
pub fn render<C: Chart>(
    chart: &C,
    st: &Style,
    dir: &Path,
    format: Format,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the chart folder {}", dir.display()))?;
    let path = dir.join(format!("{}.{}", chart.name(), format.ext()));
    let size = (st.width, st.height);
    match format {
        Format::Png => {
            let root = BitMapBackend::new(&path, size).into_drawing_area();
            draw_frame(root.clone(), chart, st)?;
            root.present()
                .d()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Format::Svg => {
            let root = SVGBackend::new(&path, size).into_drawing_area();
            draw_frame(root.clone(), chart, st)?;
            root.present()
                .d()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(path)
}

/// Writes "no data" in the middle of an area.
pub fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    en: &str,
    zh: &str,
) -> anyhow::Result<()> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [
            (st.len(40.0) as i32, st.len(10.0) as i32),
            (
                w as i32 - st.len(40.0) as i32,
                h as i32 - st.len(10.0) as i32,
            ),
        ],
        GRID.stroke_width(1),
    ))
    .d()?;
    area.draw(&Text::new(
        st.tr(en, zh),
        ((w / 2) as i32, (h / 2) as i32),
        st.font(16.0)
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .d()?;
    Ok(())
}

/// A label of a categorical axis at integer positions: the label when `v` is (close to) an
/// integer index into `labels`, else empty.
pub fn category(labels: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 0.01 || i < 0.0 {
        return String::new();
    }
    labels.get(i as usize).cloned().unwrap_or_default()
}
