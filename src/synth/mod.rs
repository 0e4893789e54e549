//! Deterministic generators of geographic data: the Barkhor default dataset and synthetic cities.
//!
//! Owns: generating features from a seed. Never: the database, the clock, randomness without a seed.
