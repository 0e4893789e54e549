//! Charts of coverage, overdue work, crew workload, water, degree-days and a map, as PNG or SVG
//! (plotters), with English or Chinese labels.
//!
//! Owns: one file per chart, each a plain-data struct that draws itself ([`style::Chart`]);
//! the shared frame and look (`style`), fonts (`fonts`: DejaVu Sans embedded, a CJK font found
//! at run time), the map projection (`projection`), and loading the charts' data from the store
//! (`data`). Never: SQL (goes through `store`), printing (the CLI prints what was written).
//!
//! Every chart has a title, the date range under it, axes with units and a legend.

pub mod coverage_week;
pub mod coverage_zone;
pub mod data;
pub mod degree_days;
pub mod fonts;
pub mod map;
pub mod overdue;
pub mod projection;
pub mod style;
pub mod water;
pub mod workload;

use std::path::{Path, PathBuf};

pub use map::ColourBy;
pub use style::{Format, Lang, Style};

use crate::site::SiteConfig;
use crate::store::Store;

/// A chart kind, as named on the command line.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Coverage by week for each task type, with a target line.
    CoverageWeek,
    /// Coverage by zone, worst first.
    CoverageZone,
    /// Overdue tasks by zone and age.
    Overdue,
    /// Crew hours by week against capacity.
    Workload,
    /// Litres given by week beside rain and ET0.
    Water,
    /// Degree-day accumulation with pest windows, scouting and treatments.
    DegreeDays,
    /// Zones, areas, trees and box groups coloured by coverage or days overdue.
    Map,
    /// Every chart above.
    All,
}

impl Kind {
    /// Every drawable kind, in order.
    pub const EACH: [Kind; 7] = [
        Kind::CoverageWeek,
        Kind::CoverageZone,
        Kind::Overdue,
        Kind::Workload,
        Kind::Water,
        Kind::DegreeDays,
        Kind::Map,
    ];

    /// The kinds this one stands for (`All`: every kind).
    pub fn expand(self) -> Vec<Kind> {
        if self == Kind::All {
            Kind::EACH.to_vec()
        } else {
            vec![self]
        }
    }
}

/// What to draw and where.
#[derive(Debug, Clone)]
pub struct Request {
    pub period: data::Period,
    /// Target coverage, 0..=1.
    pub target: f64,
    pub colour_by: ColourBy,
    pub out_dir: PathBuf,
    pub format: Format,
}

/// Draws one chart and returns the file written.
pub fn draw(
    kind: Kind,
    store: &Store,
    site: &SiteConfig,
    req: &Request,
    st: &Style,
    pests: &data::Pests,
) -> anyhow::Result<PathBuf> {
    let p = &req.period;
    let dir: &Path = &req.out_dir;
    let f = req.format;
    match kind {
        Kind::CoverageWeek => {
            style::render(&data::coverage_week(store, p, req.target)?, st, dir, f)
        }
        Kind::CoverageZone => {
            style::render(&data::coverage_zone(store, p, req.target)?, st, dir, f)
        }
        Kind::Overdue => style::render(&data::overdue(store, p)?, st, dir, f),
        Kind::Workload => style::render(&data::workload(store, p)?, st, dir, f),
        Kind::Water => style::render(&data::water(store, site, p)?, st, dir, f),
        Kind::DegreeDays => style::render(&data::degree_days(store, site, p, pests)?, st, dir, f),
        Kind::Map => style::render(&data::map(store, p, req.colour_by, req.target)?, st, dir, f),
        Kind::All => anyhow::bail!("expand Kind::All with Kind::expand first"),
    }
}
