-- The last completion of each rule on each asset: interval rules roll forward from it. Kept by a
-- trigger as tasks are marked done, so that a scheduling run reads one row per rule and asset
-- instead of grouping every done task of the table (a million-asset city marks ~200,000 done a
-- day). Done tasks are never changed back (done is final), so the greatest `done_at` stands.
CREATE TABLE task_last_done (
    rule_id  TEXT NOT NULL,
    asset_id INTEGER NOT NULL,
    done_at  TEXT NOT NULL,  -- RFC 3339: the greatest done_at of the rule's done tasks on the asset
    PRIMARY KEY (rule_id, asset_id)
) WITHOUT ROWID;

INSERT INTO task_last_done (rule_id, asset_id, done_at)
SELECT rule_id, asset_id, max(done_at) FROM tasks
WHERE state = 'done' AND rule_id IS NOT NULL AND done_at IS NOT NULL
GROUP BY rule_id, asset_id;

-- On updates of the state or completion time only: the inserts of a scheduling run (open tasks)
-- do not fire it. greenward never inserts a generated task already done.
CREATE TRIGGER tasks_last_done AFTER UPDATE OF state, done_at ON tasks
WHEN NEW.state = 'done' AND NEW.rule_id IS NOT NULL AND NEW.done_at IS NOT NULL
BEGIN
    INSERT INTO task_last_done (rule_id, asset_id, done_at)
    VALUES (NEW.rule_id, NEW.asset_id, NEW.done_at)
    ON CONFLICT (rule_id, asset_id) DO UPDATE SET done_at = max(done_at, excluded.done_at);
END;
