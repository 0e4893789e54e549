//! The site configuration (`geodata/<site>/site.toml`): name, time zone, position, climate
//! normals, care grade, patrol deadlines, blackout windows.
//!
//! Owns: the file format, its validation and defaults. `init`/`demo` load it into the store
//! (table `site`, key `config`, as JSON) and later commands read it back from there.
//! Never: touches the database itself (the CLI hands the JSON to `store`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The whole site configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub site: SiteInfo,
    #[serde(default)]
    pub patrol_deadlines: PatrolDeadlines,
    #[serde(default, rename = "blackout")]
    pub blackouts: Vec<Blackout>,
    /// Festivals the flower boxes are refreshed for (a few days before each).
    #[serde(default, rename = "festival")]
    pub festivals: Vec<Festival>,
    /// Folder the file was read from; relative paths inside it resolve against this.
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteInfo {
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    /// IANA time zone, e.g. `Asia/Shanghai`.
    pub timezone: String,
    pub latitude: f64,
    pub longitude: f64,
    pub altitude_m: f64,
    /// Monthly climate normals CSV, relative to the site folder.
    #[serde(default)]
    pub climate_normals: Option<String>,
    /// Care grade 1 (highest) to 3.
    #[serde(default = "default_care_grade")]
    pub care_grade: u8,
    /// The default asset file of the site (GeoJSON), relative to the site folder.
    #[serde(default)]
    pub assets: Option<String>,
    /// A separate zones file, if the site keeps one.
    #[serde(default)]
    pub zones: Option<String>,
    /// Rules, crews and pests folder, relative to the project root (`schedules/barkhor`).
    #[serde(default)]
    pub schedules: Option<String>,
    /// Water cart size, litres: `plan` counts water in cart trips of this size (E: 5,000 L).
    #[serde(default = "default_water_cart_l")]
    pub water_cart_l: f64,
}

fn default_care_grade() -> u8 {
    2
}

fn default_water_cart_l() -> f64 {
    5000.0
}

/// Deadlines for patrol reports by severity (minor problems are fixed on the spot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatrolDeadlines {
    /// Hours a `general` report may stay open (the same day).
    #[serde(default = "default_general_hours")]
    pub general_hours: u32,
    /// Days a `major` report may stay open.
    #[serde(default = "default_major_days")]
    pub major_days: u32,
}

fn default_general_hours() -> u32 {
    24
}
fn default_major_days() -> u32 {
    7
}

impl Default for PatrolDeadlines {
    fn default() -> Self {
        PatrolDeadlines {
            general_hours: default_general_hours(),
            major_days: default_major_days(),
        }
    }
}

/// A festival or other window during which ordinary work moves aside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blackout {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
}

/// A festival the flower boxes are refreshed before (Shoton, National Day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Festival {
    pub name: String,
    pub date: NaiveDate,
}

/// A site file that cannot be used, with the file and line.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot read site file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl SiteConfig {
    /// Reads and checks a site file.
    pub fn load(path: &Path) -> Result<SiteConfig, SiteError> {
        let text = std::fs::read_to_string(path).map_err(|source| SiteError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg = Self::parse(path, &text)?;
        // Absolute, so files named in it resolve from any working folder later.
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        cfg.dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        Ok(cfg)
    }

    /// Parses site TOML; `path` is used in messages only.
    pub fn parse(path: &Path, text: &str) -> Result<SiteConfig, SiteError> {
        let invalid = |line: usize, message: String| SiteError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        let cfg: SiteConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            invalid(line, e.message().to_string())
        })?;
        let line_for = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + 1)
                .unwrap_or(1)
        };
        if cfg.site.timezone.parse::<Tz>().is_err() {
            return Err(invalid(
                line_for("timezone"),
                format!(
                    "timezone: '{}' is not an IANA time zone (e.g. Asia/Shanghai)",
                    cfg.site.timezone
                ),
            ));
        }
        if !(-90.0..=90.0).contains(&cfg.site.latitude) {
            return Err(invalid(
                line_for("latitude"),
                format!("latitude: {} is outside -90..90", cfg.site.latitude),
            ));
        }
        if !(-180.0..=180.0).contains(&cfg.site.longitude) {
            return Err(invalid(
                line_for("longitude"),
                format!("longitude: {} is outside -180..180", cfg.site.longitude),
            ));
        }
        if !(cfg.site.water_cart_l.is_finite() && cfg.site.water_cart_l > 0.0) {
            return Err(invalid(
                line_for("water_cart_l"),
                format!(
                    "water_cart_l: {} must be a positive number of litres (e.g. 5000)",
                    cfg.site.water_cart_l
                ),
            ));
        }
        if !(1..=3).contains(&cfg.site.care_grade) {
            return Err(invalid(
                line_for("care_grade"),
                format!("care_grade: {} must be 1, 2 or 3", cfg.site.care_grade),
            ));
        }
        for b in &cfg.blackouts {
            if b.to < b.from {
                return Err(invalid(
                    line_for("to"),
                    format!(
                        "blackout '{}': to {} is before from {}",
                        b.name, b.to, b.from
                    ),
                ));
            }
        }
        Ok(cfg)
    }

    /// The site time zone (checked when loaded).
    pub fn tz(&self) -> Tz {
        self.site.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// Resolves a path named in the file against the file's folder.
    pub fn resolve(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The JSON the store keeps (key `config`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("site config serialises")
    }

    /// Reads back the stored JSON.
    pub fn from_json(text: &str, dir: PathBuf) -> Result<SiteConfig, serde_json::Error> {
        let mut c: SiteConfig = serde_json::from_str(text)?;
        c.dir = dir;
        Ok(c)
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[site]
name = "Test"
timezone = "Asia/Shanghai"
latitude = 29.65
longitude = 91.13
altitude_m = 3650

[[blackout]]
name = "Shoton"
from = "2027-08-26"
to = "2027-09-01"
"#;

    #[test]
    fn a_good_file_loads_with_defaults() {
        let c = SiteConfig::parse(Path::new("site.toml"), GOOD).unwrap();
        assert_eq!(c.tz(), chrono_tz::Asia::Shanghai);
        assert_eq!(c.site.care_grade, 2);
        assert_eq!(c.patrol_deadlines.major_days, 7);
        assert_eq!(
            c.blackouts[0].to,
            NaiveDate::from_ymd_opt(2027, 9, 1).unwrap()
        );
    }

    #[test]
    fn errors_name_the_file_line_and_field() {
        let bad = GOOD.replace("Asia/Shanghai", "Asia/Lhasa-Town");
        let e = SiteConfig::parse(Path::new("site.toml"), &bad)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "site.toml: line 4: timezone: 'Asia/Lhasa-Town' is not an IANA time zone (e.g. Asia/Shanghai)"
        );
        let bad = GOOD.replace("latitude = 29.65", "latitude = \"north\"");
        let e = SiteConfig::parse(Path::new("site.toml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("site.toml: line 5:"), "{e}");
        let bad = GOOD.replace("altitude_m", "altitude");
        let e = SiteConfig::parse(Path::new("site.toml"), &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("altitude"), "{e}");
    }
}

/// The Barkhor site file, embedded so `init` and `demo` work from any folder.
pub const BARKHOR_SITE_TOML: &str = include_str!("../../geodata/barkhor/site.toml");

/// The embedded Barkhor site configuration.
pub fn embedded_barkhor() -> SiteConfig {
    let mut c = SiteConfig::parse(Path::new("geodata/barkhor/site.toml"), BARKHOR_SITE_TOML)
        .expect("the embedded Barkhor site file is valid (tested)");
    c.dir = PathBuf::from("geodata/barkhor");
    c
}

/// The rows of the store's `site` table for a configuration.
pub fn to_store_values(c: &SiteConfig) -> Vec<(String, String)> {
    vec![
        ("config".into(), c.to_json()),
        (
            "dir".into(),
            serde_json::to_string(&c.dir).expect("path serialises"),
        ),
    ]
}

#[cfg(test)]
mod embedded_tests {
    #[test]
    fn the_embedded_barkhor_site_parses() {
        let c = super::embedded_barkhor();
        assert_eq!(c.site.timezone, "Asia/Shanghai");
        assert_eq!(c.blackouts.len(), 2);
        assert!(
            c.blackouts
                .iter()
                .all(|b| b.note.as_deref() == Some("dates to be confirmed by the office"))
        );
    }
}
