-- 20261128_0005_water_check_days: a day's water-need checks of one rule in one row. Never edit
-- once landed.
--
-- A million-asset city checks a million buckets every morning; a row per check made storing
-- them most of a scheduling run. `data` holds the day's checks of every asset the rule checked,
-- sorted by asset id, in the little-endian layout `store::water::encode_checks` documents.
-- Rows of the older per-check table `water_checks` are still read; new checks go here.
CREATE TABLE water_check_days (
    rule_id    TEXT NOT NULL,
    check_date TEXT NOT NULL,
    checks     INTEGER NOT NULL,   -- number of checks in `data`
    data       BLOB NOT NULL,
    PRIMARY KEY (rule_id, check_date)
) WITHOUT ROWID;
