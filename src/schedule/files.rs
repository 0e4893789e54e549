//! Finding and reading a site's schedule folder: every `*.toml` file in it is a rule file, except
//! `crews.toml` and `pests.toml`. The Barkhor files are embedded too, so the demo runs from any
//! folder.

use std::path::{Path, PathBuf};

use super::rules::{RuleError, RuleSet, parse_rules};

/// The Barkhor rules, embedded.
pub const BARKHOR_RULES: &str = include_str!("../../schedules/barkhor/rules.toml");
/// The Barkhor crews, embedded.
pub const BARKHOR_CREWS: &str = include_str!("../../schedules/barkhor/crews.toml");

/// Files of a schedule folder that are not rule files.
const NOT_RULES: &[&str] = &["crews.toml", "pests.toml"];

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("cannot read schedule folder {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(
        "{second}: rule id '{id}' is already used in {first}; rule ids must be unique across a site's files"
    )]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
}

/// Reads every rule file of a folder (sorted by name) into one rule set.
pub fn load_rules_dir(dir: &Path, known_zones: Option<&[String]>) -> Result<RuleSet, FilesError> {
    let read_err = |source| FilesError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| NOT_RULES.iter().any(|x| n == *x))
        })
        .collect();
    files.sort();
    let mut all = RuleSet {
        file: dir.display().to_string(),
        custom_task_types: Vec::new(),
        rules: Vec::new(),
    };
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|source| FilesError::Read {
            path: f.clone(),
            source,
        })?;
        let set = parse_rules(&f.display().to_string(), &text, known_zones)?;
        merge(&mut all, set)?;
    }
    Ok(all)
}

/// Adds a file's rules to a set, refusing an id used twice.
pub fn merge(all: &mut RuleSet, set: RuleSet) -> Result<(), FilesError> {
    for r in &set.rules {
        if all.get(&r.id).is_some() {
            return Err(FilesError::DuplicateId {
                id: r.id.clone(),
                first: all.file.clone(),
                second: set.file.clone(),
            });
        }
    }
    all.custom_task_types.extend(set.custom_task_types);
    all.rules.extend(set.rules);
    Ok(())
}
