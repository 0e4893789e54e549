-- 20261127_0001_register: the asset register. Never edit once landed; add a new migration instead.

-- The site configuration as loaded from site.toml (one row per key, values are JSON).
CREATE TABLE site (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Management zones: a square, a street section, a park. `geometry` is a GeoJSON geometry in
-- WGS84 lon/lat, NULL for a zone known only by name.
CREATE TABLE zones (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    name_zh    TEXT,
    name_bo    TEXT,
    name_en    TEXT,
    label      TEXT,
    geometry   TEXT,
    area_m2    REAL,
    min_lon    REAL, min_lat REAL, max_lon REAL, max_lat REAL,
    tags       TEXT NOT NULL DEFAULT '{}',
    source     TEXT,
    created_at TEXT NOT NULL
);

-- Every change: one row per edited field, one row per bulk import (detail holds file, source, counts).
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT,
    action    TEXT NOT NULL,
    asset_id  INTEGER,
    asset_ref TEXT,
    field     TEXT,
    old_value TEXT,
    new_value TEXT,
    detail    TEXT
);
CREATE INDEX audit_asset ON audit(asset_id);

-- Assets: planting sites (trees, flower-box groups) with their current occupant, and areas.
CREATE TABLE assets (
    id             INTEGER PRIMARY KEY,
    ref            TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,
    zone_id        INTEGER NOT NULL REFERENCES zones(id),
    site_state     TEXT,
    name           TEXT,
    name_zh        TEXT,
    name_bo        TEXT,
    name_en        TEXT,
    lon            REAL NOT NULL,
    lat            REAL NOT NULL,
    geometry       TEXT NOT NULL,
    species        TEXT,
    genus          TEXT,
    species_zh     TEXT,
    species_en     TEXT,
    dbh_cm         REAL,
    height_m       REAL,
    crown_m        REAL,
    planted_on     TEXT,
    condition      TEXT,
    heritage_grade INTEGER,
    box_count      INTEGER,
    box_length_m   REAL,
    box_width_m    REAL,
    box_depth_m    REAL,
    planting       TEXT,
    tree_count     INTEGER,
    plant          TEXT,
    park_type      TEXT,
    water          TEXT,
    area_m2        REAL,
    volume_m3      REAL,
    occupant_no    INTEGER NOT NULL DEFAULT 1,
    tags           TEXT NOT NULL DEFAULT '{}',
    source         TEXT,
    source_id      TEXT,
    import_id      INTEGER REFERENCES audit(id),
    imported_at    TEXT,
    retired_at     TEXT,
    retired_reason TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX assets_source_key ON assets(source, source_id);
CREATE INDEX assets_zone ON assets(zone_id);
CREATE INDEX assets_kind ON assets(kind);

-- Past occupants of a planting site (a removed tree, an earlier box planting). The current one
-- lives on the asset row; `data` is a JSON snapshot of its fields.
CREATE TABLE occupants (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets(id),
    occupant_no INTEGER NOT NULL,
    ended_on    TEXT NOT NULL,
    end_reason  TEXT,
    data        TEXT NOT NULL
);
CREATE INDEX occupants_asset ON occupants(asset_id);
