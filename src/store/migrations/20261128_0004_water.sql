-- 20261128_0004_water: the soil-water balance of each asset. Never edit once landed.

-- Where each asset's bucket stands: depletion (mm below field capacity) at the end of `as_of`.
CREATE TABLE water_balance (
    asset_id     INTEGER PRIMARY KEY REFERENCES assets(id),
    depletion_mm REAL NOT NULL,
    as_of        TEXT NOT NULL
);

-- Every water-need check: what the balance said and why a task was or was not created.
CREATE TABLE water_checks (
    rule_id      TEXT NOT NULL,
    asset_id     INTEGER NOT NULL REFERENCES assets(id),
    check_date   TEXT NOT NULL,
    depletion_mm REAL NOT NULL,
    raw_mm       REAL NOT NULL,
    litres       REAL,              -- litres to apply when a task was created
    task_created INTEGER NOT NULL,  -- 0/1
    reason       TEXT NOT NULL,
    PRIMARY KEY (rule_id, asset_id, check_date)
) WITHOUT ROWID;
CREATE INDEX water_checks_asset ON water_checks(asset_id, check_date);

-- Days an asset ended over MAD × TAW (water stress), for the coverage charts.
CREATE TABLE water_stress (
    asset_id     INTEGER NOT NULL REFERENCES assets(id),
    date         TEXT NOT NULL,
    depletion_mm REAL NOT NULL,
    PRIMARY KEY (asset_id, date)
) WITHOUT ROWID;
