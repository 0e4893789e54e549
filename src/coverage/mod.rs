//! Maintenance coverage: how much of the work that fell due in a period was done on time, by
//! task type, zone, ISO week and crew; patrol reports closed in time by severity; water-stress
//! days per asset.
//!
//! Owns: the classification of recorded tasks (`metrics`, pure) and the assembly of a period's
//! report from the store (`report`). Never: SQL (goes through `store`), printing, drawing.
//! The figures come from recorded tasks only; nothing is re-planned.

pub mod metrics;
pub mod report;

pub use metrics::{
    Counts, Group, GroupBy, Outcome, PatrolCounts, StressDays, ZonedTask, classify, group,
    iso_week_label, week_start, weeks_of,
};
pub use report::{Report, WaterStress, build};
