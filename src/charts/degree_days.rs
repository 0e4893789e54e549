//! Degree-day accumulation (single sine, base 10 °C, from 1 January) with each pest's window
//! shaded and the scouting and treatment dates marked.
//!
//! Pest windows come from the site's `pests.toml` when it exists (the IPM module's file:
//! `[[pest]]` with `id`, `names = { en, zh }` and either `[pest.dd]` (`base_c`, `upper_c`,
//! `method`, `biofix`, `window_dd = [from, to]`) or `[pest.calendar]` (`window = "MM-DD..MM-DD"`);
//! other keys are ignored). Without it, [`fallback_pests`] holds the DOMAIN.md §3 windows.

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Deserialize;

use super::style::{Chart, DrawResult, LegendItem, Marker, Style, no_data, series_colour};
use crate::science::{DailyWeather, DegreeDayMethod, DegreeDayModel};

/// How a pest's window is set.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowRule {
    /// Calendar days, (month, day) to (month, day), inclusive.
    Calendar { from: (u32, u32), to: (u32, u32) },
    /// Degree-days since the biofix reaching `from_dd`, until reaching `to_dd`.
    DegreeDays {
        model: DegreeDayModel,
        biofix: (u32, u32),
        from_dd: f64,
        to_dd: f64,
    },
}

/// A pest the site watches and the rule of its window.
#[derive(Debug, Clone, PartialEq)]
pub struct PestDef {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub rule: WindowRule,
}

fn sine(base: f64) -> DegreeDayModel {
    DegreeDayModel {
        method: DegreeDayMethod::SingleSine,
        lower_c: base,
        upper_c: Some(30.0),
    }
}

/// DOMAIN.md §3 windows, used until the site has a `pests.toml`: willow sawfly by the calendar
/// (20 Aug – 5 Sep), Asian longhorned beetle adults 350–550 DD10, scale crawlers 153–278 DD10,
/// conifer spider mite egg hatch 271 DD5.3 plus one generation (≈146 DD) = 271–417 DD5.3; all
/// single sine with a 30 °C cutoff from 1 January. Aphids (≈110 DD6 per generation) have no
/// window in DOMAIN.md and are left out.
pub fn fallback_pests() -> Vec<PestDef> {
    let dd = |id: &str, en: &str, zh: &str, base: f64, a: f64, b: f64| PestDef {
        id: id.into(),
        name_en: en.into(),
        name_zh: zh.into(),
        rule: WindowRule::DegreeDays {
            model: sine(base),
            biofix: (1, 1),
            from_dd: a,
            to_dd: b,
        },
    };
    vec![
        PestDef {
            id: "willow_sawfly".into(),
            name_en: "willow sawfly".into(),
            name_zh: "河曲丝叶蜂".into(),
            rule: WindowRule::Calendar {
                from: (8, 20),
                to: (9, 5),
            },
        },
        dd(
            "asian_longhorned_beetle",
            "Asian longhorned beetle",
            "光肩星天牛",
            10.0,
            350.0,
            550.0,
        ),
        dd(
            "scale_crawlers",
            "scale crawlers",
            "介壳虫若虫",
            10.0,
            153.0,
            278.0,
        ),
        dd(
            "conifer_spider_mite",
            "conifer spider mite",
            "针叶小爪螨",
            5.3,
            271.0,
            417.0,
        ),
    ]
}

#[derive(Deserialize)]
struct PestsFile {
    #[serde(default)]
    pest: Vec<PestEntry>,
}

#[derive(Deserialize)]
struct PestEntry {
    id: String,
    #[serde(default)]
    names: Option<PestNames>,
    #[serde(default)]
    dd: Option<DdEntry>,
    #[serde(default)]
    calendar: Option<CalendarEntry>,
}

#[derive(Deserialize, Default)]
struct PestNames {
    #[serde(default)]
    en: Option<String>,
    #[serde(default)]
    zh: Option<String>,
}

#[derive(Deserialize)]
struct DdEntry {
    base_c: f64,
    #[serde(default)]
    upper_c: Option<f64>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    biofix: Option<String>,
    window_dd: [f64; 2],
}

#[derive(Deserialize)]
struct CalendarEntry {
    window: String,
}

fn month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.trim().split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2000, m, d).map(|_| (m, d))
}

/// Reads the pest windows of a `pests.toml` (other keys are ignored).
pub fn parse_pests(name: &str, text: &str) -> Result<Vec<PestDef>, String> {
    let file: PestsFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    let mut out = Vec::new();
    for p in file.pest {
        let names = p.names.unwrap_or_default();
        let name_en = names.en.unwrap_or_else(|| p.id.replace('_', " "));
        let name_zh = names.zh.unwrap_or_else(|| name_en.clone());
        let rule = if let Some(dd) = p.dd {
            let method = match dd.method.as_deref() {
                None | Some("sine") | Some("single_sine") => DegreeDayMethod::SingleSine,
                Some("average") | Some("simple") | Some("simple_average") => {
                    DegreeDayMethod::SimpleAverage
                }
                Some(m) => return Err(format!("{name}: pest {}: unknown method '{m}'", p.id)),
            };
            let biofix = match dd.biofix.as_deref() {
                None => (1, 1),
                Some(b) => month_day(b)
                    .ok_or_else(|| format!("{name}: pest {}: bad biofix '{b}'", p.id))?,
            };
            WindowRule::DegreeDays {
                model: DegreeDayModel {
                    method,
                    lower_c: dd.base_c,
                    upper_c: Some(dd.upper_c.unwrap_or(30.0)),
                },
                biofix,
                from_dd: dd.window_dd[0],
                to_dd: dd.window_dd[1],
            }
        } else if let Some(c) = p.calendar {
            let (a, b) = c
                .window
                .split_once("..")
                .and_then(|(a, b)| Some((month_day(a)?, month_day(b)?)))
                .ok_or_else(|| {
                    format!(
                        "{name}: pest {}: window '{}' is not MM-DD..MM-DD",
                        p.id, c.window
                    )
                })?;
            WindowRule::Calendar { from: a, to: b }
        } else {
            continue;
        };
        out.push(PestDef {
            id: p.id,
            name_en,
            name_zh,
            rule,
        });
    }
    Ok(out)
}

/// A pest window placed on a year.
#[derive(Debug, Clone, PartialEq)]
pub struct PestWindow {
    pub name_en: String,
    pub name_zh: String,
    pub from: NaiveDate,
    /// `None`: still open at the end of the series.
    pub to: Option<NaiveDate>,
}

/// Places each pest's window on `year` using the daily weather `days` (for degree-day rules).
/// Pests whose window does not open within the series are left out.
pub fn place_windows(defs: &[PestDef], days: &[DailyWeather], year: i32) -> Vec<PestWindow> {
    defs.iter()
        .filter_map(|p| {
            let (from, to) = match &p.rule {
                WindowRule::Calendar { from, to } => (
                    NaiveDate::from_ymd_opt(year, from.0, from.1)?,
                    NaiveDate::from_ymd_opt(year, to.0, to.1),
                ),
                WindowRule::DegreeDays {
                    model,
                    biofix,
                    from_dd,
                    to_dd,
                } => {
                    let bf = NaiveDate::from_ymd_opt(year, biofix.0, biofix.1)?;
                    (
                        model.date_reaching(days, bf, *from_dd)?,
                        model.date_reaching(days, bf, *to_dd),
                    )
                }
            };
            Some(PestWindow {
                name_en: p.name_en.clone(),
                name_zh: p.name_zh.clone(),
                from,
                to,
            })
        })
        .collect()
}

/// The degree-day chart's data.
#[derive(Debug, Clone, PartialEq)]
pub struct DegreeDays {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Cumulative DD10 (single sine, 30 °C cutoff) per day from 1 January.
    pub series: Vec<(NaiveDate, f64)>,
    pub windows: Vec<PestWindow>,
    /// Days with a done `pest_scouting` task.
    pub scouting: Vec<NaiveDate>,
    /// Days with a done `pest_treatment` task.
    pub treatment: Vec<NaiveDate>,
    pub weather_note_en: String,
    pub weather_note_zh: String,
    pub pests_note_en: String,
    pub pests_note_zh: String,
}

/// The base-10 model of the chart.
pub fn dd10() -> DegreeDayModel {
    sine(10.0)
}

/// Position of a date on a month axis: month m of the first year starts at m (0-based).
fn month_x(d: NaiveDate, year0: i32) -> f64 {
    let dim = {
        let (ny, nm) = if d.month() == 12 {
            (d.year() + 1, 1)
        } else {
            (d.year(), d.month() + 1)
        };
        NaiveDate::from_ymd_opt(ny, nm, 1)
            .and_then(|n| {
                NaiveDate::from_ymd_opt(d.year(), d.month(), 1).map(|s| (n - s).num_days())
            })
            .unwrap_or(30) as f64
    };
    f64::from((d.year() - year0) * 12) + f64::from(d.month0()) + f64::from(d.day0()) / dim
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const SCOUT: RGBColor = RGBColor(0, 109, 44);
const TREAT: RGBColor = RGBColor(120, 0, 120);
const PERIOD: RGBColor = RGBColor(120, 120, 120);

impl Chart for DegreeDays {
    fn name(&self) -> &'static str {
        "degree-days"
    }
    fn title(&self, st: &Style) -> String {
        let y = self
            .series
            .first()
            .map(|s| s.0.year())
            .unwrap_or(self.from.year());
        st.tr(
            &format!("Degree-days (base 10 °C) from 1 Jan {y}, with pest windows"),
            &format!("{y} 年 1 月 1 日起积温（基点 10 °C）与虫害窗口"),
        )
    }
    fn subtitle(&self, st: &Style) -> Vec<String> {
        vec![
            st.tr(
                &format!(
                    "period {} (grey band); single sine, 30 °C cutoff",
                    st.date_range(self.from, self.to)
                ),
                &format!(
                    "统计期 {}（灰色带）；单正弦法，上限 30 °C",
                    st.date_range(self.from, self.to)
                ),
            ),
            st.tr(
                &format!("{}; {}", self.weather_note_en, self.pests_note_en),
                &format!("{}；{}", self.weather_note_zh, self.pests_note_zh),
            ),
        ]
    }
    fn legend(&self, st: &Style) -> Vec<LegendItem> {
        let mut v = vec![LegendItem::new(
            st.tr("degree-days, base 10 °C", "积温（基点 10 °C）"),
            BLACK,
            Marker::Line,
        )];
        for (i, w) in self.windows.iter().enumerate() {
            v.push(LegendItem::new(
                st.tr(&w.name_en, &w.name_zh),
                series_colour(i),
                Marker::Band,
            ));
        }
        v.push(LegendItem::new(
            st.tr(
                &format!("scouting done ({} days)", self.scouting.len()),
                &format!("虫情巡查（{} 天）", self.scouting.len()),
            ),
            SCOUT,
            Marker::Point,
        ));
        v.push(LegendItem::new(
            st.tr(
                &format!("treatment done ({} days)", self.treatment.len()),
                &format!("防治作业（{} 天）", self.treatment.len()),
            ),
            TREAT,
            Marker::Point,
        ));
        v
    }
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> anyhow::Result<()> {
        let (Some(first), Some(last)) = (self.series.first(), self.series.last()) else {
            return no_data(area, st, "no weather for the period", "本期无气象数据");
        };
        let year0 = first.0.year();
        let x0 = month_x(first.0, year0);
        let x1 = month_x(last.0, year0) + 1.0 / 31.0;
        let ymax = last.1.max(1.0) * 1.08;
        let zh = st.zh();
        let mut chart = ChartBuilder::on(area)
            .margin(st.len(14.0))
            .margin_right(st.len(30.0))
            .x_label_area_size(st.len(40.0))
            .y_label_area_size(st.len(70.0))
            .build_cartesian_2d(x0..x1, 0f64..ymax)
            .d()?;
        chart
            .configure_mesh()
            .x_labels(((x1 - x0).ceil() as usize + 1).min(40))
            .x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                let m = (i as usize) % 12;
                if zh {
                    format!("{}月", m + 1)
                } else {
                    MONTHS_EN[m].to_string()
                }
            })
            .y_labels(8)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(st.tr("date (month starts)", "日期（月初）"))
            .y_desc(st.tr("degree-days (°C-days)", "积温（°C·日）"))
            .label_style(st.font(12.0))
            .axis_desc_style(st.font(14.0))
            .light_line_style(super::style::LIGHT)
            .bold_line_style(super::style::GRID)
            .draw()
            .d()?;
        // Period band.
        let (p0, p1) = (
            month_x(self.from, year0).max(x0),
            (month_x(self.to, year0) + 1.0 / 30.0).min(x1),
        );
        if p1 > p0 {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(p0, 0.0), (p1, ymax)],
                    PERIOD.mix(0.18).filled(),
                )))
                .d()?;
        }
        // Pest windows, stacked in thin horizontal lanes at the top so overlaps stay readable,
        // plus a light full-height shade.
        let nwin = self.windows.len().max(1) as f64;
        for (i, w) in self.windows.iter().enumerate() {
            let a = month_x(w.from, year0).max(x0);
            let b =
                w.to.map(|t| month_x(t, year0) + 1.0 / 30.0)
                    .unwrap_or(x1)
                    .min(x1);
            if b <= a {
                continue;
            }
            let c = series_colour(i);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, 0.0), (b, ymax)],
                    c.mix(0.12).filled(),
                )))
                .d()?;
            let lane_h = ymax * 0.25 / nwin;
            let top = ymax - lane_h * i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(a, top - lane_h * 0.85), (b, top)],
                    c.mix(0.55).filled(),
                )))
                .d()?;
        }
        chart
            .draw_series(LineSeries::new(
                self.series.iter().map(|(d, v)| (month_x(*d, year0), *v)),
                BLACK.stroke_width(st.len(2.5)),
            ))
            .d()?;
        let dd_at = |d: NaiveDate| {
            self.series
                .iter()
                .find(|(x, _)| *x == d)
                .map(|s| s.1)
                .unwrap_or(0.0)
        };
        chart
            .draw_series(self.scouting.iter().map(|d| {
                TriangleMarker::new((month_x(*d, year0), dd_at(*d)), st.len(7.0), SCOUT.filled())
            }))
            .d()?;
        chart
            .draw_series(
                self.treatment.iter().map(|d| {
                    Circle::new((month_x(*d, year0), dd_at(*d)), st.len(6.0), TREAT.filled())
                }),
            )
            .d()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::science::{normal_year, parse_normals};

    #[test]
    fn fallback_windows_land_where_domain_md_says_on_the_normal_year() {
        let n = parse_normals(include_str!(
            "../../geodata/barkhor/lhasa_55591_normals.csv"
        ))
        .unwrap();
        let days = normal_year(&n, 2027);
        let w = place_windows(&fallback_pests(), &days, 2027);
        let find = |en: &str| w.iter().find(|x| x.name_en == en).unwrap().clone();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(find("willow sawfly").from, d("2027-08-20"));
        // Scale crawlers ≈ 13 May – 5 Jun, ALB adults ≈ mid-June – early July (DOMAIN.md §3).
        let sc = find("scale crawlers");
        assert!((sc.from - d("2027-05-13")).num_days().abs() <= 4, "{sc:?}");
        let alb = find("Asian longhorned beetle");
        assert!(
            alb.from >= d("2027-06-10") && alb.from <= d("2027-06-25"),
            "{alb:?}"
        );
    }

    #[test]
    fn pests_toml_windows_are_read_and_bad_ones_named() {
        let text = r#"
[[pest]]
id = "willow_sawfly"
names = { latin = "Nematus", zh = "河曲丝叶蜂", en = "willow sawfly" }
hosts = ["Salix"]
[pest.calendar]
window = "08-20..09-05"
scouting_lead_days = 7

[[pest]]
id = "alb"
names = { en = "ALB" }
[pest.dd]
base_c = 10.0
method = "sine"
biofix = "01-01"
window_dd = [350, 550]
"#;
        let p = parse_pests("pests.toml", text).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].rule,
            WindowRule::Calendar {
                from: (8, 20),
                to: (9, 5)
            }
        );
        assert!(matches!(p[1].rule, WindowRule::DegreeDays { from_dd, .. } if from_dd == 350.0));
        let bad = text.replace("08-20..09-05", "late August");
        assert!(
            parse_pests("pests.toml", &bad)
                .unwrap_err()
                .contains("late August")
        );
    }
}
