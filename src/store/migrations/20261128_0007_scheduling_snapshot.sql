-- 20261128_0007_scheduling_snapshot: a compact copy of what the scheduler reads of each asset,
-- kept beside the register and thrown away by any change to it. Never edit once landed.
--
-- A scheduling run reads every asset (a million rows in a big city, each with its GeoJSON,
-- names and import stamps); the snapshot holds only the columns of the scheduling query, encoded
-- in chunks of consecutive ids (`store::snapshot` documents the encoding). It is a cache, never
-- the truth: it is used only while its `generation` equals the register's, and rebuilt from the
-- `assets` rows by the next scheduling run after any change.

-- One row: bumped by every insert, update and delete of an asset (the triggers below), so any
-- change to the register, by greenward or by hand in an SQLite tool, invalidates the snapshot.
-- A large import suspends the triggers and bumps it once (`store::Tx::drop_asset_indexes`).
CREATE TABLE register_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO register_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER assets_generation_insert AFTER INSERT ON assets
BEGIN
    UPDATE register_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER assets_generation_update AFTER UPDATE ON assets
BEGIN
    UPDATE register_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER assets_generation_delete AFTER DELETE ON assets
BEGIN
    UPDATE register_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TABLE scheduling_snapshot (
    chunk      INTEGER PRIMARY KEY,   -- 0, 1, ...: chunks in id order
    generation INTEGER NOT NULL,      -- the register generation it was read at
    format     INTEGER NOT NULL,      -- encoding version (`store::snapshot::FORMAT`)
    rows       INTEGER NOT NULL,      -- assets in `data`
    data       BLOB NOT NULL
);
