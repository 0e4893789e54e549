//! A crew's day list in walking order, and its renderings: table, CSV, JSON, iCalendar, HTML.
//!
//! CSV columns and JSON fields are stable (documented in the README). Times carry the site's
//! offset; the ICS uses the site's IANA zone as TZID with a VTIMEZONE for the day.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::record::{Crew, TaskRecord};
use super::route::walking_order;
use crate::model::AssetRecord;

/// One stop of the walk: an asset and its tasks.
#[derive(Debug, Clone)]
pub struct Stop {
    pub asset: AssetRecord,
    pub tasks: Vec<TaskRecord>,
}

/// A crew's day.
#[derive(Debug, Clone)]
pub struct DayList {
    pub crew: Crew,
    pub date: NaiveDate,
    pub tz: Tz,
    pub stops: Vec<Stop>,
    pub distance_m: f64,
    /// Work minutes (walking time not included).
    pub work_minutes: f64,
}

/// Orders a crew's tasks into a walk. Tasks of one asset (a box group, a tree row) form one stop.
pub fn build(
    crew: &Crew,
    date: NaiveDate,
    tz: Tz,
    tasks: Vec<TaskRecord>,
    assets: &BTreeMap<i64, AssetRecord>,
) -> DayList {
    let mut by_asset: BTreeMap<i64, Vec<TaskRecord>> = BTreeMap::new();
    for t in tasks {
        by_asset.entry(t.asset_id).or_default().push(t);
    }
    let stops: Vec<Stop> = by_asset
        .into_iter()
        .filter_map(|(id, mut tasks)| {
            tasks.sort_by(|a, b| a.due_at.cmp(&b.due_at).then(a.id.cmp(&b.id)));
            assets.get(&id).map(|a| Stop {
                asset: a.clone(),
                tasks,
            })
        })
        .collect();
    let points: Vec<(f64, f64)> = stops.iter().map(|s| s.asset.anchor()).collect();
    let (order, distance_m) = walking_order((crew.start_lon, crew.start_lat), &points);
    let mut slots: Vec<Option<Stop>> = stops.into_iter().map(Some).collect();
    let stops: Vec<Stop> = order.into_iter().filter_map(|i| slots[i].take()).collect();
    let work_minutes = stops.iter().flat_map(|s| &s.tasks).map(|t| t.minutes).sum();
    DayList {
        crew: crew.clone(),
        date,
        tz,
        stops,
        distance_m,
        work_minutes,
    }
}

/// Walking speed used for the day's time estimate, metres per minute (4 km/h).
pub const WALK_M_PER_MIN: f64 = 4000.0 / 60.0;

impl DayList {
    pub fn task_count(&self) -> usize {
        self.stops.iter().map(|s| s.tasks.len()).sum()
    }

    /// Work plus walking, hours.
    pub fn estimated_hours(&self) -> f64 {
        (self.work_minutes + self.distance_m / WALK_M_PER_MIN) / 60.0
    }

    /// Tasks in walking order with their planned start times: the day starts at the earliest due
    /// time (07:00 when there is none), then walks and work follow one another.
    pub fn timeline(&self) -> Vec<(usize, &Stop, &TaskRecord, DateTime<FixedOffset>)> {
        let start = self
            .stops
            .iter()
            .flat_map(|s| &s.tasks)
            .map(|t| t.due_at)
            .min()
            .unwrap_or_else(|| {
                let d = self.date.and_hms_opt(7, 0, 0).expect("valid");
                self.tz
                    .from_local_datetime(&d)
                    .earliest()
                    .expect("a valid local time")
                    .fixed_offset()
            });
        let mut clock = start;
        let mut prev = (self.crew.start_lon, self.crew.start_lat);
        let mut out = Vec::new();
        let mut n = 0;
        for s in &self.stops {
            let here = s.asset.anchor();
            let walk = crate::model::geometry::haversine_m(prev, here) / WALK_M_PER_MIN;
            clock += Duration::seconds((walk * 60.0).round() as i64);
            prev = here;
            for t in &s.tasks {
                n += 1;
                out.push((n, s, t, clock));
                clock += Duration::seconds((t.minutes * 60.0).round() as i64);
            }
        }
        out
    }
}

fn detail_field(t: &TaskRecord, key: &str) -> Option<Value> {
    t.detail
        .as_deref()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|v| v.get(key).cloned())
}

/// Litres to apply, where the task knows them.
fn litres(t: &TaskRecord) -> Option<f64> {
    detail_field(t, "water_l").and_then(|v| v.as_f64())
}

fn product(t: &TaskRecord) -> Option<String> {
    detail_field(t, "product").and_then(|v| v.as_str().map(str::to_string))
}

fn street(a: &AssetRecord) -> String {
    a.tags
        .get("addr:street")
        .or_else(|| a.tags.get("street"))
        .cloned()
        .unwrap_or_default()
}

/// Plain text table.
pub fn to_table(d: &DayList) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "crew {} — {} — {} task(s) at {} stop(s), {:.0} m walk, about {:.1} h",
        d.crew.name,
        d.date,
        d.task_count(),
        d.stops.len(),
        d.distance_m,
        d.estimated_hours()
    );
    let _ = writeln!(
        s,
        "{:>3} {:>6} {:<5} {:<14} {:<17} {:<18} {:<20} {:>5} {:<8} WHERE",
        "#", "TASK", "START", "REF", "KIND", "TYPE", "ZONE", "MIN", "LITRES"
    );
    for (n, stop, t, at) in d.timeline() {
        let (lon, lat) = stop.asset.anchor();
        let _ = writeln!(
            s,
            "{:>3} {:>6} {:<5} {:<14} {:<17} {:<18} {:<20} {:>5.0} {:<8} {:.6},{:.6}{}",
            n,
            t.id,
            at.format("%H:%M"),
            stop.asset.asset_ref,
            stop.asset.kind().as_str(),
            t.task_type,
            stop.asset.zone.as_deref().unwrap_or(""),
            t.minutes,
            litres(t)
                .map(|l| format!("{l:.1}"))
                .or_else(|| product(t))
                .unwrap_or_default(),
            lon,
            lat,
            if street(&stop.asset).is_empty() {
                String::new()
            } else {
                format!(" {}", street(&stop.asset))
            }
        );
    }
    s
}

/// CSV columns of `tasks list --format csv`, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "seq",
    "task_id",
    "crew",
    "date",
    "start",
    "ref",
    "kind",
    "task_type",
    "zone",
    "street",
    "lon",
    "lat",
    "minutes",
    "water_l",
    "product",
    "priority",
    "due_at",
    "deadline_at",
    "state",
    "note",
];

pub fn to_csv(d: &DayList) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for (n, stop, t, at) in d.timeline() {
        let (lon, lat) = stop.asset.anchor();
        w.write_record([
            n.to_string(),
            t.id.to_string(),
            d.crew.name.clone(),
            d.date.to_string(),
            at.to_rfc3339(),
            stop.asset.asset_ref.clone(),
            stop.asset.kind().as_str().to_string(),
            t.task_type.clone(),
            stop.asset.zone.clone().unwrap_or_default(),
            street(&stop.asset),
            format!("{lon:.7}"),
            format!("{lat:.7}"),
            format!("{}", t.minutes),
            litres(t).map(|l| format!("{l:.1}")).unwrap_or_default(),
            product(t).unwrap_or_default(),
            t.priority.to_string(),
            t.due_at.to_rfc3339(),
            t.deadline_at.to_rfc3339(),
            t.state.as_str().to_string(),
            t.note.clone().unwrap_or_default(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

pub fn to_json(d: &DayList) -> Value {
    let tasks: Vec<Value> = d
        .timeline()
        .into_iter()
        .map(|(n, stop, t, at)| {
            let (lon, lat) = stop.asset.anchor();
            json!({
                "seq": n, "task_id": t.id, "start": at.to_rfc3339(), "ref": stop.asset.asset_ref,
                "kind": stop.asset.kind().as_str(), "task_type": t.task_type,
                "zone": stop.asset.zone, "street": street(&stop.asset),
                "lon": (lon * 1e7).round() / 1e7, "lat": (lat * 1e7).round() / 1e7,
                "minutes": t.minutes, "water_l": litres(t), "product": product(t), "priority": t.priority,
                "due_at": t.due_at.to_rfc3339(), "deadline_at": t.deadline_at.to_rfc3339(),
                "state": t.state.as_str(), "note": t.note,
            })
        })
        .collect();
    json!({
        "crew": d.crew.name, "date": d.date.to_string(), "timezone": d.tz.name(),
        "task_count": d.task_count(), "stops": d.stops.len(),
        "distance_m": d.distance_m.round(), "work_minutes": d.work_minutes,
        "estimated_hours": (d.estimated_hours() * 100.0).round() / 100.0, "tasks": tasks,
    })
}

fn ics_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut count = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if count + len > 75 {
            out.push_str("\r\n ");
            count = 1;
        }
        out.push(ch);
        count += len;
    }
    out.push_str("\r\n");
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// iCalendar feed: one VEVENT per task, stable UIDs, times in the site zone.
pub fn to_ics(d: &DayList, site: &str) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//greenward//crew day list//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!(
            "X-WR-CALNAME:{}",
            ics_escape(&format!("{} {} {}", site, d.crew.name, d.date))
        ),
    ];
    // The zone's offset on this day (a day list spans one day).
    let noon = d.date.and_hms_opt(12, 0, 0).expect("valid");
    let off = d.tz.offset_from_utc_datetime(&noon).fix().local_minus_utc();
    lines.extend([
        "BEGIN:VTIMEZONE".into(),
        format!("TZID:{}", d.tz.name()),
        "BEGIN:STANDARD".into(),
        "DTSTART:19700101T000000".into(),
        format!("TZOFFSETFROM:{}", offset_text(off)),
        format!("TZOFFSETTO:{}", offset_text(off)),
        "END:STANDARD".into(),
        "END:VTIMEZONE".into(),
    ]);
    let stamp = d
        .date
        .and_hms_opt(0, 0, 0)
        .expect("valid")
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    for (n, stop, t, at) in d.timeline() {
        let local = at.with_timezone(&d.tz);
        let end = local + Duration::seconds((t.minutes * 60.0).round() as i64);
        let (lon, lat) = stop.asset.anchor();
        let mut desc = format!(
            "{} {} ({}), zone {}",
            t.task_type,
            stop.asset.asset_ref,
            stop.asset.kind(),
            stop.asset.zone.as_deref().unwrap_or("-")
        );
        if let Some(l) = litres(t) {
            let _ = write!(desc, ", {l:.1} L");
        }
        if let Some(p) = product(t) {
            let _ = write!(desc, ", product {p}");
        }
        if let Some(note) = &t.note {
            let _ = write!(desc, "\n{note}");
        }
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:task-{}@greenward", t.id),
            format!("DTSTAMP:{stamp}"),
            format!(
                "DTSTART;TZID={}:{}",
                d.tz.name(),
                local.format("%Y%m%dT%H%M%S")
            ),
            format!("DTEND;TZID={}:{}", d.tz.name(), end.format("%Y%m%dT%H%M%S")),
            format!(
                "SUMMARY:{}",
                ics_escape(&format!("{n}. {} {}", t.task_type, stop.asset.asset_ref))
            ),
            format!("DESCRIPTION:{}", ics_escape(&desc)),
            format!(
                "LOCATION:{}",
                ics_escape(&format!(
                    "{} {lat:.6},{lon:.6}",
                    stop.asset.zone.as_deref().unwrap_or("")
                ))
            ),
            format!("GEO:{lat:.6};{lon:.6}"),
            format!("PRIORITY:{}", t.priority),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        fold(&l, &mut out);
    }
    out
}

/// Labels of the printed list in Chinese and English.
fn label(key: &str, zh: bool) -> String {
    let (cn, en) = match key {
        "title" => ("班组日任务单", "Crew day list"),
        "crew" => ("班组", "Crew"),
        "date" => ("日期", "Date"),
        "tasks" => ("任务", "Tasks"),
        "distance" => ("步行距离", "Walk"),
        "hours" => ("预计工时", "Est. hours"),
        "start" => ("开始", "Start"),
        "ref" => ("编号", "Ref"),
        "kind" => ("类型", "Kind"),
        "type" => ("作业", "Work"),
        "zone" => ("区域", "Zone"),
        "where" => ("位置", "Where"),
        "minutes" => ("分钟", "Min"),
        "amount" => ("水量/药剂", "Litres/product"),
        "done" => ("完成", "Done"),
        _ => ("", ""),
    };
    if zh {
        format!("{cn} {en}")
    } else {
        format!("{en} {cn}")
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Printable A4 list, 25 tasks a page, labels in both languages (`zh` puts Chinese first).
pub fn to_html(d: &DayList, zh: bool) -> String {
    const PER_PAGE: usize = 25;
    let l = |k: &str| html_escape(&label(k, zh));
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {} {}</title>\n<style>\n@page {{ size: A4; margin: 12mm; }}\nbody {{ font-family: \"Noto Sans CJK SC\", \"WenQuanYi Micro Hei\", sans-serif; font-size: 9pt; }}\ntable {{ border-collapse: collapse; width: 100%; }}\nth, td {{ border: 1px solid #999; padding: 2px 4px; text-align: left; }}\n.page {{ page-break-after: always; }}\n.page:last-child {{ page-break-after: auto; }}\n.box {{ width: 12px; height: 12px; border: 1px solid #000; display: inline-block; }}\n</style></head><body>\n",
        if zh { "zh" } else { "en" },
        l("title"),
        html_escape(&d.crew.name),
        d.date
    );
    let rows = d.timeline();
    let pages = rows.len().div_ceil(PER_PAGE).max(1);
    for p in 0..pages {
        let _ = write!(
            s,
            "<section class=\"page\"><h1>{}</h1><p>{}: {} · {}: {} · {}: {} · {}: {:.0} m · {}: {:.1} · {}/{}</p>\n<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
            l("title"),
            l("crew"),
            html_escape(&d.crew.name),
            l("date"),
            d.date,
            l("tasks"),
            d.task_count(),
            l("distance"),
            d.distance_m,
            l("hours"),
            d.estimated_hours(),
            p + 1,
            pages,
            l("start"),
            l("ref"),
            l("kind"),
            l("type"),
            l("zone"),
            l("where"),
            l("minutes"),
            l("amount"),
            l("done")
        );
        for (n, stop, t, at) in rows.iter().skip(p * PER_PAGE).take(PER_PAGE) {
            let (lon, lat) = stop.asset.anchor();
            let amount = litres(t)
                .map(|v| format!("{v:.1} L"))
                .or_else(|| product(t))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "<tr><td>{n}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{lat:.5}, {lon:.5}</td><td>{:.0}</td><td>{}</td><td><span class=\"box\"></span></td></tr>",
                at.format("%H:%M"),
                html_escape(&stop.asset.asset_ref),
                stop.asset.kind().as_str(),
                html_escape(&t.task_type),
                html_escape(stop.asset.zone.as_deref().unwrap_or("")),
                t.minutes,
                html_escape(&amount)
            );
        }
        s.push_str("</tbody></table></section>\n");
    }
    s.push_str("</body></html>\n");
    s
}
