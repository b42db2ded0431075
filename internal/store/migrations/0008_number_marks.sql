-- A number's row holds only what an import writes: its kind (type and
-- country), place and first import, four integers. What calls, marks and
-- the numbering plan set later (status, temperature, callback, opt-out,
-- detachment, the last call) is kept in number_marks, for the numbers
-- that have any of it: few, against millions imported. SQLite writes a
-- row column by column, and fourteen columns cost an import of a million
-- new numbers 3.1 s of its 7.6 s; four, 1.8 s.
--
-- numbers stays as a view with the columns it had, so reads are as
-- before; writes go to the tables (see history.go, numplan.go, writer.go).
-- Like base_links, the tables declare no foreign keys; Store.Check holds
-- them to their references.

CREATE TABLE kinds (
	id      INTEGER PRIMARY KEY,
	type    TEXT NOT NULL,
	country TEXT NOT NULL,
	UNIQUE (type, country)
) STRICT;

CREATE TABLE number_keys (
	num             INTEGER PRIMARY KEY, -- E.164 without the '+'
	kind            INTEGER NOT NULL,    -- kinds (id)
	place_id        INTEGER NOT NULL,    -- places (id)
	first_import_id INTEGER              -- imports (id); NULL when first met outside a base (a call log, an opt-out)
) STRICT;

-- A number without a row here is active, cold, never called, not opted
-- out nor detached, with no callback: the defaults.
CREATE TABLE number_marks (
	num            INTEGER PRIMARY KEY, -- number_keys (num)
	-- Checks as comparisons: for an IN list SQLite builds a temporary
	-- index per row written, which once made writing numbers twice as slow.
	status         TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'dead'),
	dead_reason    TEXT NOT NULL DEFAULT '', -- why a dead number is dead, e.g. 'unallocated'
	temperature    TEXT NOT NULL DEFAULT 'cold'
		CHECK (temperature = 'cold' OR temperature = 'warm' OR temperature = 'hot' OR temperature = 'customer'),
	callback_at    TEXT NOT NULL DEFAULT '',
	opted_out_at   TEXT NOT NULL DEFAULT '',
	detached_at    TEXT NOT NULL DEFAULT '',
	last_call_at   TEXT NOT NULL DEFAULT '',
	last_outcome   TEXT NOT NULL DEFAULT '',
	last_call_base INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The numbers anything happened to, as numbers_touched of 0004 was.
CREATE INDEX number_marks_touched ON number_marks (num)
	WHERE last_call_at != '' OR temperature != 'cold' OR callback_at != '';

-- No ORDER BY: with one, SQLite sorted every number first (5M: 8 s, 340 MB).
INSERT INTO kinds (type, country) SELECT DISTINCT type, country FROM numbers;
INSERT INTO number_keys (num, kind, place_id, first_import_id)
	SELECT n.num, k.id, n.place_id, n.first_import_id FROM numbers n JOIN kinds k ON k.type = n.type AND k.country = n.country;
INSERT INTO number_marks (num, status, dead_reason, temperature, callback_at, opted_out_at, detached_at,
		last_call_at, last_outcome, last_call_base)
	SELECT num, status, dead_reason, temperature, callback_at, opted_out_at, detached_at,
		last_call_at, last_outcome, last_call_base
	FROM numbers WHERE status != 'active' OR dead_reason != '' OR temperature != 'cold' OR callback_at != ''
		OR opted_out_at != '' OR detached_at != '' OR last_call_at != '' OR last_outcome != '' OR last_call_base != 0;

-- calls, events and consents referred to numbers, which becomes a view:
-- rebuilt to refer to number_keys, as they were otherwise.
CREATE TABLE calls_new (
	id          INTEGER PRIMARY KEY,
	num         INTEGER NOT NULL REFERENCES number_keys (num),
	at          TEXT NOT NULL,
	outcome     TEXT NOT NULL CHECK (outcome IN ('answered', 'interested', 'callback', 'sale', 'refused',
		'do_not_call', 'no_answer', 'busy', 'voicemail', 'wrong_number', 'not_in_service')),
	agent       TEXT NOT NULL DEFAULT '',
	duration    INTEGER NOT NULL DEFAULT 0, -- seconds
	callback_at TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL, -- the log file it came from, or 'calls add'
	UNIQUE (num, at, agent, outcome) -- the same call imported again is the same call
) STRICT;
INSERT INTO calls_new SELECT id, num, at, outcome, agent, duration, callback_at, note, source FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;

CREATE TABLE events_new (
	id     INTEGER PRIMARY KEY,
	num    INTEGER NOT NULL REFERENCES number_keys (num),
	at     TEXT NOT NULL,
	what   TEXT NOT NULL, -- dead, alive, temperature, callback, opted_out, detached, consent
	detail TEXT NOT NULL DEFAULT '',
	cause  TEXT NOT NULL,
	actor  TEXT NOT NULL
) STRICT;
INSERT INTO events_new SELECT id, num, at, what, detail, cause, actor FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_num ON events (num, at);

CREATE TABLE consents_new (
	id          INTEGER PRIMARY KEY,
	num         INTEGER NOT NULL REFERENCES number_keys (num),
	scope       TEXT NOT NULL CHECK (scope IN ('pd', 'ads')),
	granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
	at          TEXT NOT NULL,
	expires_at  TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL DEFAULT '',
	evidence    TEXT NOT NULL DEFAULT '',
	actor       TEXT NOT NULL,
	recorded_at TEXT NOT NULL,
	UNIQUE (num, scope, at, granted)
) STRICT;
INSERT INTO consents_new SELECT id, num, scope, granted, at, expires_at, source, evidence, actor, recorded_at FROM consents;
DROP TABLE consents;
ALTER TABLE consents_new RENAME TO consents;

DROP INDEX numbers_touched;
-- Dropped without overwriting its pages: all it held is in the new tables,
-- and forget, which must leave no byte of a number behind, rebuilds the
-- file (Store.Compact) after erasing. Overwriting them made the migration
-- of 5M numbers hold 150 MB more memory. The connection's own setting is
-- put back at once.
PRAGMA secure_delete = 0;
DROP TABLE numbers;
PRAGMA secure_delete = 1;

CREATE VIEW numbers AS
	SELECT k.num, t.type, t.country, k.place_id,
		coalesce(m.status, 'active') AS status, coalesce(m.dead_reason, '') AS dead_reason, k.first_import_id,
		coalesce(m.temperature, 'cold') AS temperature, coalesce(m.callback_at, '') AS callback_at,
		coalesce(m.opted_out_at, '') AS opted_out_at, coalesce(m.detached_at, '') AS detached_at,
		coalesce(m.last_call_at, '') AS last_call_at, coalesce(m.last_outcome, '') AS last_outcome,
		coalesce(m.last_call_base, 0) AS last_call_base
	FROM number_keys k JOIN kinds t ON t.id = k.kind LEFT JOIN number_marks m ON m.num = k.num;
