-- What is known about a number besides the bases it came in: its calls,
-- every change of its status as an event, consent, opt-out, and the
-- numbers forgotten at their owners' request.

-- temperature: cold until a call shows interest; customer after a sale.
-- callback_at: the time promised by the latest call, when it asked for a
-- callback ('' none). opted_out_at: never callable again since then ('' not
-- opted out). detached_at: a call reached the wrong person, so the names of
-- the number's rows are not its owner's ('' not detached).
ALTER TABLE numbers ADD COLUMN temperature TEXT NOT NULL DEFAULT 'cold'
	CHECK (temperature IN ('cold', 'warm', 'hot', 'customer'));
ALTER TABLE numbers ADD COLUMN callback_at TEXT NOT NULL DEFAULT '';
ALTER TABLE numbers ADD COLUMN opted_out_at TEXT NOT NULL DEFAULT '';
ALTER TABLE numbers ADD COLUMN detached_at TEXT NOT NULL DEFAULT '';

-- Times are RFC 3339 in UTC, so text order is time order.
CREATE TABLE calls (
	id          INTEGER PRIMARY KEY,
	num         INTEGER NOT NULL REFERENCES numbers (num),
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

-- Every change of a number's status, with what caused it and who.
CREATE TABLE events (
	id     INTEGER PRIMARY KEY,
	num    INTEGER NOT NULL REFERENCES numbers (num),
	at     TEXT NOT NULL,
	what   TEXT NOT NULL, -- dead, alive, temperature, callback, opted_out, detached, consent
	detail TEXT NOT NULL DEFAULT '',
	cause  TEXT NOT NULL,
	actor  TEXT NOT NULL
) STRICT;
CREATE INDEX events_num ON events (num, at);

-- Consent events, all kept as evidence; the latest per scope is in force.
CREATE TABLE consents (
	id          INTEGER PRIMARY KEY,
	num         INTEGER NOT NULL REFERENCES numbers (num),
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

-- Forgotten numbers, as keyed hashes only (HMAC-SHA256 of the E.164
-- digits under the database's secret): recognised when a base brings them
-- back, yet not readable from the file.
CREATE TABLE forgotten (
	hash BLOB PRIMARY KEY,
	at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

ALTER TABLE imports ADD COLUMN suppressed_numbers INTEGER NOT NULL DEFAULT 0;
