//! Agronomy and entomology formulas: radiation, reference evapotranspiration, landscape water need,
//! the soil-water bucket and degree-days.
//!
//! Owns: pure numeric functions with their units and sources (FAO-56, UC IPM), one method per file.
//! Never: I/O, the database, the ECS world, dates from the clock. Callers pass numbers in, get numbers out.
