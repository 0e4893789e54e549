-- 20261128_0003_weather_ipm: daily weather, pest scouting observations and the pesticide record.
-- Never edit once landed; add a new migration instead.

-- Observed and forecast days, one row per site-local date (YYYY-MM-DD). Days without a row are
-- filled from the site's climate normals when the series is built; those are never stored.
CREATE TABLE weather (
    date        TEXT PRIMARY KEY,
    tmin_c      REAL NOT NULL,
    tmax_c      REAL NOT NULL,
    rain_mm     REAL NOT NULL,
    rh_max_pct  REAL,
    rh_min_pct  REAL,
    wind_ms     REAL,                                      -- mean at 2 m
    sunshine_h  REAL,
    forecast    INTEGER NOT NULL DEFAULT 0 CHECK (forecast IN (0, 1)),
    source      TEXT,                                      -- the file it was imported from
    imported_at TEXT NOT NULL
);

-- Scouting observations: a pest seen (or looked for and not seen: severity 0) on an asset.
CREATE TABLE observations (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets(id),
    pest_id     TEXT NOT NULL,                             -- id in the site's pests.toml
    severity    INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
    pct_crown   REAL CHECK (pct_crown IS NULL OR pct_crown BETWEEN 0 AND 100),
    observed_at TEXT NOT NULL,                             -- site-local date of the visit
    observer    TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX observations_pest ON observations(pest_id, observed_at);
CREATE INDEX observations_asset ON observations(asset_id);

-- The season's pesticide record: one row per asset treated. Weather columns come from the daily
-- series of the application day; weather_source says whether they were observed, forecast or
-- the climate normal.
CREATE TABLE pesticide_log (
    id                INTEGER PRIMARY KEY,
    task_id           INTEGER REFERENCES tasks(id),
    asset_id          INTEGER NOT NULL REFERENCES assets(id),
    pest_id           TEXT,
    applied_at        TEXT NOT NULL,                       -- RFC 3339 with the site's offset
    product           TEXT NOT NULL,
    active_ingredient TEXT,
    dose              TEXT,
    trees             INTEGER,
    area_m2           REAL,
    tmin_c            REAL,
    tmax_c            REAL,
    rain_mm           REAL,
    wind_ms           REAL,
    weather_source    TEXT,                                -- observed | forecast | normal
    applicator        TEXT,
    reentry_h         REAL,
    created_at        TEXT NOT NULL
);
CREATE INDEX pesticide_log_applied ON pesticide_log(applied_at);
CREATE INDEX pesticide_log_asset ON pesticide_log(asset_id);
