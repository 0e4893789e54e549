-- 20261128_0002_tasks: crews and tasks. Never edit once landed; add a new migration instead.

CREATE TABLE crews (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    zones         TEXT NOT NULL DEFAULT '[]',   -- JSON array of zone names; [] = every zone
    skills        TEXT NOT NULL DEFAULT '[]',   -- JSON array of skills
    hours_per_day REAL NOT NULL,
    start_lon     REAL NOT NULL,
    start_lat     REAL NOT NULL
);

-- One row per task. A generated task's identity is (rule_id, asset_id, occurrence); ad-hoc tasks
-- (patrol reports) have rule_id NULL. Times are RFC 3339 with the site's offset; due_date is the
-- local date the task is planned for (moved by blackouts or crew overflow), `deadline_at` is the
-- due time plus the rule's grace. Overdue is derived (open and past deadline_at), never stored.
CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    rule_id      TEXT,
    asset_id     INTEGER NOT NULL REFERENCES assets(id),
    occurrence   TEXT NOT NULL,
    task_type    TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    due_date     TEXT NOT NULL,
    deadline_at  TEXT NOT NULL,
    minutes      REAL NOT NULL,
    skill        TEXT,
    priority     INTEGER NOT NULL DEFAULT 3,
    crew_id      INTEGER REFERENCES crews(id),
    state        TEXT NOT NULL DEFAULT 'open',  -- open | done | skipped | cancelled
    reason       TEXT,                          -- skip/cancel reason code
    note         TEXT,
    moved_from   TEXT,                          -- the date before a blackout or overflow move
    detail       TEXT,                          -- JSON: litres to apply, product, why created
    done_at      TEXT,
    done_by      TEXT,
    water_l      REAL,
    product      TEXT,
    dose         TEXT,
    severity     TEXT,                          -- patrol reports: minor | general | major
    verified_by  TEXT,
    verified_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX tasks_identity ON tasks(rule_id, asset_id, occurrence) WHERE rule_id IS NOT NULL;
CREATE INDEX tasks_due ON tasks(due_date, state);
CREATE INDEX tasks_asset ON tasks(asset_id);
