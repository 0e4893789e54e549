//! Rules and triggers: turns rule files (cron, intervals, weather and pest conditions) into occurrences.
//!
//! Owns: rule parsing and validation, cron evaluation (croner), seasons, time windows, blackout moves.
//! Never: rusqlite (it asks `store` for what it needs), printing.
