//! The crews file (`schedules/<site>/crews.toml`): who works where, with which skills, for how
//! many hours a day, starting from where.
//!
//! ```toml
//! [[crew]]
//! name = "potala"
//! zones = ["potala-square", "longwangtan-park"]   # [] or absent: every zone
//! skills = ["watering", "gardening"]
//! hours_per_day = 7.5
//! start = [91.1170, 29.6555]                      # lon, lat
//! ```

use std::path::Path;

use serde::Deserialize;

use super::record::Crew;

#[derive(Debug, thiserror::Error)]
pub enum CrewsError {
    #[error("cannot read crews file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    crew: Vec<toml::Spanned<RawCrew>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrew {
    name: String,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    skills: Vec<String>,
    hours_per_day: f64,
    start: [f64; 2],
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// Parses crews TOML; `path` names the file in messages. With `known_zones`, every zone a crew
/// names must exist.
pub fn parse_crews(
    path: &str,
    text: &str,
    known_zones: Option<&[String]>,
) -> Result<Vec<Crew>, CrewsError> {
    let invalid = |line: usize, message: String| CrewsError::Invalid {
        path: path.to_string(),
        line,
        message,
    };
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        invalid(line, e.message().to_string())
    })?;
    let mut out: Vec<Crew> = Vec::new();
    for spanned in file.crew {
        let line = line_of(text, spanned.span().start);
        let c = spanned.into_inner();
        if out.iter().any(|o| o.name == c.name) {
            return Err(invalid(
                line,
                format!("name: crew '{}' is listed twice", c.name),
            ));
        }
        if !(c.hours_per_day > 0.0 && c.hours_per_day <= 2000.0) {
            return Err(invalid(
                line,
                format!(
                    "hours_per_day: {} person-hours must be more than 0 and at most 2000",
                    c.hours_per_day
                ),
            ));
        }
        let [lon, lat] = c.start;
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(invalid(
                line,
                format!("start: [{lon}, {lat}] is not a lon, lat position"),
            ));
        }
        if let Some(known) = known_zones
            && let Some(z) = c.zones.iter().find(|z| !known.contains(z))
        {
            return Err(invalid(
                line,
                format!(
                    "zones: crew '{}' names zone '{z}', which does not exist",
                    c.name
                ),
            ));
        }
        out.push(Crew {
            id: 0,
            name: c.name,
            zones: c.zones,
            skills: c.skills,
            hours_per_day: c.hours_per_day,
            start_lon: lon,
            start_lat: lat,
        });
    }
    Ok(out)
}

/// Reads a crews file.
pub fn load_crews(path: &Path, known_zones: Option<&[String]>) -> Result<Vec<Crew>, CrewsError> {
    let text = std::fs::read_to_string(path).map_err(|source| CrewsError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse_crews(&path.display().to_string(), &text, known_zones)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crews_parse_and_errors_name_the_line() {
        let text = "[[crew]]\nname = \"a\"\nzones = [\"sq\"]\nskills = [\"watering\"]\nhours_per_day = 7.5\nstart = [91.1, 29.6]\n\n[[crew]]\nname = \"b\"\nhours_per_day = -3\nstart = [91.1, 29.6]\n";
        let e = parse_crews("crews.toml", text, None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "crews.toml: line 8: hours_per_day: -3 person-hours must be more than 0 and at most 2000"
        );
        let ok = parse_crews(
            "crews.toml",
            &text.replace("= -3", "= 8"),
            Some(&["sq".to_string()]),
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert!(ok[0].covers("sq", Some("watering")) && !ok[0].covers("park", Some("watering")));
        assert!(ok[1].covers("park", None), "no zones listed: every zone");
        let e = parse_crews("crews.toml", &text.replace("= -3", "= 8"), Some(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1: zones: crew 'a' names zone 'sq', which does not exist"),
            "{e}"
        );
    }
}
