//! Maintenance rules: their types and the TOML rule-file format (`schedules/<site>/*.toml`).
//!
//! A file holds an optional `custom_task_types = ["..."]` and one or more `[[rule]]` tables. A
//! file with any bad rule is refused as a whole; the error names the file, the line, the field
//! and the bad value, and says what to write instead.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta};
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use super::blackout::apply_blackouts;
use super::cron::CronSchedule;
pub use super::rule_error::RuleError;
use super::season::{Season, TimeWindow, Unit, parse_duration};
use super::trigger::{Trigger, next_interval_due};
use crate::model::kinds::{AssetKind, Condition, SiteState};

/// The kind of work a rule creates. Built-in types have default grace periods; others must be
/// declared in the file's `custom_task_types`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskType {
    Watering,
    PestScouting,
    PestTreatment,
    Pruning,
    Inspection,
    Replanting,
    Cleaning,
    WinterIrrigation,
    Whitewashing,
    Removal,
    Sanitation,
    /// A type declared in `custom_task_types`.
    Custom(String),
}

impl TaskType {
    /// The built-in types.
    pub const BUILTIN: &'static [TaskType] = &[
        TaskType::Watering,
        TaskType::PestScouting,
        TaskType::PestTreatment,
        TaskType::Pruning,
        TaskType::Inspection,
        TaskType::Replanting,
        TaskType::Cleaning,
        TaskType::WinterIrrigation,
        TaskType::Whitewashing,
        TaskType::Removal,
        TaskType::Sanitation,
    ];

    /// The text form used in rule files (`pest_scouting`).
    pub fn as_str(&self) -> &str {
        match self {
            TaskType::Watering => "watering",
            TaskType::PestScouting => "pest_scouting",
            TaskType::PestTreatment => "pest_treatment",
            TaskType::Pruning => "pruning",
            TaskType::Inspection => "inspection",
            TaskType::Replanting => "replanting",
            TaskType::Cleaning => "cleaning",
            TaskType::WinterIrrigation => "winter_irrigation",
            TaskType::Whitewashing => "whitewashing",
            TaskType::Removal => "removal",
            TaskType::Sanitation => "sanitation",
            TaskType::Custom(name) => name,
        }
    }

    /// How late a task of this type may be done before it counts as overdue, when the rule
    /// gives no `grace`.
    pub fn default_grace(&self) -> TimeDelta {
        TimeDelta::days(match self {
            TaskType::Watering | TaskType::PestTreatment | TaskType::Sanitation => 1,
            TaskType::Cleaning => 2,
            TaskType::PestScouting | TaskType::Custom(_) => 3,
            TaskType::Inspection
            | TaskType::Replanting
            | TaskType::WinterIrrigation
            | TaskType::Removal => 7,
            TaskType::Whitewashing => 14,
            TaskType::Pruning => 30,
        })
    }
}

impl fmt::Display for TaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `minutes_per_asset` counts: each selected asset, each box of a box group, or each tree
/// of a tree row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Per {
    #[default]
    Asset,
    Box,
    Tree,
}

/// Which assets a rule applies to. Every non-empty list must match (AND between fields, OR
/// within a list); an empty list matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Asset kinds (at least one).
    pub kinds: Vec<AssetKind>,
    /// Scientific species names.
    pub species: Vec<String>,
    /// Genera.
    pub genus: Vec<String>,
    /// Zone names.
    pub zones: Vec<String>,
    /// Tags that must all be present with these values.
    pub tags: BTreeMap<String, String>,
    /// Tree conditions.
    pub condition: Vec<Condition>,
    /// Planting-site states.
    pub site_state: Vec<SiteState>,
    /// `Some(true)`: heritage trees only; `Some(false)`: non-heritage only.
    pub heritage: Option<bool>,
}

/// One maintenance rule from a rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Unique within the file.
    pub id: String,
    /// The kind of work.
    pub task: TaskType,
    /// Which assets.
    pub select: Selector,
    /// When it is due.
    pub trigger: Trigger,
    /// Part of the year it applies in; `None` is all year.
    pub season: Option<Season>,
    /// Allowed time of day; `None` is any time.
    pub window: Option<TimeWindow>,
    /// Whether the site's blackout days apply (default true).
    pub blackouts: bool,
    /// Work minutes per counted unit (see `per`).
    pub minutes_per_asset: f64,
    /// What the minutes count.
    pub per: Per,
    /// Skill a crew member needs, if any.
    pub skill: Option<String>,
    /// 1 highest .. 5 lowest (default 3).
    pub priority: u8,
    /// How late the work may be done before it is overdue.
    pub grace: TimeDelta,
    /// Whether `minutes_per_asset` is an engineering estimate.
    pub estimate: bool,
    /// At most one open task per asset: a new occurrence is not created while an earlier task of
    /// the rule is still open for that asset (work that stays needed until done, like removing a
    /// dead tree).
    pub single_open: bool,
    /// Free text.
    pub note: Option<String>,
    /// Line of the rule's `id` in its file.
    pub line: usize,
}

impl Rule {
    /// Cron occurrences in `[from, to)` (zone of `from`) whose local date lies in the season;
    /// empty for other triggers. Parsing has checked that every cron time lies in the window.
    pub fn cron_occurrences(&self, from: &DateTime<Tz>, to: &DateTime<Tz>) -> Vec<DateTime<Tz>> {
        let schedule = match &self.trigger {
            Trigger::Cron { schedule, .. } | Trigger::WaterNeed { schedule, .. } => schedule,
            _ => return Vec::new(),
        };
        schedule
            .between(from, to)
            .into_iter()
            .filter(|t| self.in_season(t.date_naive()))
            .collect()
    }

    /// [`Rule::cron_occurrences`] with the blackout move applied when `blackouts` is on; two
    /// occurrences moved onto the same time count once. A moved occurrence may leave the season.
    pub fn due_times(
        &self,
        from: &DateTime<Tz>,
        to: &DateTime<Tz>,
        blackouts: &[(NaiveDate, NaiveDate)],
    ) -> Vec<DateTime<Tz>> {
        let mut out = self.cron_occurrences(from, to);
        if self.blackouts {
            out = out
                .into_iter()
                .map(|t| apply_blackouts(t, blackouts))
                .collect();
            out.dedup();
        }
        out
    }

    /// Next due date of an interval rule (last completion + every, else `start`, else `today`),
    /// moved to the season's next first day when it falls outside; `None` for other triggers.
    pub fn next_interval_due(
        &self,
        last_completion: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<NaiveDate> {
        let Trigger::Interval { every, start } = &self.trigger else {
            return None;
        };
        let due = next_interval_due(*every, *start, last_completion, today);
        Some(match &self.season {
            Some(s) => s.next_in_season(due),
            None => due,
        })
    }

    /// Whether the date lies in the rule's season (always, without one).
    pub fn in_season(&self, date: NaiveDate) -> bool {
        self.season.is_none_or(|s| s.contains(date))
    }
}

/// The rules of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    /// The path the file was read from, as given for messages.
    pub file: String,
    /// Task types declared by the file.
    pub custom_task_types: Vec<String>,
    /// The rules in file order.
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The ids of the interval rules: those that roll forward from the last completion.
    pub fn interval_rule_ids(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| matches!(r.trigger, Trigger::Interval { .. }))
            .map(|r| r.id.as_str())
            .collect()
    }
}

/// A string or a list of strings (`kind = "tree"` or `kind = ["tree", "tree_row"]`).
#[derive(Debug, Clone, Default)]
struct StrList(Vec<String>);

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StrList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<StrList, E> {
                Ok(StrList(vec![s.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<StrList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = a.next_element::<String>()? {
                    out.push(s);
                }
                Ok(StrList(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    custom_task_types: Option<Spanned<Vec<String>>>,
    rule: Option<Vec<Spanned<RawRule>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<Spanned<String>>,
    task: Option<Spanned<String>>,
    select: Option<Spanned<RawSelect>>,
    cron: Option<Spanned<String>>,
    every: Option<Spanned<String>>,
    start: Option<Spanned<toml::Value>>,
    season: Option<Spanned<String>>,
    window: Option<Spanned<String>>,
    blackouts: Option<bool>,
    minutes_per_asset: Option<Spanned<f64>>,
    per: Option<Spanned<String>>,
    skill: Option<String>,
    priority: Option<Spanned<i64>>,
    grace: Option<Spanned<String>>,
    estimate: Option<bool>,
    single_open: Option<bool>,
    water_need: Option<Spanned<String>>,
    kl: Option<f64>,
    mad: Option<f64>,
    taw_mm: Option<f64>,
    efficiency: Option<f64>,
    wetted_area_m2: Option<f64>,
    rain_exposure: Option<f64>,
    pest: Option<Spanned<String>>,
    replanting: Option<Spanned<String>>,
    seedlings_per_100_cm2: Option<f64>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelect {
    kind: Option<Spanned<StrList>>,
    species: Option<StrList>,
    genus: Option<StrList>,
    zone: Option<Spanned<StrList>>,
    tags: Option<BTreeMap<String, String>>,
    condition: Option<Spanned<StrList>>,
    site_state: Option<Spanned<StrList>>,
    heritage: Option<bool>,
}

/// Parses a rule file. `path_for_messages` only labels errors; `known_zones`, when given, is the
/// list of zone names a selector may use. The whole file is refused at the first bad rule.
pub fn parse_rules(
    path_for_messages: &str,
    text: &str,
    known_zones: Option<&[String]>,
) -> Result<RuleSet, RuleError> {
    let cx = Cx {
        file: path_for_messages,
        text,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| cx.line(s.start));
        // toml's messages do not name the key; quoting the line shows field and value.
        let source = text.lines().nth(line - 1).unwrap_or("").trim();
        let message = e.message().trim();
        RuleError::Toml {
            file: cx.file_arc(),
            line,
            message: if source.is_empty() {
                message.to_string()
            } else {
                format!("{message} (in `{source}`)")
            },
        }
    })?;
    let custom: Vec<String> = raw
        .custom_task_types
        .map(|c| c.into_inner())
        .unwrap_or_default();
    let raws = raw.rule.unwrap_or_default();
    if raws.is_empty() {
        return Err(RuleError::Toml {
            file: cx.file_arc(),
            line: 1,
            message: "the file has no rules; add at least one [[rule]] table".to_string(),
        });
    }
    let mut rules: Vec<Rule> = Vec::with_capacity(raws.len());
    for (n, raw) in raws.into_iter().enumerate() {
        let rule = cx.rule(raw, n + 1, &custom, known_zones)?;
        if let Some(first) = rules.iter().find(|r| r.id == rule.id) {
            return Err(RuleError::DuplicateId {
                file: cx.file_arc(),
                line: rule.line,
                field: "id",
                value: rule.id,
                first_line: first.line,
            });
        }
        rules.push(rule);
    }
    Ok(RuleSet {
        file: cx.file.to_string(),
        custom_task_types: custom,
        rules,
    })
}

/// The file being parsed, for spans and messages.
struct Cx<'a> {
    file: &'a str,
    text: &'a str,
}

/// Lower-case with `-` and spaces read as `_`, as the model's text enums do.
fn norm(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

impl Cx<'_> {
    fn file_arc(&self) -> Arc<str> {
        Arc::from(self.file)
    }

    /// 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn at<T>(&self, s: &Spanned<T>) -> usize {
        self.line(s.span().start)
    }

    fn bad(
        &self,
        line: usize,
        rule: &str,
        field: &'static str,
        value: String,
        reason: String,
    ) -> RuleError {
        RuleError::BadValue {
            file: self.file_arc(),
            line,
            rule: rule.to_string(),
            field,
            value,
            reason,
        }
    }

    fn missing(&self, line: usize, rule: &str, field: &'static str, hint: &str) -> RuleError {
        RuleError::Missing {
            file: self.file_arc(),
            line,
            rule: rule.to_string(),
            field,
            hint: hint.to_string(),
        }
    }

    fn rule(
        &self,
        raw: Spanned<RawRule>,
        number: usize,
        custom: &[String],
        known_zones: Option<&[String]>,
    ) -> Result<Rule, RuleError> {
        let table_line = self.at(&raw);
        let r = raw.into_inner();

        let id = r.id.ok_or_else(|| {
            let label = format!("#{number}");
            self.missing(
                table_line,
                &label,
                "id",
                "give the rule a unique id = \"...\"",
            )
        })?;
        let line = self.at(&id);
        let id = id.into_inner();
        if id.trim().is_empty() || id.contains(char::is_whitespace) {
            return Err(self.bad(
                line,
                &id,
                "id",
                format!("{id:?}"),
                "an id is one word without spaces, e.g. \"box-watering\"".to_string(),
            ));
        }

        let task = {
            let t = r.task.ok_or_else(|| {
                self.missing(
                    line,
                    &id,
                    "task",
                    "add task = \"watering\" (or another task type)",
                )
            })?;
            let tl = self.at(&t);
            let name = norm(t.get_ref());
            if let Some(b) = TaskType::BUILTIN.iter().find(|b| b.as_str() == name) {
                b.clone()
            } else if let Some(c) = custom.iter().find(|c| norm(c) == name) {
                TaskType::Custom(c.clone())
            } else {
                let mut known: Vec<&str> = TaskType::BUILTIN.iter().map(|b| b.as_str()).collect();
                known.extend(custom.iter().map(String::as_str));
                return Err(RuleError::UnknownTaskType {
                    file: self.file_arc(),
                    line: tl,
                    rule: id,
                    field: "task",
                    value: t.into_inner(),
                    known: known.join(", "),
                });
            }
        };

        let select_raw = r.select.ok_or_else(|| {
            self.missing(
                line,
                &id,
                "select",
                "add a [rule.select] table with at least kind = \"tree\" (or another asset kind)",
            )
        })?;
        let select_line = self.at(&select_raw);
        let select = self.select(select_raw.into_inner(), select_line, &id, known_zones)?;

        let trigger = if let Some(p) = r.pest {
            if r.cron.is_some() || r.every.is_some() {
                return Err(self.bad(self.at(&p), &id, "pest", format!("{:?}", p.get_ref()),
                    "a pest rule takes its dates from the pest's window in pests.toml; remove cron/every".to_string()));
            }
            Trigger::PestWindow {
                pest: p.into_inner(),
            }
        } else if let Some(set) = r.replanting {
            let sl = self.at(&set);
            let parsed = set
                .get_ref()
                .parse::<super::trigger::ReplantingSet>()
                .map_err(|e| self.bad(sl, &id, "replanting", format!("{:?}", set.get_ref()), e))?;
            if r.cron.is_some() || r.every.is_some() {
                return Err(self.bad(sl, &id, "replanting", format!("{:?}", set.get_ref()),
                    "a replanting rule is triggered by the weather conditions of its set; remove cron/every".to_string()));
            }
            Trigger::Replanting {
                set: parsed,
                seedlings_per_100_cm2: r.seedlings_per_100_cm2.unwrap_or(1.0),
            }
        } else {
            match (r.cron, r.every) {
                (Some(c), Some(e)) => {
                    return Err(RuleError::Trigger {
                        file: self.file_arc(),
                        line: self.at(&e).max(self.at(&c)),
                        rule: id,
                        field: "cron, every",
                        value: format!("cron = {:?}, every = {:?}", c.get_ref(), e.get_ref()),
                        reason: "it has two triggers (both cron and every)".to_string(),
                    });
                }
                (None, None) => {
                    return Err(RuleError::Trigger {
                        file: self.file_arc(),
                        line,
                        rule: id,
                        field: "cron, every",
                        value: String::new(),
                        reason: "it has no trigger".to_string(),
                    });
                }
                (Some(c), None) => {
                    if let Some(s) = &r.start {
                        return Err(self.bad(
                        self.at(s),
                        &id,
                        "start",
                        s.get_ref().to_string(),
                        "start only goes with every = \"...\"; a cron rule starts with its first \
                         occurrence"
                            .to_string(),
                    ));
                    }
                    let cl = self.at(&c);
                    let expr = c.into_inner();
                    let schedule = CronSchedule::parse(&expr).map_err(|e| match e {
                        super::cron::CronError::InvalidCron { reason, .. } => {
                            RuleError::InvalidCron {
                                file: self.file_arc(),
                                line: cl,
                                rule: id.clone(),
                                field: "cron",
                                value: expr.clone(),
                                reason,
                            }
                        }
                        other => self.bad(cl, &id, "cron", format!("{expr:?}"), other.to_string()),
                    })?;
                    Trigger::Cron { expr, schedule }
                }
                (None, Some(e)) => {
                    let el = self.at(&e);
                    let every =
                        parse_duration(e.get_ref(), &[Unit::Day, Unit::Week]).map_err(|err| {
                            self.bad(el, &id, "every", format!("{:?}", e.get_ref()), err.reason)
                        })?;
                    let start = match r.start {
                        None => None,
                        Some(s) => Some(self.date(&s, &id)?),
                    };
                    Trigger::Interval { every, start }
                }
            }
        };
        let trigger = match (r.water_need, trigger) {
            (None, t) => t,
            (Some(w), Trigger::Cron { expr, schedule }) => {
                let wl = self.at(&w);
                let kind = super::trigger::bucket_kind(w.get_ref()).map_err(|e| {
                    self.bad(wl, &id, "water_need", format!("{:?}", w.get_ref()), e)
                })?;
                let mut b = kind.default_params();
                b.kl = r.kl.unwrap_or(b.kl);
                b.mad = r.mad.unwrap_or(b.mad);
                b.taw_mm = r.taw_mm.unwrap_or(b.taw_mm);
                b.efficiency = r.efficiency.unwrap_or(b.efficiency);
                b.wetted_area_m2 = r.wetted_area_m2.unwrap_or(b.wetted_area_m2);
                b.rain_exposure = r.rain_exposure.unwrap_or(b.rain_exposure);
                let ok = b.kl > 0.0
                    && (0.0..=1.0).contains(&b.mad)
                    && b.mad > 0.0
                    && b.taw_mm > 0.0
                    && b.efficiency > 0.0
                    && b.efficiency <= 1.0
                    && b.wetted_area_m2 > 0.0
                    && (0.0..=1.0).contains(&b.rain_exposure);
                if !ok {
                    return Err(self.bad(wl, &id, "water_need", format!("{b:?}"),
                        "kl, taw_mm and wetted_area_m2 must be positive; mad, efficiency and rain_exposure between 0 and 1".to_string()));
                }
                Trigger::WaterNeed {
                    expr,
                    schedule,
                    bucket: b,
                }
            }
            (Some(w), _) => {
                return Err(self.bad(
                    self.at(&w),
                    &id,
                    "water_need",
                    format!("{:?}", w.get_ref()),
                    "a water-need rule needs cron = \"...\" for its check time".to_string(),
                ));
            }
        };

        let season = match r.season {
            None => None,
            Some(s) => Some(s.get_ref().parse::<Season>().map_err(|e| {
                self.bad(
                    self.at(&s),
                    &id,
                    "season",
                    format!("{:?}", s.get_ref()),
                    e.reason,
                )
            })?),
        };

        let window = match r.window {
            None => None,
            Some(w) => {
                let wl = self.at(&w);
                let window = w.get_ref().parse::<TimeWindow>().map_err(|e| {
                    self.bad(wl, &id, "window", format!("{:?}", w.get_ref()), e.reason)
                })?;
                if let Trigger::Cron { expr, schedule } = &trigger
                    && let Some(t) = schedule
                        .times_of_day()
                        .into_iter()
                        .find(|t| !window.contains(*t))
                {
                    return Err(RuleError::OutsideWindow {
                        file: self.file_arc(),
                        line: wl,
                        rule: id,
                        field: "window",
                        value: expr.clone(),
                        window,
                        time: t,
                    });
                }
                Some(window)
            }
        };

        let minutes_per_asset = {
            let m = r.minutes_per_asset.ok_or_else(|| {
                self.missing(line, &id, "minutes_per_asset", "add minutes_per_asset = 2.0 (work minutes per asset, box or tree; mark guesses with estimate = true)")
            })?;
            let v = *m.get_ref();
            if !(v.is_finite() && v > 0.0 && v <= 24.0 * 60.0) {
                return Err(self.bad(
                    self.at(&m),
                    &id,
                    "minutes_per_asset",
                    v.to_string(),
                    "give minutes of work, more than 0 and at most 1440".to_string(),
                ));
            }
            v
        };

        let per = match r.per {
            None => Per::Asset,
            Some(p) => {
                let pl = self.at(&p);
                let per = match norm(p.get_ref()).as_str() {
                    "asset" => Per::Asset,
                    "box" => Per::Box,
                    "tree" => Per::Tree,
                    _ => {
                        return Err(self.bad(
                            pl,
                            &id,
                            "per",
                            format!("{:?}", p.get_ref()),
                            "use \"asset\", \"box\" or \"tree\"".to_string(),
                        ));
                    }
                };
                let fits = |ok: &[AssetKind]| select.kinds.iter().all(|k| ok.contains(k));
                let bad_kind = match per {
                    Per::Box if !fits(&[AssetKind::FlowerBoxGroup]) => {
                        Some("per = \"box\" needs select.kind = \"flower_box_group\" only")
                    }
                    Per::Tree if !fits(&[AssetKind::Tree, AssetKind::TreeRow]) => {
                        Some("per = \"tree\" needs select.kind to be tree and/or tree_row only")
                    }
                    _ => None,
                };
                if let Some(reason) = bad_kind {
                    return Err(self.bad(
                        pl,
                        &id,
                        "per",
                        format!("{:?}", p.get_ref()),
                        reason.to_string(),
                    ));
                }
                per
            }
        };

        let priority = match r.priority {
            None => 3,
            Some(p) => {
                let v = *p.get_ref();
                if !(1..=5).contains(&v) {
                    return Err(self.bad(
                        self.at(&p),
                        &id,
                        "priority",
                        v.to_string(),
                        "use 1 (highest) to 5 (lowest)".to_string(),
                    ));
                }
                v as u8
            }
        };

        let grace = match r.grace {
            None => task.default_grace(),
            Some(g) => {
                parse_duration(g.get_ref(), &[Unit::Hour, Unit::Day, Unit::Week]).map_err(|e| {
                    self.bad(
                        self.at(&g),
                        &id,
                        "grace",
                        format!("{:?}", g.get_ref()),
                        e.reason,
                    )
                })?
            }
        };

        Ok(Rule {
            id,
            task,
            select,
            trigger,
            season,
            window,
            blackouts: r.blackouts.unwrap_or(true),
            minutes_per_asset,
            per,
            skill: r.skill,
            priority,
            grace,
            estimate: r.estimate.unwrap_or(false),
            single_open: r.single_open.unwrap_or(false),
            note: r.note,
            line,
        })
    }

    /// A `start` date: a string `"YYYY-MM-DD"` or a bare TOML date.
    fn date(&self, s: &Spanned<toml::Value>, id: &str) -> Result<NaiveDate, RuleError> {
        let text = match s.get_ref() {
            toml::Value::String(t) => t.clone(),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            other => other.to_string(),
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            self.bad(
                self.at(s),
                id,
                "start",
                s.get_ref().to_string(),
                "expected a date \"YYYY-MM-DD\"".to_string(),
            )
        })
    }

    fn select(
        &self,
        raw: RawSelect,
        line: usize,
        id: &str,
        known_zones: Option<&[String]>,
    ) -> Result<Selector, RuleError> {
        let kind = raw.kind.ok_or_else(|| {
            self.missing(
                line,
                id,
                "select.kind",
                &format!(
                    "add kind = \"tree\" or a list; kinds: {}",
                    AssetKind::choices()
                ),
            )
        })?;
        let kl = self.at(&kind);
        let kinds_raw = kind.into_inner().0;
        if kinds_raw.is_empty() {
            return Err(self.bad(
                kl,
                id,
                "select.kind",
                "[]".to_string(),
                format!("name at least one kind: {}", AssetKind::choices()),
            ));
        }
        let kinds = kinds_raw
            .iter()
            .map(|k| {
                k.parse::<AssetKind>().map_err(|_| {
                    self.bad(
                        kl,
                        id,
                        "select.kind",
                        format!("{k:?}"),
                        format!("unknown asset kind; use {}", AssetKind::choices()),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let zones = match raw.zone {
            None => Vec::new(),
            Some(z) => {
                let zl = self.at(&z);
                let zones = z.into_inner().0;
                if let Some(known) = known_zones
                    && let Some(bad) = zones.iter().find(|z| !known.contains(z))
                {
                    return Err(RuleError::UnknownZone {
                        file: self.file_arc(),
                        line: zl,
                        rule: id.to_string(),
                        field: "select.zone",
                        value: bad.clone(),
                        known: known.join(", "),
                    });
                }
                zones
            }
        };

        let condition = match raw.condition {
            None => Vec::new(),
            Some(c) => {
                let cl = self.at(&c);
                c.into_inner()
                    .0
                    .iter()
                    .map(|v| {
                        v.parse::<Condition>().map_err(|_| {
                            self.bad(
                                cl,
                                id,
                                "select.condition",
                                format!("{v:?}"),
                                format!("unknown condition; use {}", Condition::choices()),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
        };

        let site_state = match raw.site_state {
            None => Vec::new(),
            Some(s) => {
                let sl = self.at(&s);
                s.into_inner()
                    .0
                    .iter()
                    .map(|v| {
                        // Exact names only: the model reads "dead" as an occupied site, which
                        // in a selector would quietly select every living tree too.
                        SiteState::ALL
                            .iter()
                            .copied()
                            .find(|st| st.as_str() == norm(v))
                            .ok_or_else(|| {
                                self.bad(
                                    sl,
                                    id,
                                    "select.site_state",
                                    format!("{v:?}"),
                                    format!(
                                        "unknown site state; use {} (a dead tree is site_state \
                                     \"occupied\" with condition \"dead\")",
                                        SiteState::choices()
                                    ),
                                )
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
        };

        Ok(Selector {
            kinds,
            species: raw.species.unwrap_or_default().0,
            genus: raw.genus.unwrap_or_default().0,
            zones,
            tags: raw.tags.unwrap_or_default(),
            condition,
            site_state,
            heritage: raw.heritage,
        })
    }
}
