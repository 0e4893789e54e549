//! The map: zones, parks, lawns and water features as filled polygons, trees and flower-box
//! groups as points coloured by coverage or by days overdue, with a legend, a scale bar and a
//! north arrow, in a local projection that keeps shapes true ([`super::projection`]).

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::projection::{LocalProjection, nice_length};
use super::style::{BAD, Chart, DrawResult, FAIR, GOOD, LegendItem, Marker, Style, no_data};

/// What a polygon or line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Zone,
    Park,
    Lawn,
    Water,
    TreeRow,
}

impl Layer {
    fn fill(self) -> RGBColor {
        match self {
            Layer::Zone => RGBColor(226, 226, 214),
            Layer::Park => RGBColor(178, 223, 138),
            Layer::Lawn => RGBColor(210, 238, 180),
            Layer::Water => RGBColor(140, 190, 230),
            Layer::TreeRow => RGBColor(51, 120, 40),
        }
    }
    fn edge(self) -> RGBColor {
        match self {
            Layer::Zone => RGBColor(120, 120, 110),
            Layer::Park => RGBColor(90, 150, 70),
            Layer::Lawn => RGBColor(120, 180, 90),
            Layer::Water => RGBColor(40, 110, 180),
            Layer::TreeRow => RGBColor(51, 120, 40),
        }
    }
    fn label(self, st: &Style) -> String {
        match self {
            Layer::Zone => st.tr("zone", "片区"),
            Layer::Park => st.tr("park", "公园"),
            Layer::Lawn => st.tr("lawn, bed", "草坪、花坛"),
            Layer::Water => st.tr("water", "水体"),
            Layer::TreeRow => st.tr("tree row", "行道树列"),
        }
    }
}

/// A polygon (exterior ring and holes, lon/lat) of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPolygon {
    pub layer: Layer,
    pub exterior: Vec<(f64, f64)>,
    pub holes: Vec<Vec<(f64, f64)>>,
}

/// A line (stream, canal, tree row) in lon/lat.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLine {
    pub layer: Layer,
    pub points: Vec<(f64, f64)>,
}

/// What the points are coloured by.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourBy {
    /// Share of the asset's due tasks done on time.
    Coverage,
    /// Days the asset's oldest open task is past its deadline.
    Overdue,
}

/// A tree or a flower-box group.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub lon: f64,
    pub lat: f64,
    /// A box group (drawn as a square) or a tree (a circle).
    pub is_box: bool,
    /// On time / due in the period; `None` when nothing fell due.
    pub coverage: Option<f64>,
    /// Days the oldest open overdue task is late; `None` when none is overdue.
    pub overdue_days: Option<f64>,
}

/// The map's data.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub colour_by: ColourBy,
    pub target: f64,
    pub polygons: Vec<MapPolygon>,
    pub lines: Vec<MapLine>,
    pub points: Vec<MapPoint>,
}

const NO_DATA: RGBColor = RGBColor(160, 160, 160);
const OVERDUE: [RGBColor; 5] = [
    RGBColor(46, 139, 87),
    RGBColor(253, 204, 138),
    RGBColor(252, 141, 89),
    RGBColor(227, 74, 51),
    RGBColor(179, 0, 0),
];

impl Map {
    fn classes(&self, st: &Style) -> Vec<(String, RGBColor)> {
        let t = self.target * 100.0;
        match self.colour_by {
            ColourBy::Coverage => vec![
                (
                    st.tr(
                        &format!("coverage ≥ {t:.0} %"),
                        &format!("覆盖率 ≥ {t:.0} %"),
                    ),
                    GOOD,
                ),
                (
                    st.tr(
                        &format!("{:.0}–{t:.0} %", t - 15.0),
                        &format!("{:.0}–{t:.0} %", t - 15.0),
                    ),
                    FAIR,
                ),
                (
                    st.tr(
                        &format!("< {:.0} %", t - 15.0),
                        &format!("< {:.0} %", t - 15.0),
                    ),
                    BAD,
                ),
                (st.tr("nothing due", "无到期任务"), NO_DATA),
            ],
            ColourBy::Overdue => vec![
                (st.tr("none overdue", "无逾期"), OVERDUE[0]),
                (st.tr("overdue 0–1 d", "逾期 0–1 天"), OVERDUE[1]),
                (st.tr("1–3 d", "1–3 天"), OVERDUE[2]),
                (st.tr("3–7 d", "3–7 天"), OVERDUE[3]),
                (st.tr("> 7 d", "> 7 天"), OVERDUE[4]),
            ],
        }
    }

    fn class_of(&self, p: &MapPoint) -> usize {
        match self.colour_by {
            ColourBy::Coverage => match p.coverage {
                None => 3,
                Some(c) if c >= self.target => 0,
                Some(c) if c >= self.target - 0.15 => 1,
                Some(_) => 2,
            },
            ColourBy::Overdue => match p.overdue_days {
                None => 0,
                Some(d) => 1 + super::overdue::bucket(d),
            },
        }
    }
}

impl Chart for Map {
    fn name(&self) -> &'static str {
        "map"
    }
    fn title(&self, st: &Style) -> String {
        match self.colour_by {
            ColourBy::Coverage => st.tr("Map of maintenance coverage", "养护覆盖率地图"),
            ColourBy::Overdue => st.tr("Map of overdue work", "逾期任务地图"),
        }
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.date_range(self.from, self.to),
            st.tr(
                "trees (circles) and flower-box groups (squares); local equirectangular projection, metres",
                "树木（圆点）与花箱组（方块）；局部等距圆柱投影，单位米",
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        let mut layers: Vec<Layer> = Vec::new();
        for l in self
            .polygons
            .iter()
            .map(|p| p.layer)
            .chain(self.lines.iter().map(|l| l.layer))
        {
            if !layers.contains(&l) {
                layers.push(l);
            }
        }
        let mut v: Vec<LegendItem> = layers
            .into_iter()
            .map(|l| {
                let m = if l == Layer::TreeRow {
                    Marker::Line
                } else {
                    Marker::Box
                };
                LegendItem::new(l.label(st), l.fill(), m)
            })
            .collect();
        v.extend(
            self.classes(st)
                .into_iter()
                .map(|(label, c)| LegendItem::new(label, c, Marker::Point)),
        );
        v
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        let all = self
            .polygons
            .iter()
            .flat_map(|p| p.exterior.iter().copied())
            .chain(self.lines.iter().flat_map(|l| l.points.iter().copied()))
            .chain(self.points.iter().map(|p| (p.lon, p.lat)));
        let Some(proj) = LocalProjection::around(all) else {
            return no_data(area, st, "nothing to map", "无可绘制对象");
        };
        let xy = |p: &(f64, f64)| proj.project(*p);
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let mut grow = |(x, y): (f64, f64)| {
            if x.is_finite() && y.is_finite() {
                b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
            }
        };
        for p in &self.polygons {
            p.exterior.iter().map(xy).for_each(&mut grow);
        }
        for l in &self.lines {
            l.points.iter().map(xy).for_each(&mut grow);
        }
        for p in &self.points {
            grow(xy(&(p.lon, p.lat)));
        }
        // Pad, then widen the short side so one metre is as long across as up.
        let (margin, xl, yl) = (st.len(12.0), st.len(40.0), st.len(70.0));
        let (w, h) = area.dim_in_pixel();
        let pw = f64::from(w.saturating_sub(2 * margin + yl).max(10));
        let ph = f64::from(h.saturating_sub(2 * margin + xl).max(10));
        let (mut x0, mut y0, mut x1, mut y1) = b;
        let pad = ((x1 - x0).max(y1 - y0) * 0.05).max(10.0);
        x0 -= pad;
        x1 += pad;
        y0 -= pad;
        y1 += pad;
        let mpp = ((x1 - x0) / pw).max((y1 - y0) / ph);
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let (hx, hy) = (mpp * pw / 2.0, mpp * ph / 2.0);
        let (x0, x1, y0, y1) = (cx - hx, cx + hx, cy - hy, cy + hy);

        let mut chart = ChartBuilder::on(area)
            .margin(margin)
            .x_label_area_size(xl)
            .y_label_area_size(yl)
            .build_cartesian_2d(x0..x1, y0..y1)
            .d()?;
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(st.tr(
                &format!("metres east of {:.4}° E", proj.lon0),
                &format!("{:.4}° E 以东（米）", proj.lon0),
            ))
            .y_desc(st.tr(
                &format!("metres north of {:.4}° N", proj.lat0),
                &format!("{:.4}° N 以北（米）", proj.lat0),
            ))
            .label_style(st.font(11.0))
            .axis_desc_style(st.font(13.0))
            .light_line_style(RGBColor(245, 245, 245))
            .bold_line_style(RGBColor(235, 235, 235))
            .draw()
            .d()?;

        // Zones under everything, then green areas, then water.
        for layer in [Layer::Zone, Layer::Park, Layer::Lawn, Layer::Water] {
            for p in self.polygons.iter().filter(|p| p.layer == layer) {
                let ring: Vec<(f64, f64)> = p.exterior.iter().map(xy).collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        ring.clone(),
                        layer.fill().filled(),
                    )))
                    .d()?;
                for hole in &p.holes {
                    let hr: Vec<(f64, f64)> = hole.iter().map(xy).collect();
                    chart
                        .draw_series(std::iter::once(Polygon::new(hr.clone(), WHITE.filled())))
                        .d()?;
                    chart
                        .draw_series(std::iter::once(PathElement::new(hr, layer.edge())))
                        .d()?;
                }
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        ring,
                        layer.edge().stroke_width(1),
                    )))
                    .d()?;
            }
        }
        for l in &self.lines {
            let width = if l.layer == Layer::Water { 3.0 } else { 2.0 };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    l.points.iter().map(xy).collect::<Vec<_>>(),
                    l.layer.edge().stroke_width(st.len(width)),
                )))
                .d()?;
        }
        let classes = self.classes(st);
        let r = st.len(3.5).max(2);
        // Worse classes drawn last so they stay visible where points crowd.
        let mut order: Vec<&MapPoint> = self.points.iter().collect();
        order.sort_by_key(|p| {
            let c = self.class_of(p);
            match self.colour_by {
                ColourBy::Coverage => [1, 2, 3, 0][c.min(3)],
                ColourBy::Overdue => c,
            }
        });
        for p in order {
            let c = classes[self.class_of(p)].1;
            let at = xy(&(p.lon, p.lat));
            if p.is_box {
                let s = r as i32;
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(at)
                            + Rectangle::new([(-s, -s), (s, s)], c.filled())
                            + Rectangle::new([(-s, -s), (s, s)], BLACK.mix(0.6)),
                    ))
                    .d()?;
            } else {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(at)
                            + Circle::new((0, 0), r, c.filled())
                            + Circle::new((0, 0), r, BLACK.mix(0.5)),
                    ))
                    .d()?;
            }
        }

        // Scale bar, bottom left.
        let len = nice_length((x1 - x0) * 0.25);
        let (sx, sy) = (x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05);
        let tick = (y1 - y0) * 0.012;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![
                    (sx, sy + tick),
                    (sx, sy),
                    (sx + len, sy),
                    (sx + len, sy + tick),
                ],
                BLACK.stroke_width(st.len(2.0)),
            )))
            .d()?;
        let label = if len >= 1000.0 {
            format!("{} km", len / 1000.0)
        } else {
            format!("{len:.0} m")
        };
        chart
            .draw_series(std::iter::once(Text::new(
                st.t(&label),
                (sx + len / 2.0, sy + tick * 1.5),
                st.font(12.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))
            .d()?;
        // North arrow, top right: grid north is true north in this projection.
        let (nx, ny) = (x1 - (x1 - x0) * 0.05, y1 - (y1 - y0) * 0.06);
        let ah = (y1 - y0) * 0.07;
        let aw = ah * 0.35; // one metre is as long across as up
        chart
            .draw_series(std::iter::once(Polygon::new(
                vec![
                    (nx, ny),
                    (nx - aw, ny - ah),
                    (nx, ny - ah * 0.7),
                    (nx + aw, ny - ah),
                ],
                BLACK.filled(),
            )))
            .d()?;
        chart
            .draw_series(std::iter::once(Text::new(
                st.tr("N", "北"),
                (nx, ny - ah * 1.05),
                st.bold(14.0).pos(Pos::new(HPos::Center, VPos::Top)),
            )))
            .d()?;
        Ok(())
    }
}
