-- 20261128_0006_water_check_layout: which layout a `water_check_days` row's `data` is in. Never
-- edit once landed.
--
-- 1: each check with its reason written out (rows of databases from before this migration).
-- 2: each check in about ten bytes: asset ids as deltas, a tag byte saying why the check did or
--    did not create a task, and only the numbers the reason text is made from; the text is
--    formatted when the row is read. `store::water::encode_records` documents the layout.
ALTER TABLE water_check_days ADD COLUMN layout INTEGER NOT NULL DEFAULT 1;
