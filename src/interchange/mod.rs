//! Interchange formats: GeoJSON (RFC 7946) and CSV in, GeoJSON and CSV out.
//!
//! Owns: reading and validating files, mapping their fields onto model records (with the units,
//! dates and header aliases of real city inventories), writing exports.
//! Never: the database (the `register` applies what it reads), the ECS world.

pub mod csv_read;
pub mod dates;
pub mod export;
pub mod geojson_read;
pub mod properties;
pub mod units;

pub use csv_read::{ColumnMap, CsvError, RowError, read_rows};
pub use dates::DateOrder;
pub use geojson_read::{
    FastFeature, FeatureError, FileError, RawFeature, ScanItem, fast_feature, read_features,
    scan_features, slow_feature, validate_feature,
};
pub use properties::{ModelOptions, Parsed, read_fast_feature, read_feature, to_model};
