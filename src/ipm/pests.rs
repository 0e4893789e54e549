//! The pest file (`schedules/<site>/pests.toml`): which pests the site watches, on which hosts,
//! when (a degree-day or calendar window), the action threshold, spraying hours and products.
//!
//! ```toml
//! [[pest]]
//! id = "asian_longhorned_beetle"
//! names = { latin = "Anoplophora glabripennis", zh = "光肩星天牛", en = "Asian longhorned beetle" }
//! stage = "adult emergence"            # optional, what the window is for
//! hosts = ["Populus", "Salix", "Ulmus"] # genera, or species ("Salix matsudana")
//! action_threshold = 2                 # severity 0-3 at or over which a treatment follows; default 2
//! spray_hours = "00:00-05:00"          # default 00:00-05:00; may wrap midnight
//! respray_rain_mm = 5.0                # default 5.0
//!
//! [pest.dd]                            # a degree-day window ...
//! base_c = 10.0
//! upper_c = 30.0                       # horizontal cutoff; default 30
//! method = "sine"                      # sine | average; default sine
//! biofix = "01-01"                     # MM-DD; default 01-01
//! window_dd = [350, 550]               # start and end, °C-days from the biofix
//! scouting_lead_dd = 30                # default 30
//!
//! # [pest.calendar]                    # ... or a calendar window
//! # window = "08-20..09-05"
//! # scouting_lead_days = 7             # default 7
//!
//! [[pest.product]]
//! name = "Thiacloprid 2% microcapsule suspension"
//! active_ingredient = "thiacloprid"
//! dose = "1:1000 dilution"
//! spray_mix_l_per_tree = 10.0
//! reentry_h = 24
//! estimate = true                      # default true: a placeholder for the office to replace
//! ```
//!
//! Errors name the file, the line, the pest and the field: `pests.toml: line 12: pest
//! 'elm_leaf_beetle': dd.window_dd: '[278, 222]' the start is after the end`.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use toml::Spanned;

use crate::model::{AssetRecord, KindData};
use crate::science::{DegreeDayMethod, DegreeDayModel};
use crate::site::SiteConfig;

/// The Barkhor pest file, built in so `observe` works from any folder.
pub const BARKHOR_PESTS_TOML: &str = include_str!("../../schedules/barkhor/pests.toml");
/// Where the Barkhor pest file lives in the project.
pub const BARKHOR_PESTS_PATH: &str = "schedules/barkhor/pests.toml";

/// Default horizontal cutoff, °C.
pub const DEFAULT_UPPER_C: f64 = 30.0;
/// Default scouting lead of a degree-day window, °C-days.
pub const DEFAULT_LEAD_DD: f64 = 30.0;
/// Default scouting lead of a calendar window, days.
pub const DEFAULT_LEAD_DAYS: u32 = 7;
/// Default action threshold on the 0–3 severity scale.
pub const DEFAULT_ACTION_THRESHOLD: u8 = 2;
/// Default rain on the night of a treatment that calls for a re-spray, mm.
pub const DEFAULT_RESPRAY_RAIN_MM: f64 = 5.0;
/// Default spraying hours (night, to avoid crowds).
pub const DEFAULT_SPRAY_HOURS: &str = "00:00-05:00";

/// A month and day, the same every year (`MM-DD`). 29 February is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthDay {
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

impl MonthDay {
    /// Parses `MM-DD`.
    pub fn parse(text: &str) -> Result<MonthDay, String> {
        let bad = || format!("'{text}' is not a month and day; expected MM-DD such as 08-20");
        let (m, d) = text.trim().split_once('-').ok_or_else(bad)?;
        let (month, day): (u32, u32) =
            (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        if (month, day) == (2, 29) {
            return Err(format!(
                "'{text}': 29 February is missing in most years; use 02-28 or 03-01"
            ));
        }
        // 2027 is not a leap year: every date valid in it is valid in every year.
        NaiveDate::from_ymd_opt(2027, month, day).ok_or_else(bad)?;
        Ok(MonthDay { month, day })
    }

    /// The date in `year`.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

impl std::fmt::Display for MonthDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// Hours of the day spraying is allowed; `to` before `from` wraps past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SprayHours {
    /// First allowed time.
    pub from: NaiveTime,
    /// End of the allowed time (exclusive).
    pub to: NaiveTime,
}

impl SprayHours {
    /// Parses `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Result<SprayHours, String> {
        let bad =
            || format!("'{text}' is not a time range; expected HH:MM-HH:MM such as 00:00-05:00");
        let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let hours = SprayHours {
            from: time(a)?,
            to: time(b)?,
        };
        if hours.from == hours.to {
            return Err(format!("'{text}': the range is empty"));
        }
        Ok(hours)
    }

    /// Whether `t` falls in the allowed hours.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from < self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }
}

impl std::fmt::Display for SprayHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}",
            self.from.format("%H:%M"),
            self.to.format("%H:%M")
        )
    }
}

/// A pest's names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PestNames {
    /// Scientific name.
    pub latin: String,
    /// Chinese name.
    #[serde(default)]
    pub zh: Option<String>,
    /// English name.
    #[serde(default)]
    pub en: Option<String>,
}

/// A degree-day window: accumulate from the biofix, open at `start_dd`, close at `end_dd`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DdWindow {
    /// Method and thresholds.
    pub model: DegreeDayModel,
    /// The day accumulation starts (included).
    pub biofix: MonthDay,
    /// °C-days at which the window opens.
    pub start_dd: f64,
    /// °C-days at which it closes.
    pub end_dd: f64,
    /// Scouting is due this many °C-days before the window opens.
    pub scouting_lead_dd: f64,
}

/// A calendar window, the same dates every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarWindow {
    /// First day of the window.
    pub opens: MonthDay,
    /// Last day of the window.
    pub closes: MonthDay,
    /// Scouting is due this many days before the window opens.
    pub scouting_lead_days: u32,
}

/// When a pest is due.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PestModel {
    /// Degree-days from a biofix.
    DegreeDays(DdWindow),
    /// Fixed dates.
    Calendar(CalendarWindow),
}

/// A product the crews may use against a pest.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Trade or common name.
    pub name: String,
    /// Active ingredient.
    pub active_ingredient: String,
    /// Dose as the crews mix it (e.g. `1:1000 dilution`).
    pub dose: String,
    /// Litres of spray mix per tree.
    pub spray_mix_l_per_tree: Option<f64>,
    /// Re-entry interval, hours.
    pub reentry_h: Option<f64>,
    /// A placeholder figure for the office to replace.
    pub estimate: bool,
    /// Free note.
    pub note: Option<String>,
}

/// One pest the site watches.
#[derive(Debug, Clone, PartialEq)]
pub struct Pest {
    /// Short id used on the command line and in tasks (`willow_sawfly`).
    pub id: String,
    /// Names.
    pub names: PestNames,
    /// What the window is for (egg hatch, adult emergence ...).
    pub stage: Option<String>,
    /// Host genera or species.
    pub hosts: Vec<String>,
    /// When it is due.
    pub model: PestModel,
    /// Severity (0–3) at or over which a treatment follows a scouting visit.
    pub action_threshold: u8,
    /// When spraying is allowed.
    pub spray_hours: SprayHours,
    /// Rain on the night of a treatment at or above which it is sprayed again, mm.
    pub respray_rain_mm: f64,
    /// Products, first = preferred.
    pub products: Vec<Product>,
}

impl Pest {
    /// Whether a taxon is a host: a one-word host matches the genus (case-insensitive), a longer
    /// host matches a species name it starts (`Salix matsudana` matches `Salix matsudana
    /// 'Tortuosa'`).
    pub fn hosts_taxon(&self, genus: Option<&str>, species: Option<&str>) -> bool {
        let norm = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let species = species.map(norm);
        let genus = genus.map(norm).or_else(|| {
            species
                .as_deref()
                .and_then(|s| s.split(' ').next())
                .map(str::to_string)
        });
        self.hosts.iter().map(|h| norm(h)).any(|h| {
            if h.contains(' ') {
                species
                    .as_deref()
                    .is_some_and(|s| s == h || s.starts_with(&format!("{h} ")))
            } else {
                genus.as_deref() == Some(h.as_str())
            }
        })
    }

    /// Whether what grows on an asset is a host (trees and rows by species, boxes by planting,
    /// green areas by plant).
    pub fn hosts_asset(&self, asset: &AssetRecord) -> bool {
        match &asset.data {
            KindData::Tree(t) => self.hosts_taxon(
                t.species.genus_or_derived().as_deref(),
                t.species.latin.as_deref(),
            ),
            KindData::TreeRow { species, .. } => self.hosts_taxon(
                species.genus_or_derived().as_deref(),
                species.latin.as_deref(),
            ),
            KindData::FlowerBoxGroup(b) => self.hosts_taxon(None, b.planting.as_deref()),
            KindData::GreenArea { plant, .. } => self.hosts_taxon(None, plant.as_deref()),
            KindData::Park { .. } | KindData::WaterFeature { .. } => false,
        }
    }

    /// Whether an observed severity calls for a treatment.
    pub fn over_threshold(&self, severity: u8) -> bool {
        severity >= self.action_threshold
    }

    /// The English name, else the latin one.
    pub fn display_name(&self) -> &str {
        self.names.en.as_deref().unwrap_or(&self.names.latin)
    }
}

/// The pests of a site and where they were read from.
#[derive(Debug, Clone, PartialEq)]
pub struct PestList {
    /// In file order.
    pub pests: Vec<Pest>,
    /// The file, or `… (built in)`.
    pub source: String,
}

impl PestList {
    /// The pest with this id.
    pub fn get(&self, id: &str) -> Option<&Pest> {
        self.pests.iter().find(|p| p.id == id)
    }

    /// Every id, in file order.
    pub fn ids(&self) -> Vec<&str> {
        self.pests.iter().map(|p| p.id.as_str()).collect()
    }
}

/// A pest file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PestsError {
    /// The file could not be read.
    #[error("cannot read pest file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's complaint.
        source: std::io::Error,
    },
    /// The TOML is malformed or has an unknown or missing key.
    #[error("{path}: line {line}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// Line of the problem.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("{path}: line {line}: pest '{pest}': {field}: {reason}")]
    Field {
        /// The file.
        path: String,
        /// Line of the value.
        line: usize,
        /// The pest's id.
        pest: String,
        /// The field (`dd.window_dd`).
        field: String,
        /// What is wrong and what is expected, with the value found.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default, rename = "pest")]
    pests: Vec<RawPest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPest {
    id: Spanned<String>,
    names: PestNames,
    #[serde(default)]
    stage: Option<String>,
    hosts: Spanned<Vec<String>>,
    #[serde(default)]
    dd: Option<RawDd>,
    #[serde(default)]
    calendar: Option<RawCalendar>,
    #[serde(default)]
    action_threshold: Option<Spanned<i64>>,
    #[serde(default)]
    spray_hours: Option<Spanned<String>>,
    #[serde(default)]
    respray_rain_mm: Option<Spanned<f64>>,
    #[serde(default, rename = "product")]
    products: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDd {
    base_c: Spanned<f64>,
    #[serde(default)]
    upper_c: Option<Spanned<f64>>,
    #[serde(default)]
    method: Option<Spanned<String>>,
    #[serde(default)]
    biofix: Option<Spanned<String>>,
    window_dd: Spanned<Vec<f64>>,
    #[serde(default)]
    scouting_lead_dd: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    window: Spanned<String>,
    #[serde(default)]
    scouting_lead_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    name: Spanned<String>,
    active_ingredient: String,
    dose: String,
    #[serde(default)]
    spray_mix_l_per_tree: Option<Spanned<f64>>,
    #[serde(default)]
    reentry_h: Option<Spanned<f64>>,
    #[serde(default = "yes")]
    estimate: bool,
    #[serde(default)]
    note: Option<String>,
}

fn yes() -> bool {
    true
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// Checks one pest's values, naming the line of each bad one.
struct Checker<'a> {
    path: &'a str,
    text: &'a str,
    pest: String,
}

impl Checker<'_> {
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        reason: String,
    ) -> Result<T, PestsError> {
        Err(PestsError::Field {
            path: self.path.to_string(),
            line: line_of(self.text, span.start),
            pest: self.pest.clone(),
            field: field.to_string(),
            reason,
        })
    }

    fn range(
        &self,
        v: &Spanned<f64>,
        field: &str,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Result<f64, PestsError> {
        let x = *v.get_ref();
        if !x.is_finite() || x < min || x > max {
            return self.err(
                v.span(),
                field,
                format!("'{x}' is outside {min} to {max} {unit}"),
            );
        }
        Ok(x)
    }

    fn dd(&self, raw: &RawDd) -> Result<DdWindow, PestsError> {
        let lower_c = self.range(&raw.base_c, "dd.base_c", -10.0, 40.0, "°C")?;
        let upper_c = match &raw.upper_c {
            Some(u) => {
                let v = self.range(u, "dd.upper_c", -10.0, 60.0, "°C")?;
                if v <= lower_c {
                    return self.err(
                        u.span(),
                        "dd.upper_c",
                        format!("'{v}' must be above base_c {lower_c}"),
                    );
                }
                v
            }
            None => DEFAULT_UPPER_C.max(lower_c + 1.0),
        };
        let method = match raw
            .method
            .as_ref()
            .map(|m| (m.get_ref().as_str(), m.span()))
        {
            None | Some(("sine", _)) => DegreeDayMethod::SingleSine,
            Some(("average", _)) => DegreeDayMethod::SimpleAverage,
            Some((other, span)) => {
                return self.err(
                    span,
                    "dd.method",
                    format!("'{other}' is not a method; expected sine or average"),
                );
            }
        };
        let biofix = match &raw.biofix {
            Some(b) => {
                MonthDay::parse(b.get_ref()).or_else(|r| self.err(b.span(), "dd.biofix", r))?
            }
            None => MonthDay { month: 1, day: 1 },
        };
        let w = raw.window_dd.get_ref();
        let shown = format!("{w:?}");
        let [start_dd, end_dd] = w.as_slice() else {
            return self.err(
                raw.window_dd.span(),
                "dd.window_dd",
                format!("'{shown}' must be two numbers [start, end] in °C-days"),
            );
        };
        let (start_dd, end_dd) = (*start_dd, *end_dd);
        if !(start_dd.is_finite() && end_dd.is_finite()) || start_dd < 0.0 || end_dd > 10_000.0 {
            return self.err(
                raw.window_dd.span(),
                "dd.window_dd",
                format!("'{shown}' must lie between 0 and 10000 °C-days"),
            );
        }
        if start_dd >= end_dd {
            return self.err(
                raw.window_dd.span(),
                "dd.window_dd",
                format!("'{shown}' the start is not before the end"),
            );
        }
        let scouting_lead_dd = match &raw.scouting_lead_dd {
            Some(l) => self.range(l, "dd.scouting_lead_dd", 0.0, 1000.0, "°C-days")?,
            None => DEFAULT_LEAD_DD,
        };
        Ok(DdWindow {
            model: DegreeDayModel {
                method,
                lower_c,
                upper_c: Some(upper_c),
            },
            biofix,
            start_dd,
            end_dd,
            scouting_lead_dd,
        })
    }

    fn calendar(&self, raw: &RawCalendar) -> Result<CalendarWindow, PestsError> {
        let text = raw.window.get_ref();
        let Some((a, b)) = text.split_once("..") else {
            return self.err(
                raw.window.span(),
                "calendar.window",
                format!("'{text}' is not a window; expected MM-DD..MM-DD such as 08-20..09-05"),
            );
        };
        let opens =
            MonthDay::parse(a).or_else(|r| self.err(raw.window.span(), "calendar.window", r))?;
        let closes =
            MonthDay::parse(b).or_else(|r| self.err(raw.window.span(), "calendar.window", r))?;
        if closes < opens {
            return self.err(
                raw.window.span(),
                "calendar.window",
                format!("'{text}' closes before it opens; a window cannot run over the new year"),
            );
        }
        let scouting_lead_days = match &raw.scouting_lead_days {
            Some(l) => match u32::try_from(*l.get_ref()) {
                Ok(v) if v <= 90 => v,
                _ => {
                    return self.err(
                        l.span(),
                        "calendar.scouting_lead_days",
                        format!("'{}' is outside 0 to 90 days", l.get_ref()),
                    );
                }
            },
            None => DEFAULT_LEAD_DAYS,
        };
        Ok(CalendarWindow {
            opens,
            closes,
            scouting_lead_days,
        })
    }

    fn product(&self, raw: &RawProduct) -> Result<Product, PestsError> {
        if raw.name.get_ref().trim().is_empty() {
            return self.err(raw.name.span(), "product.name", "is empty".into());
        }
        let spray_mix_l_per_tree = raw
            .spray_mix_l_per_tree
            .as_ref()
            .map(|v| self.range(v, "product.spray_mix_l_per_tree", 0.0, 1000.0, "L"))
            .transpose()?;
        let reentry_h = raw
            .reentry_h
            .as_ref()
            .map(|v| self.range(v, "product.reentry_h", 0.0, 720.0, "hours"))
            .transpose()?;
        Ok(Product {
            name: raw.name.get_ref().trim().to_string(),
            active_ingredient: raw.active_ingredient.clone(),
            dose: raw.dose.clone(),
            spray_mix_l_per_tree,
            reentry_h,
            estimate: raw.estimate,
            note: raw.note.clone(),
        })
    }

    fn pest(&self, raw: RawPest) -> Result<Pest, PestsError> {
        let id_span = raw.id.span();
        let id = raw.id.into_inner();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return self.err(
                id_span,
                "id",
                format!("'{id}' must be lower-case letters, digits, '_' or '-'"),
            );
        }
        let hosts_span = raw.hosts.span();
        let hosts: Vec<String> = raw
            .hosts
            .into_inner()
            .into_iter()
            .map(|h| h.trim().to_string())
            .collect();
        if hosts.is_empty() || hosts.iter().any(String::is_empty) {
            return self.err(
                hosts_span,
                "hosts",
                "needs at least one genus or species, none empty".into(),
            );
        }
        let model = match (&raw.dd, &raw.calendar) {
            (Some(dd), None) => PestModel::DegreeDays(self.dd(dd)?),
            (None, Some(c)) => PestModel::Calendar(self.calendar(c)?),
            _ => {
                return self.err(id_span, "dd/calendar", "give exactly one of [pest.dd] (a degree-day window) or [pest.calendar] (a calendar window)".into());
            }
        };
        let action_threshold = match &raw.action_threshold {
            Some(t) => match u8::try_from(*t.get_ref()) {
                Ok(v) if v <= 3 => v,
                _ => {
                    return self.err(
                        t.span(),
                        "action_threshold",
                        format!("'{}' is outside the severity scale 0 to 3", t.get_ref()),
                    );
                }
            },
            None => DEFAULT_ACTION_THRESHOLD,
        };
        let spray_hours = match &raw.spray_hours {
            Some(h) => {
                SprayHours::parse(h.get_ref()).or_else(|r| self.err(h.span(), "spray_hours", r))?
            }
            None => SprayHours::parse(DEFAULT_SPRAY_HOURS).expect("the default parses"),
        };
        let respray_rain_mm = match &raw.respray_rain_mm {
            Some(r) => self.range(r, "respray_rain_mm", 0.0, 500.0, "mm")?,
            None => DEFAULT_RESPRAY_RAIN_MM,
        };
        let products = raw
            .products
            .iter()
            .map(|p| self.product(p))
            .collect::<Result<_, _>>()?;
        Ok(Pest {
            id,
            names: raw.names,
            stage: raw.stage,
            hosts,
            model,
            action_threshold,
            spray_hours,
            respray_rain_mm,
            products,
        })
    }
}

/// Parses a pest file; `path` names it in messages and in [`PestList::source`].
pub fn parse_pests(path: &str, text: &str) -> Result<PestList, PestsError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| PestsError::Syntax {
        path: path.to_string(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().trim_end().to_string(),
    })?;
    let mut pests: Vec<Pest> = Vec::new();
    for p in raw.pests {
        let checker = Checker {
            path,
            text,
            pest: p.id.get_ref().clone(),
        };
        let span = p.id.span();
        let pest = checker.pest(p)?;
        if pests.iter().any(|q| q.id == pest.id) {
            return checker.err(
                span,
                "id",
                format!("'{}' is used by an earlier pest", pest.id),
            );
        }
        pests.push(pest);
    }
    Ok(PestList {
        pests,
        source: path.to_string(),
    })
}

/// Reads and parses a pest file.
pub fn load_pests(path: &Path) -> Result<PestList, PestsError> {
    let text = std::fs::read_to_string(path).map_err(|source| PestsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_pests(&path.display().to_string(), &text)
}

/// The built-in Barkhor pest file.
pub fn embedded_barkhor_pests() -> PestList {
    parse_pests(
        &format!("{BARKHOR_PESTS_PATH} (built in)"),
        BARKHOR_PESTS_TOML,
    )
    .expect("the built-in pest file is valid (tested)")
}

/// The site's pest file: `pests.toml` in the site's schedules folder, else
/// `schedules/barkhor/pests.toml`, both relative to the current folder, else the built-in copy.
/// A file that exists but is broken is an error, never silently replaced.
pub fn pests_for_site(site: &SiteConfig) -> Result<PestList, PestsError> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = &site.site.schedules {
        candidates.push(site.resolve(dir).join("pests.toml"));
        candidates.push(Path::new(dir).join("pests.toml"));
    }
    candidates.push(PathBuf::from(BARKHOR_PESTS_PATH));
    match candidates.into_iter().find(|p| p.is_file()) {
        Some(p) => load_pests(&p),
        None => Ok(embedded_barkhor_pests()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[pest]]
id = "elm_leaf_beetle"
names = { latin = "Xanthogaleruca aenescens", zh = "榆蓝叶甲" }
hosts = ["Ulmus"]

[pest.dd]
base_c = 10
window_dd = [222, 278]
"#;

    #[test]
    fn defaults_fill_what_the_file_leaves_out() {
        let list = parse_pests("p.toml", ONE).unwrap();
        let p = &list.pests[0];
        assert_eq!(p.action_threshold, 2);
        assert_eq!(p.spray_hours.to_string(), "00:00-05:00");
        assert_eq!(p.respray_rain_mm, 5.0);
        let PestModel::DegreeDays(w) = p.model else {
            panic!("a dd model")
        };
        assert_eq!(w.model.upper_c, Some(30.0));
        assert_eq!(w.model.method, DegreeDayMethod::SingleSine);
        assert_eq!(w.biofix, MonthDay { month: 1, day: 1 });
        assert_eq!(
            (w.start_dd, w.end_dd, w.scouting_lead_dd),
            (222.0, 278.0, 30.0)
        );
    }

    #[test]
    fn errors_name_file_line_pest_and_field() {
        let check = |from: &str, to: &str, want: &str| {
            let text = ONE.replace(from, to);
            let e = parse_pests("p.toml", &text).unwrap_err().to_string();
            assert_eq!(e, want, "{from} -> {to}");
        };
        check(
            "[222, 278]",
            "[278, 222]",
            "p.toml: line 9: pest 'elm_leaf_beetle': dd.window_dd: '[278.0, 222.0]' the start is not before the end",
        );
        check(
            "base_c = 10",
            "base_c = 10\nupper_c = 8",
            "p.toml: line 9: pest 'elm_leaf_beetle': dd.upper_c: '8' must be above base_c 10",
        );
        check(
            "base_c = 10",
            "base_c = 10\nbiofix = \"02-29\"",
            "p.toml: line 9: pest 'elm_leaf_beetle': dd.biofix: '02-29': 29 February is missing in most years; use 02-28 or 03-01",
        );
        check(
            "base_c = 10",
            "base_c = 10\nmethod = \"triangle\"",
            "p.toml: line 9: pest 'elm_leaf_beetle': dd.method: 'triangle' is not a method; expected sine or average",
        );
        check(
            "hosts = [\"Ulmus\"]",
            "hosts = []",
            "p.toml: line 5: pest 'elm_leaf_beetle': hosts: needs at least one genus or species, none empty",
        );
        check(
            "hosts = [\"Ulmus\"]",
            "hosts = [\"Ulmus\"]\naction_threshold = 4",
            "p.toml: line 6: pest 'elm_leaf_beetle': action_threshold: '4' is outside the severity scale 0 to 3",
        );
        check(
            "hosts = [\"Ulmus\"]",
            "hosts = [\"Ulmus\"]\nspray_hours = \"night\"",
            "p.toml: line 6: pest 'elm_leaf_beetle': spray_hours: 'night' is not a time range; expected HH:MM-HH:MM such as 00:00-05:00",
        );
        check(
            "[pest.dd]",
            "[pest.calendar]\nwindow = \"08-20..09-05\"\n[pest.dd]",
            "p.toml: line 3: pest 'elm_leaf_beetle': dd/calendar: give exactly one of [pest.dd] (a degree-day window) or [pest.calendar] (a calendar window)",
        );
        let e = parse_pests("p.toml", &ONE.replace("hosts", "host"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p.toml: line 5: unknown field `host`"), "{e}");
        let e = parse_pests("p.toml", &format!("{ONE}\n{ONE}"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "p.toml: line 13: pest 'elm_leaf_beetle': id: 'elm_leaf_beetle' is used by an earlier pest"
        );
    }

    #[test]
    fn calendar_windows_and_spray_hours() {
        let text = ONE.replace(
            "[pest.dd]\nbase_c = 10\nwindow_dd = [222, 278]",
            "[pest.calendar]\nwindow = \"09-05..08-20\"",
        );
        let e = parse_pests("p.toml", &text).unwrap_err().to_string();
        assert!(
            e.contains("calendar.window: '09-05..08-20' closes before it opens"),
            "{e}"
        );
        let h = SprayHours::parse("22:00-04:30").unwrap();
        assert!(h.contains(NaiveTime::from_hms_opt(23, 0, 0).unwrap()));
        assert!(h.contains(NaiveTime::from_hms_opt(3, 0, 0).unwrap()));
        assert!(!h.contains(NaiveTime::from_hms_opt(4, 30, 0).unwrap()));
        assert!(!h.contains(NaiveTime::from_hms_opt(12, 0, 0).unwrap()));
        assert_eq!(
            MonthDay::parse("13-01").unwrap_err(),
            "'13-01' is not a month and day; expected MM-DD such as 08-20"
        );
    }

    #[test]
    fn hosts_match_genus_or_species() {
        let mut p = parse_pests("p.toml", ONE).unwrap().pests.remove(0);
        p.hosts = vec!["Ulmus".into(), "Salix matsudana".into()];
        assert!(p.hosts_taxon(Some("ulmus"), None));
        assert!(p.hosts_taxon(None, Some("Ulmus pumila")));
        assert!(p.hosts_taxon(None, Some("Salix  matsudana")));
        assert!(p.hosts_taxon(Some("Salix"), Some("Salix matsudana 'Tortuosa'")));
        assert!(!p.hosts_taxon(Some("Salix"), Some("Salix babylonica")));
        assert!(!p.hosts_taxon(None, Some("Salix matsudanaX")));
        assert!(!p.hosts_taxon(None, None));
    }
}
