-- 20261128_0009_task_indexes: the task identity index asset-first, and completions by rule
-- through an index of done tasks only. Never edit once landed; add a new migration instead.
--
-- Every scheduling run inserts a day of tasks (190,000 in a city of a million assets) into each
-- index of `tasks`. `tasks_identity (rule_id, asset_id, occurrence)` and `tasks_asset
-- (asset_id)` both took each new task in the middle of their entries for earlier days; one
-- asset-first identity index serves both the identity and the per-asset queries (an asset's
-- tasks, a retirement's open tasks), so the day is inserted into one such index instead of two.
-- It is no longer partial: ad-hoc tasks (rule_id NULL) are in it for their asset, and stay
-- distinct (NULLs never clash in a UNIQUE index).
--
-- What read a rule's tasks through the old index's rule prefix now reads: the done tasks of a
-- rule (pest treatments done) through `tasks_done`, which new (open) tasks never enter; a
-- `single_open` rule's open task of an asset through the identity index, asset by asset.
-- Nothing lists all of a rule's tasks (that would read the whole table).
DROP INDEX tasks_identity;
DROP INDEX tasks_asset;
CREATE UNIQUE INDEX tasks_identity ON tasks(asset_id, rule_id, occurrence);
CREATE INDEX tasks_done ON tasks(rule_id, asset_id, done_at) WHERE state = 'done';
