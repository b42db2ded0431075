-- The foundation: bases, imports, the rows of every imported file and the
-- numbers found in them. A number is keyed by its E.164 digits as an integer,
-- so the key is the rowid itself and needs no second index.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE sources (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE bases (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	source_id   INTEGER REFERENCES sources (id),
	temperature TEXT NOT NULL DEFAULT 'cold' CHECK (temperature IN ('cold', 'warm', 'hot')),
	created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE imports (
	id              INTEGER PRIMARY KEY,
	base_id         INTEGER NOT NULL REFERENCES bases (id),
	file            TEXT NOT NULL,
	sha256          TEXT NOT NULL,
	format          TEXT NOT NULL,
	imported_at     TEXT NOT NULL,
	rows            INTEGER NOT NULL DEFAULT 0,
	numbers         INTEGER NOT NULL DEFAULT 0,
	unique_numbers  INTEGER NOT NULL DEFAULT 0,
	new_numbers     INTEGER NOT NULL DEFAULT 0,
	known_numbers   INTEGER NOT NULL DEFAULT 0,
	file_duplicates INTEGER NOT NULL DEFAULT 0,
	UNIQUE (base_id, sha256)
) STRICT;

-- One table (a CSV file, or one sheet of a workbook) of an import, with the
-- header its rows' fields follow.
CREATE TABLE import_tables (
	import_id  INTEGER NOT NULL REFERENCES imports (id),
	idx        INTEGER NOT NULL,
	sheet      TEXT NOT NULL,
	header     TEXT NOT NULL, -- JSON array of column names
	phone_cols TEXT NOT NULL, -- JSON array of 0-based column indexes
	PRIMARY KEY (import_id, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE import_rejects (
	import_id INTEGER NOT NULL REFERENCES imports (id),
	reason    TEXT NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (import_id, reason)
) STRICT, WITHOUT ROWID;

-- Every row of every imported file, with its original fields.
CREATE TABLE rows (
	id        INTEGER PRIMARY KEY,
	import_id INTEGER NOT NULL REFERENCES imports (id),
	tbl       INTEGER NOT NULL,
	line      INTEGER NOT NULL,
	fields    TEXT NOT NULL -- JSON array, in the order of the table's header
) STRICT;
CREATE INDEX rows_import ON rows (import_id);

-- Where a number rings (operator, region, zones) is derived from the
-- numbering plan in use and derived again when another plan is loaded.
CREATE TABLE numbers (
	num             INTEGER PRIMARY KEY, -- E.164 without the '+'
	type            TEXT NOT NULL,
	country         TEXT NOT NULL,
	operator        TEXT NOT NULL DEFAULT '',
	region          TEXT NOT NULL DEFAULT '',
	zones           TEXT NOT NULL DEFAULT '', -- IANA zones joined by ','
	status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dead')),
	dead_reason     TEXT NOT NULL DEFAULT '', -- why a dead number is dead, e.g. 'unallocated'
	first_import_id INTEGER NOT NULL REFERENCES imports (id)
) STRICT;

CREATE TABLE row_numbers (
	row_id INTEGER NOT NULL REFERENCES rows (id),
	num    INTEGER NOT NULL REFERENCES numbers (num),
	col    INTEGER NOT NULL,
	ext    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (row_id, num)
) STRICT, WITHOUT ROWID;
CREATE INDEX row_numbers_num ON row_numbers (num);

CREATE TABLE base_numbers (
	base_id      INTEGER NOT NULL REFERENCES bases (id),
	num          INTEGER NOT NULL REFERENCES numbers (num),
	first_row_id INTEGER NOT NULL REFERENCES rows (id),
	PRIMARY KEY (base_id, num)
) STRICT, WITHOUT ROWID;
CREATE INDEX base_numbers_num ON base_numbers (num);

-- The numbering plan loaded by `numplan load`; none means the embedded one.
CREATE TABLE numplan (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	source    TEXT NOT NULL,
	date      TEXT NOT NULL,
	loaded_at TEXT NOT NULL,
	data      BLOB NOT NULL
) STRICT;
