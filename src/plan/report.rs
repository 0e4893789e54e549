//! Plan outputs: the tables as CSV (one file per table, a `scenario` column first), everything as
//! JSON (`plan.json`), and a self-contained HTML report (`plan.html`, charts embedded as base64
//! PNG, headings in Chinese and English). Field names carry their units (`hours`, `water_l`,
//! `cart_trips`, `spray_mix_l`, `seedlings`); docs/plan.md lists them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;

use super::SeasonPlan;

/// The CSV tables: file name and how to get a plan's rows as JSON objects.
type Rows = fn(&SeasonPlan) -> Vec<Value>;

fn rows<T: Serialize>(v: &[T]) -> Vec<Value> {
    v.iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect()
}

/// Flat season totals (the maps stay in the JSON).
fn totals_row(p: &SeasonPlan) -> Value {
    let mut v = serde_json::to_value(&p.totals).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.retain(|_, x| !x.is_object());
    }
    v
}

pub const TABLES: &[(&str, Rows)] = &[
    ("plan-totals.csv", |p| vec![totals_row(p)]),
    ("plan-hours.csv", |p| rows(&p.weekly.hours)),
    ("plan-crews.csv", |p| rows(&p.weekly.crews)),
    ("plan-levelling.csv", |p| rows(&p.weekly.levelling)),
    ("plan-water.csv", |p| rows(&p.weekly.water)),
    ("plan-water-monthly.csv", |p| rows(&p.weekly.water_monthly)),
    ("plan-pests.csv", |p| rows(&p.weekly.pests)),
    ("plan-replanting.csv", |p| rows(&p.weekly.replanting)),
];

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => {
                let r = (f * 1000.0).round() / 1000.0;
                format!("{r}")
            }
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Writes one CSV table for all plans; the header comes from the row type's fields (a table
/// with no rows still gets its header when `header` is known from another plan).
fn write_table(path: &Path, plans: &[SeasonPlan], get: Rows) -> anyhow::Result<()> {
    let all: Vec<(String, Vec<Value>)> =
        plans.iter().map(|p| (p.scenario.clone(), get(p))).collect();
    let header: Vec<String> = all
        .iter()
        .flat_map(|(_, r)| r.first())
        .find_map(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default();
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut head = vec!["scenario".to_string()];
    head.extend(header.iter().cloned());
    w.write_record(&head)?;
    for (scenario, rows) in &all {
        for r in rows {
            let mut rec = vec![scenario.clone()];
            rec.extend(
                header
                    .iter()
                    .map(|k| r.get(k).map(cell).unwrap_or_default()),
            );
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes the CSV tables and `plan.json`; returns the files written.
pub fn write_tables(dir: &Path, plans: &[SeasonPlan]) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the plan folder {}", dir.display()))?;
    let mut out = Vec::new();
    for (name, get) in TABLES {
        let p = dir.join(name);
        write_table(&p, plans, *get)?;
        out.push(p);
    }
    let json = dir.join("plan.json");
    let v = serde_json::json!({ "plans": plans });
    std::fs::write(&json, serde_json::to_string_pretty(&v)?)
        .with_context(|| format!("cannot write {}", json.display()))?;
    out.push(json);
    Ok(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        s.push(B64[(n >> 18) as usize & 63] as char);
        s.push(B64[(n >> 12) as usize & 63] as char);
        s.push(if c.len() > 1 {
            B64[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        s.push(if c.len() > 2 {
            B64[n as usize & 63] as char
        } else {
            '='
        });
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    // Thousands separators on the integer part.
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut g = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            g.push(',');
        }
        g.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{g}")
    } else {
        format!("{sign}{g}.{frac}")
    }
}

fn img(out: &mut String, path: &Path, alt: &str) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let _ = writeln!(
        out,
        "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
        esc(alt),
        base64(&bytes)
    );
    Ok(())
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>], flag: &[bool]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for (i, r) in rows.iter().enumerate() {
        if flag.get(i).copied().unwrap_or(false) {
            out.push_str("<tr class=\"over\">");
        } else {
            out.push_str("<tr>");
        }
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// The totals as (label, value) lines.
pub fn total_lines(p: &SeasonPlan) -> Vec<(&'static str, String)> {
    let t = &p.totals;
    vec![
        ("任务 Tasks", num(t.tasks as f64, 0)),
        ("工时 Crew hours (hours)", num(t.hours, 1)),
        (
            "超负荷班组周 Overloaded crew-weeks (before → after levelling)",
            format!(
                "{} → {}",
                t.overloaded_crew_weeks, t.overloaded_crew_weeks_after_levelling
            ),
        ),
        (
            "调峰 Levelling: tasks moved (hours)",
            format!(
                "{} ({})",
                num(t.levelled_tasks as f64, 0),
                num(t.levelled_hours, 1)
            ),
        ),
        ("浇水次数 Water-need waterings", num(t.waterings as f64, 0)),
        ("浇水量 Water (water_l)", num(t.water_l, 0)),
        (
            "水车车次 Water-cart trips (cart_trips)",
            format!(
                "{} ({} L cart)",
                num(t.cart_trips as f64, 0),
                num(p.water_cart_l, 0)
            ),
        ),
        ("虫情巡查 Scouting visits", num(t.scouting_visits as f64, 0)),
        (
            "预计防治 Expected treatments",
            format!(
                "{} (rate {:.0} %)",
                num(t.expected_treatments, 1),
                100.0 * p.treatment_rate_default
            ),
        ),
        ("药液 Spray mix (spray_mix_l)", num(t.spray_mix_l, 0)),
        (
            "补植 Replanting: box groups / boxes",
            format!(
                "{} / {}",
                num(t.replanting_box_groups as f64, 0),
                num(t.replanting_boxes, 0)
            ),
        ),
        (
            "苗木 Seedlings (vs last year)",
            format!(
                "{} ({:.0} % of {})",
                num(t.seedlings, 0),
                t.seedlings_vs_last_year_pct,
                num(t.seedlings_last_year, 0)
            ),
        ),
    ]
}

/// Writes the self-contained HTML report; `charts` are the PNG files per plan (same order), and
/// `compare` the comparison chart.
pub fn write_html(
    path: &Path,
    plans: &[SeasonPlan],
    charts: &[Vec<PathBuf>],
    compare: Option<&Path>,
) -> anyhow::Result<()> {
    let Some(first) = plans.first() else {
        anyhow::bail!("no plan to report");
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>季节计划 Season plan — {site} {from}–{to}</title>\n<style>\nbody{{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;max-width:1200px;color:#222}}\ntable{{border-collapse:collapse;margin:.6em 0 1.4em}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}th{{background:#f2f2f2}}td:first-child,th:first-child{{text-align:left}}\ntr.over td{{background:#fde2e0}}img{{max-width:100%;border:1px solid #ddd;margin:.5em 0}}.note{{color:#666;font-size:.9em}}\n</style></head><body>\n",
        site = esc(&first.site),
        from = first.from,
        to = first.to
    );
    let _ = writeln!(
        h,
        "<h1>季节计划 Season plan</h1>\n<p>{} · {} – {} · {}</p>",
        esc(&first.site),
        first.from,
        first.to,
        plans
            .iter()
            .map(|p| esc(&p.scenario))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        h,
        "<p class=\"note\">预计任务，不写入任务表 Projected tasks: nothing is written to the task table. 能力 Capacity: {}.</p>",
        esc(&first.capacity_basis)
    );
    if plans.len() > 1 {
        h.push_str("<h2>情景对比 Scenario comparison</h2>\n");
        let mut head: Vec<String> = vec!["".into()];
        head.extend(plans.iter().map(|p| esc(&p.scenario)));
        let lines: Vec<Vec<(&str, String)>> = plans.iter().map(total_lines).collect();
        let mut rows: Vec<Vec<String>> = Vec::new();
        rows.push(
            std::iter::once("降雨 Rain in the period (mm)".to_string())
                .chain(plans.iter().map(|p| num(p.rain_mm, 0)))
                .collect(),
        );
        for (i, (label, _)) in lines[0].iter().enumerate() {
            rows.push(
                std::iter::once(label.to_string())
                    .chain(lines.iter().map(|l| l[i].1.clone()))
                    .collect(),
            );
        }
        let head_ref: Vec<&str> = head.iter().map(String::as_str).collect();
        table(&mut h, &head_ref, &rows, &[]);
        if let Some(c) = compare {
            img(&mut h, c, "weekly hours by scenario")?;
        }
    }
    for (p, files) in plans.iter().zip(charts) {
        let _ = writeln!(
            h,
            "<h2>情景 Scenario: {}</h2>\n<p class=\"note\">{} · rain {} mm, effective {} mm in the period</p>",
            esc(&p.scenario),
            esc(&p.weather),
            num(p.rain_mm, 0),
            num(p.peff_mm, 0)
        );
        h.push_str("<h3>季度合计 Season totals</h3>\n");
        let rows: Vec<Vec<String>> = total_lines(p)
            .into_iter()
            .map(|(l, v)| vec![l.to_string(), v])
            .collect();
        table(&mut h, &["", "value"], &rows, &[]);
        if let Some(w) = &p.worst_week {
            let _ = writeln!(
                h,
                "<h3>最忙的一周 Worst week</h3>\n<p>{} (from {}): crew <b>{}</b>, {} h of {} h capacity ({:.0} %)</p>",
                esc(&w.week),
                w.week_start,
                esc(&w.crew),
                num(w.hours, 1),
                num(w.capacity_hours, 0),
                w.load_pct
            );
        }
        h.push_str("<h3>班组工时 Crew hours by week</h3>\n");
        if let Some(f) = files.first() {
            img(&mut h, f, "crew hours by week")?;
        }
        let over: Vec<&super::CrewWeek> = p.weekly.crews.iter().filter(|c| c.overloaded).collect();
        if over.is_empty() {
            h.push_str("<p>没有超负荷的周 No crew is overloaded in any week.</p>\n");
        } else {
            h.push_str("<h4>超负荷的周 Overloaded weeks</h4>\n");
            let rows: Vec<Vec<String>> = over
                .iter()
                .map(|c| {
                    vec![
                        c.week.clone(),
                        c.crew.clone(),
                        num(c.hours, 1),
                        num(c.capacity_hours, 0),
                        num(c.levelled_hours, 1),
                        if c.overloaded_after_levelling {
                            "still over".into()
                        } else {
                            "fits".into()
                        },
                    ]
                })
                .collect();
            let flags: Vec<bool> = over.iter().map(|c| c.overloaded_after_levelling).collect();
            table(
                &mut h,
                &[
                    "周 week",
                    "班组 crew",
                    "hours",
                    "capacity_hours",
                    "levelled_hours",
                    "after levelling",
                ],
                &rows,
                &flags,
            );
        }
        h.push_str("<h3>调峰建议 Levelling suggestion</h3>\n<p class=\"note\">Flexible tasks (window of 7 days or more) moved from an overloaded week to the nearest later week inside their window with spare hours.</p>\n");
        if p.weekly.levelling.is_empty() {
            h.push_str("<p>无需调整 Nothing to move.</p>\n");
        } else {
            let rows: Vec<Vec<String>> = p
                .weekly
                .levelling
                .iter()
                .map(|m| {
                    vec![
                        m.crew.clone(),
                        m.rule_id.clone(),
                        m.task_type.clone(),
                        m.from_week.clone(),
                        m.to_week.clone(),
                        m.tasks.to_string(),
                        num(m.hours, 1),
                    ]
                })
                .collect();
            table(
                &mut h,
                &[
                    "班组 crew",
                    "规则 rule",
                    "类型 type",
                    "from",
                    "to",
                    "tasks",
                    "hours",
                ],
                &rows,
                &[],
            );
        }
        h.push_str("<h3>用水 Water</h3>\n");
        if let Some(f) = files.get(1) {
            img(&mut h, f, "water by week")?;
        }
        let rows: Vec<Vec<String>> = p
            .weekly
            .water_monthly
            .iter()
            .map(|m| vec![m.month.clone(), m.waterings.to_string(), num(m.water_l, 0)])
            .collect();
        table(&mut h, &["月 month", "waterings", "water_l"], &rows, &[]);
        let mut zones: std::collections::BTreeMap<&str, (usize, f64, u64)> = Default::default();
        for w in &p.weekly.water {
            let e = zones.entry(w.zone.as_str()).or_default();
            e.0 += w.waterings;
            e.1 += w.water_l;
            e.2 += w.cart_trips;
        }
        let rows: Vec<Vec<String>> = zones
            .iter()
            .map(|(z, (n, l, t))| vec![z.to_string(), n.to_string(), num(*l, 0), t.to_string()])
            .collect();
        table(
            &mut h,
            &["片区 zone", "waterings", "water_l", "cart_trips"],
            &rows,
            &[],
        );
        h.push_str("<h3>病虫害 Pest scouting and expected treatments</h3>\n");
        let rows: Vec<Vec<String>> = p
            .weekly
            .pests
            .iter()
            .map(|r| {
                vec![
                    r.week.clone(),
                    r.pest.clone(),
                    r.product.clone(),
                    r.scouting_visits.to_string(),
                    num(r.expected_treatments, 1),
                    num(r.spray_mix_l, 0),
                ]
            })
            .collect();
        table(
            &mut h,
            &[
                "周 week",
                "害虫 pest",
                "药剂 product",
                "scouting_visits",
                "expected_treatments",
                "spray_mix_l",
            ],
            &rows,
            &[],
        );
        h.push_str("<h3>补植 Replanting</h3>\n");
        let rows: Vec<Vec<String>> = p
            .weekly
            .replanting
            .iter()
            .map(|r| {
                vec![
                    r.date.to_string(),
                    r.set.clone(),
                    r.rule_id.clone(),
                    r.box_groups.to_string(),
                    num(r.boxes, 0),
                    num(r.seedlings, 0),
                ]
            })
            .collect();
        table(
            &mut h,
            &[
                "日期 date",
                "批次 set",
                "规则 rule",
                "box_groups",
                "boxes",
                "seedlings",
            ],
            &rows,
            &[],
        );
        let _ = writeln!(
            h,
            "<p>本季苗木 Season's seedlings: <b>{}</b>, {:.0} % of last year's {}.</p>",
            num(p.totals.seedlings, 0),
            p.totals.seedlings_vs_last_year_pct,
            num(p.totals.seedlings_last_year, 0)
        );
    }
    h.push_str("</body></html>\n");
    std::fs::write(path, h).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(num(120000.0, 0), "120,000");
        assert_eq!(num(-1234.5, 1), "-1,234.5");
        assert_eq!(num(12.0, 0), "12");
    }
}
