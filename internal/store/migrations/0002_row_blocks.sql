-- Bulk loading: rows packed in blocks (see blocks.go) instead of one row
-- each, numbers' places kept once in places instead of on every number,
-- and no index that no query needs. An import then writes a few thousand
-- blocks and, per number, one row of numbers and one of base_numbers.
--
-- numbers and base_numbers declare no foreign keys: checking two parents
-- for each of millions of rows made an import a quarter slower. The store
-- writes them only after their parents, and Store.Check holds them to it.
--
-- The rows of 0001 are packed into blocks by the Go step of this
-- migration (migrate.go), which then drops the tables of 0001 this one
-- replaces.

-- Where numbers ring: few distinct values shared by many numbers.
CREATE TABLE places (
	id       INTEGER PRIMARY KEY,
	operator TEXT NOT NULL,
	region   TEXT NOT NULL,
	zones    TEXT NOT NULL, -- IANA zones joined by ','
	UNIQUE (operator, region, zones)
) STRICT;

-- Up to 256 rows of one table of an import; row id = block id * 256 + index.
CREATE TABLE row_blocks (
	id        INTEGER PRIMARY KEY,
	import_id INTEGER NOT NULL REFERENCES imports (id),
	tbl       INTEGER NOT NULL,
	data      BLOB NOT NULL -- rows with their fields, and the numbers found in them
) STRICT;
CREATE INDEX row_blocks_import ON row_blocks (import_id);

CREATE TABLE numbers_new (
	num             INTEGER PRIMARY KEY, -- E.164 without the '+'
	type            TEXT NOT NULL,
	country         TEXT NOT NULL,
	place_id        INTEGER NOT NULL, -- places (id)
	status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dead')),
	dead_reason     TEXT NOT NULL DEFAULT '', -- why a dead number is dead, e.g. 'unallocated'
	first_import_id INTEGER -- imports (id); NULL when first met outside a base (a call log, an opt-out)
) STRICT;

-- Which bases hold a number is asked base by base, (base_id, num), so the
-- key is the only index.
CREATE TABLE base_numbers_new (
	base_id      INTEGER NOT NULL,
	num          INTEGER NOT NULL,
	first_row_id INTEGER NOT NULL, -- the row of the base it was first found in
	PRIMARY KEY (base_id, num)
) STRICT, WITHOUT ROWID;

INSERT INTO places (operator, region, zones)
	SELECT DISTINCT operator, region, zones FROM numbers ORDER BY 1, 2, 3;
INSERT INTO numbers_new (num, type, country, place_id, status, dead_reason, first_import_id)
	SELECT n.num, n.type, n.country, p.id, n.status, n.dead_reason, n.first_import_id
	FROM numbers n JOIN places p ON p.operator = n.operator AND p.region = n.region AND p.zones = n.zones;
