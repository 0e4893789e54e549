//! Rules and triggers: turns rule files (cron, intervals, weather and pest conditions) into occurrences.
//!
//! Owns: rule parsing and validation, cron evaluation (croner), seasons, time windows, blackout moves.
//! Never: rusqlite (it asks `store` for what it needs), printing.

pub mod blackout;
pub mod cron;
pub mod files;
pub mod rule_error;
pub mod rules;
pub mod season;
pub mod select;
pub mod trigger;

pub use blackout::apply_blackouts;
pub use cron::{CronError, CronSchedule, DEFAULT_ZONE, parse_zone, resolve_local};
pub use rules::{Per, Rule, RuleError, RuleSet, Selector, TaskType, parse_rules};
pub use season::{MonthDay, Season, TimeWindow};
pub use trigger::{ReplantingSet, Trigger, next_interval_due};
