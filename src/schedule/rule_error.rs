//! Why a rule file was refused: one variant per kind of mistake, each with the file, the line,
//! the field and the bad value, and a message that says what to fix.

use std::sync::Arc;

use chrono::NaiveTime;

use super::season::TimeWindow;

/// Why a rule file was refused. Every variant names the file and the 1-based line, and says
/// what to fix in its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Not valid TOML, or a field of the wrong type or unknown name.
    #[error("{file}: line {line}: {message}")]
    Toml {
        file: Arc<str>,
        line: usize,
        message: String,
    },
    /// A required field is missing.
    #[error("{file}: line {line}: rule '{rule}': `{field}` is missing; {hint}")]
    Missing {
        file: Arc<str>,
        line: usize,
        rule: String,
        field: &'static str,
        hint: String,
    },
    /// The cron expression does not parse or never fires (croner's reason).
    #[error(
        "{file}: line {line}: rule '{rule}': {field} = \"{value}\": {reason}; write 5 fields: \
         minute hour day-of-month month day-of-week, e.g. \"0 7 * * *\""
    )]
    InvalidCron {
        file: Arc<str>,
        line: usize,
        rule: String,
        field: &'static str,
        value: String,
        reason: String,
    },
    /// `task` names neither a built-in nor a declared custom type.
    #[error(
        "{file}: line {line}: rule '{rule}': {field} = \"{value}\" is not a known task type; \
         use one of {known}, or declare it at the top of the file: custom_task_types = [\"{value}\"]"
    )]
    UnknownTaskType {
        file: Arc<str>,
        line: usize,
        rule: String,
        field: &'static str,
        value: String,
        known: String,
    },
    /// A zone in the selector is not a zone of the site.
    #[error(
        "{file}: line {line}: rule '{rule}': {field} names zone \"{value}\", which this site does \
         not have; known zones: {known}"
    )]
    UnknownZone {
        file: Arc<str>,
        line: usize,
        rule: String,
        field: &'static str,
        value: String,
        known: String,
    },
    /// No trigger, or both `cron` and `every`.
    #[error(
        "{file}: line {line}: rule '{rule}': {reason}; give exactly one of cron = \"MIN HOUR DOM MON \
         DOW\" or every = \"14d\""
    )]
    Trigger {
        file: Arc<str>,
        line: usize,
        rule: String,
        field: &'static str,
        value: String,
        reason: String,
    },
    /// Two rules share an id.
    #[error(
        "{file}: line {line}: {field} = \"{value}\" is already used on line {first_line}; give \
         each rule its own id"
    )]
    DuplicateId {
        file: Arc<str>,
        line: usize,
        field: &'static str,
        value: String,
        first_line: usize,
    },
    /// The cron expression fires outside the rule's time window.
    #[error(
        "{file}: line {line}: rule '{rule}': cron = \"{value}\" fires at {hm}, outside {field} = \
         \"{window}\"; move the cron hour into the window or widen the window",
        hm = .time.format("%H:%M")
    )]
    OutsideWindow {
        file: Arc<str>,
        line: usize,
        rule: String,
        field: &'static str,
        value: String,
        window: TimeWindow,
        time: NaiveTime,
    },
    /// Any other unreadable value (season, window, kind, condition, priority, durations…).
    #[error("{file}: line {line}: rule '{rule}': {field} = {value}: {reason}")]
    BadValue {
        file: Arc<str>,
        line: usize,
        rule: String,
        field: &'static str,
        value: String,
        reason: String,
    },
}

impl RuleError {
    /// The 1-based line the error points at.
    pub fn line(&self) -> usize {
        match self {
            RuleError::Toml { line, .. }
            | RuleError::Missing { line, .. }
            | RuleError::InvalidCron { line, .. }
            | RuleError::UnknownTaskType { line, .. }
            | RuleError::UnknownZone { line, .. }
            | RuleError::Trigger { line, .. }
            | RuleError::DuplicateId { line, .. }
            | RuleError::OutsideWindow { line, .. }
            | RuleError::BadValue { line, .. } => *line,
        }
    }
}
