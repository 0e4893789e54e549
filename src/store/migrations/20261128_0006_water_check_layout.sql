-- 20261128_0006_water_check_layout: `water_check_days` as a rowid table with a `layout` column.
-- Never edit once landed.
--
-- `layout` says how a row's `data` is encoded:
-- 1: each check with its reason written out (every row from before this migration);
-- 2: each check in about ten bytes: asset ids as deltas, a tag byte saying why the check did or
--    did not create a task, and only the numbers the reason text is made from; the text is
--    formatted when the row is read. `store::water::encode_records` documents the layout.
--
-- The table of migration 0005 was WITHOUT ROWID: its key was the whole row, so every seek that
-- compared against a row read that row's blob (tens of megabytes for a city) into memory. Here
-- the unique index holds only the rule and day, and a row's blob is read only when it is fetched.
CREATE TABLE water_check_days_rowid (
    rule_id    TEXT NOT NULL,
    check_date TEXT NOT NULL,
    checks     INTEGER NOT NULL,   -- number of checks in `data`
    layout     INTEGER NOT NULL DEFAULT 1,
    data       BLOB NOT NULL,
    UNIQUE (rule_id, check_date)
);
INSERT INTO water_check_days_rowid (rule_id, check_date, checks, layout, data)
    SELECT rule_id, check_date, checks, 1, data FROM water_check_days ORDER BY rule_id, check_date;
DROP TABLE water_check_days;
ALTER TABLE water_check_days_rowid RENAME TO water_check_days;
