-- The rest cycle of bases, the call summary of numbers, and the leases of
-- exported call lists.

-- A base is active (worked), resting until rest_until, or archived. Its
-- cycle counts the times it was released; attempts count from the start
-- of the current cycle.
ALTER TABLE bases ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'resting', 'archived'));
ALTER TABLE bases ADD COLUMN cycle INTEGER NOT NULL DEFAULT 1;
ALTER TABLE bases ADD COLUMN cycle_started_at TEXT NOT NULL DEFAULT '';
ALTER TABLE bases ADD COLUMN rest_until TEXT NOT NULL DEFAULT '';
UPDATE bases SET cycle_started_at = created_at;

-- Every change of a base's state.
CREATE TABLE base_events (
	id      INTEGER PRIMARY KEY,
	base_id INTEGER NOT NULL REFERENCES bases (id),
	at      TEXT NOT NULL,
	what    TEXT NOT NULL, -- rest, release, archive
	detail  TEXT NOT NULL DEFAULT '',
	actor   TEXT NOT NULL
) STRICT;
CREATE INDEX base_events_base ON base_events (base_id, at);

-- The latest call of each number, kept with the calls so a call list
-- needs no scan of them.
ALTER TABLE numbers ADD COLUMN last_call_at TEXT NOT NULL DEFAULT '';
ALTER TABLE numbers ADD COLUMN last_outcome TEXT NOT NULL DEFAULT '';
-- The base whose call list carried the number when that call was made
-- (0: called outside any list).
ALTER TABLE numbers ADD COLUMN last_call_base INTEGER NOT NULL DEFAULT 0;
UPDATE numbers SET (last_call_at, last_outcome) = (
	SELECT c.at, c.outcome FROM calls c WHERE c.num = numbers.num ORDER BY c.at DESC, c.id DESC LIMIT 1)
	WHERE EXISTS (SELECT 1 FROM calls c WHERE c.num = numbers.num);

-- The numbers anything happened to: called, warmed, promised a callback.
-- A call list reads them through this index and the untouched rest of a
-- base in import order, stopping when the list is full, instead of
-- walking every number of the base. New numbers are untouched, so imports
-- do not pay for it.
CREATE INDEX numbers_touched ON numbers (num)
	WHERE last_call_at != '' OR temperature != 'cold' OR callback_at != '';

CREATE TABLE exports (
	id      INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	file    TEXT NOT NULL,
	numbers INTEGER NOT NULL,
	actor   TEXT NOT NULL,
	filters TEXT NOT NULL -- the request, as JSON
) STRICT;

-- A number on an exported list is held for it until a call result comes
-- or the lease ends. One row per number: no number is on two live leases.
CREATE TABLE leases (
	num       INTEGER PRIMARY KEY REFERENCES numbers (num),
	export_id INTEGER NOT NULL REFERENCES exports (id),
	base_id   INTEGER NOT NULL REFERENCES bases (id),
	agent     TEXT NOT NULL DEFAULT '',
	until     TEXT NOT NULL
) STRICT;
