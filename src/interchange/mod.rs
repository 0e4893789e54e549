//! Interchange formats: GeoJSON (RFC 7946) in and out, CSV out (CSV in arrives with the city
//! inventories).
//!
//! Owns: reading and validating files, mapping their fields onto model records, writing exports.
//! Never: the database (the `register` applies what it reads), the ECS world.

pub mod export;
pub mod geojson_read;
pub mod properties;

pub use geojson_read::{FeatureError, FileError, RawFeature, read_features};
pub use properties::{Parsed, to_model};
