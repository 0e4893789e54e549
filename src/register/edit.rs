//! Edits of single assets: `assets set`, `assets retire`, `assets replace`. Each edited field is
//! its own audit row with the old and new value.
//!
//! An edit goes through the same property mapping as an import (the record is turned into its
//! GeoJSON properties, the fields are set, and the result is read back), so a value accepted by
//! `import` is accepted by `set` and checked the same way.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::interchange::{self, Parsed, RawFeature, export::asset_properties};
use crate::model::{AssetRecord, KindData, SiteState};
use crate::store::{AuditEntry, Store, StoreError, now_rfc3339};

/// Fields `assets set` accepts (plus `tag:KEY` for free tags).
pub const EDITABLE: &[&str] = &[
    "name",
    "name:zh",
    "name:bo",
    "name:en",
    "zone",
    "site_state",
    "species",
    "species:zh",
    "species:en",
    "genus",
    "dbh_cm",
    "height_m",
    "crown_m",
    "planted",
    "condition",
    "heritage_grade",
    "box_count",
    "box_length_m",
    "box_width_m",
    "box_depth_m",
    "planting",
    "tree_count",
    "plant",
    "park_type",
    "water",
    "area_m2",
    "volume_m3",
];

/// Occupant fields cleared when a site gets a new occupant.
const OCCUPANT_FIELDS: &[&str] = &[
    "species",
    "species:zh",
    "species:en",
    "genus",
    "dbh_cm",
    "height_m",
    "crown_m",
    "planted",
    "condition",
    "heritage_grade",
    "planting",
];

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("no asset with ref '{0}'\n  list them with: greenward assets list")]
    NotFound(String),
    #[error("'{0}' is not an editable field; use one of: {list}, or tag:KEY", list = EDITABLE.join(", "))]
    UnknownField(String),
    #[error("'{0}' must be written field=value")]
    BadAssignment(String),
    #[error("{asset_ref}: {field}: {message}")]
    Invalid {
        asset_ref: String,
        field: String,
        message: String,
    },
    #[error("{asset_ref}: {field} does not apply to a {kind}")]
    NotApplicable {
        asset_ref: String,
        field: String,
        kind: String,
    },
    #[error("zone '{0}' does not exist\n  list zones with: greenward zones list")]
    UnknownZone(String),
    #[error("{0} is already retired")]
    AlreadyRetired(String),
    #[error(
        "{0} is a {1}, not a planting site (tree or flower-box group): it has no occupant to replace"
    )]
    NotASite(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One changed field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Splits `field=value` arguments.
pub fn parse_assignments(args: &[String]) -> Result<Vec<(String, String)>, EditError> {
    args.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| EditError::BadAssignment(a.clone()))
        })
        .collect()
}

fn load(store: &Store, asset_ref: &str) -> Result<AssetRecord, EditError> {
    store
        .read()
        .asset_by_ref(asset_ref)?
        .ok_or_else(|| EditError::NotFound(asset_ref.to_string()))
}

fn text(v: Option<&Value>) -> Option<String> {
    v.map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Sets fields on a copy of `base` properties and reads the record back through the importer's
/// mapping, so values are checked as on import.
fn rebuild(
    rec: &AssetRecord,
    mut props: Map<String, Value>,
    assignments: &[(String, String)],
) -> Result<AssetRecord, EditError> {
    for (field, value) in assignments {
        let key = match field.strip_prefix("tag:") {
            Some(tag) if !tag.is_empty() => tag.to_string(),
            _ if EDITABLE.contains(&field.as_str()) => field.clone(),
            _ => return Err(EditError::UnknownField(field.clone())),
        };
        if value.is_empty() {
            props.remove(&key);
        } else {
            props.insert(key, Value::String(value.clone()));
        }
    }
    let raw = RawFeature {
        index: 0,
        id: Some(rec.asset_ref.clone()),
        geometry: rec.geometry.clone(),
        properties: props,
    };
    let source = rec.provenance.source.clone().unwrap_or_default();
    let parsed =
        interchange::to_model(&raw, Some(rec.kind()), &source).map_err(|e| EditError::Invalid {
            asset_ref: rec.asset_ref.clone(),
            field: e.field.trim_start_matches("properties.").to_string(),
            message: e.message,
        })?;
    let Parsed::Asset(new) = parsed else {
        return Err(EditError::Invalid {
            asset_ref: rec.asset_ref.clone(),
            field: "kind".into(),
            message: "cannot turn an asset into a zone".into(),
        });
    };
    let mut new = *new;
    for (field, _) in assignments {
        if EDITABLE.contains(&field.as_str()) && field != "zone" && new.tags.contains_key(field) {
            return Err(EditError::NotApplicable {
                asset_ref: rec.asset_ref.clone(),
                field: field.clone(),
                kind: rec.kind().to_string(),
            });
        }
    }
    new.id = rec.id;
    new.asset_ref = rec.asset_ref.clone();
    new.provenance = rec.provenance.clone();
    new.retired = rec.retired.clone();
    new.zone_id = rec.zone_id;
    Ok(new)
}

fn diff(old: &AssetRecord, new: &AssetRecord) -> Vec<FieldChange> {
    let a = asset_properties(old);
    let b = asset_properties(new);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            old: text(a.get(k)),
            new: text(b.get(k)),
        })
        .collect()
}

/// Writes the new record and one audit row per change, in one transaction.
fn commit(
    store: &mut Store,
    mut new: AssetRecord,
    changes: &[FieldChange],
    action: &str,
    actor: Option<&str>,
    before: impl FnOnce(&mut crate::store::Tx<'_>) -> Result<(), StoreError>,
) -> Result<(), EditError> {
    let now = now_rfc3339();
    store.write(|tx| {
        if let Some(zone) = &new.zone {
            let z = tx
                .read()
                .zone_by_name(zone)?
                .ok_or_else(|| EditError::UnknownZone(zone.clone()))?;
            new.zone_id = Some(z.id);
        }
        before(tx)?;
        tx.update_asset(&new, &now)?;
        for c in changes {
            tx.insert_audit(&AuditEntry {
                at: now.clone(),
                actor: actor.map(str::to_string),
                action: action.to_string(),
                asset_id: Some(new.id),
                asset_ref: Some(new.asset_ref.clone()),
                field: Some(c.field.clone()),
                old_value: c.old.clone(),
                new_value: c.new.clone(),
                ..Default::default()
            })?;
        }
        Ok(())
    })
}

/// `assets set REF field=value…`: changes fields, one audit row each. Returns the changes
/// (empty when every value was already set).
pub fn set_fields(
    store: &mut Store,
    asset_ref: &str,
    assignments: &[(String, String)],
    actor: Option<&str>,
) -> Result<Vec<FieldChange>, EditError> {
    let rec = load(store, asset_ref)?;
    let new = rebuild(&rec, asset_properties(&rec), assignments)?;
    let changes = diff(&rec, &new);
    if !changes.is_empty() {
        commit(store, new, &changes, "edit", actor, |_| Ok(()))?;
    }
    Ok(changes)
}

/// `assets retire REF --reason`: the asset stays in the register (and its history) but leaves
/// every schedule and list.
pub fn retire(
    store: &mut Store,
    asset_ref: &str,
    reason: &str,
    actor: Option<&str>,
) -> Result<(), EditError> {
    let rec = load(store, asset_ref)?;
    if rec.retired.is_some() {
        return Err(EditError::AlreadyRetired(asset_ref.to_string()));
    }
    let mut new = rec.clone();
    new.retired = Some(reason.to_string());
    let change = FieldChange {
        field: "retired".into(),
        old: None,
        new: Some(reason.to_string()),
    };
    commit(store, new, &[change], "retire", actor, |_| Ok(()))
}

/// `assets replace REF field=value…`: the site keeps its ref, place and history; the current
/// occupant is archived (with `reason`) and a new one starts, planted on `today` unless
/// `planted=` says otherwise, in good condition unless `condition=` says otherwise.
pub fn replace_occupant(
    store: &mut Store,
    asset_ref: &str,
    assignments: &[(String, String)],
    reason: &str,
    today: NaiveDate,
    actor: Option<&str>,
) -> Result<Vec<FieldChange>, EditError> {
    let rec = load(store, asset_ref)?;
    if !rec.kind().is_site() {
        return Err(EditError::NotASite(
            asset_ref.to_string(),
            rec.kind().to_string(),
        ));
    }
    let old_props = asset_properties(&rec);
    let mut props = old_props.clone();
    for f in OCCUPANT_FIELDS {
        props.remove(*f);
    }
    props.insert(
        "site_state".into(),
        Value::String(SiteState::Occupied.as_str().into()),
    );
    props.insert("planted".into(), Value::String(today.to_string()));
    if matches!(rec.data, KindData::Tree(_)) {
        props.insert("condition".into(), Value::String("good".into()));
    }
    let new = rebuild(&rec, props, assignments)?;
    let changes = diff(&rec, &new);
    let snapshot = Value::Object(old_props).to_string();
    let id = rec.id;
    let reason_owned = reason.to_string();
    let mut all = vec![FieldChange {
        field: "occupant".into(),
        old: Some(snapshot.clone()),
        new: Some(reason.to_string()),
    }];
    all.extend(changes.iter().cloned());
    commit(store, new, &all, "replace", actor, move |tx| {
        tx.archive_occupant(id, today, &reason_owned, &snapshot)
    })?;
    Ok(changes)
}
