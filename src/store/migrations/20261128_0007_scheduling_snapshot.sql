-- 20261128_0007_scheduling_snapshot: a compact copy of what the scheduler reads of each asset,
-- kept beside the register, chunk by chunk, each chunk dropped by any change to one of its
-- assets. Never edit once landed.
--
-- A scheduling run reads every asset (a million rows in a big city, each with its GeoJSON,
-- names and import stamps); the snapshot holds only the columns of the scheduling query,
-- encoded (`store::scheduling` documents the encoding), in chunks of 32,768 consecutive ids:
-- chunk k holds the assets with ids k * 32768 to (k + 1) * 32768 - 1, that is id >> 15. It is a
-- cache, never the truth: a chunk that is missing is read from the `assets` rows by the next
-- scheduling run, which stores it again.

-- One row: bumped by every insert, update and delete of an asset (the triggers below), so a
-- command can tell whether the register changed since it read it. A large import suspends the
-- triggers, bumps it once and drops the whole snapshot (`store::Tx::resume_asset_triggers`).
CREATE TABLE register_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO register_generation (id, generation) VALUES (1, 0);

CREATE TABLE scheduling_snapshot (
    chunk      INTEGER PRIMARY KEY,   -- id >> 15 of the assets it holds
    format     INTEGER NOT NULL,      -- encoding version (`store::scheduling::FORMAT`)
    rows       INTEGER NOT NULL,      -- assets in `data` (0 for ids no asset has)
    data       BLOB NOT NULL
);

-- Any change to an asset, by greenward or by hand in an SQLite tool: the generation moves and
-- the chunk of the asset is dropped.
CREATE TRIGGER assets_generation_insert AFTER INSERT ON assets
BEGIN
    UPDATE register_generation SET generation = generation + 1 WHERE id = 1;
    DELETE FROM scheduling_snapshot WHERE chunk = NEW.id >> 15;
END;
CREATE TRIGGER assets_generation_update AFTER UPDATE ON assets
BEGIN
    UPDATE register_generation SET generation = generation + 1 WHERE id = 1;
    DELETE FROM scheduling_snapshot WHERE chunk IN (OLD.id >> 15, NEW.id >> 15);
END;
CREATE TRIGGER assets_generation_delete AFTER DELETE ON assets
BEGIN
    UPDATE register_generation SET generation = generation + 1 WHERE id = 1;
    DELETE FROM scheduling_snapshot WHERE chunk = OLD.id >> 15;
END;
