-- Leases without the declared foreign key to numbers. An export inserts a
-- lease per number, and SQLite checked each one's number: a seek into the
-- numbers table (a gigabyte for 5M numbers, mostly outside the page
-- cache) per row. The store leases only numbers it has just read in the
-- same transaction, forget deletes a number's lease with it, and
-- Store.Check holds leases to the reference, as 0002 did for the bulk
-- tables. The references to exports and bases stay: those tables are small.
CREATE TABLE leases_new (
	num       INTEGER PRIMARY KEY, -- numbers (num)
	export_id INTEGER NOT NULL REFERENCES exports (id),
	base_id   INTEGER NOT NULL REFERENCES bases (id),
	agent     TEXT NOT NULL DEFAULT '',
	until     TEXT NOT NULL
) STRICT;
INSERT INTO leases_new (num, export_id, base_id, agent, until)
	SELECT num, export_id, base_id, agent, until FROM leases;
DROP TABLE leases;
ALTER TABLE leases_new RENAME TO leases;
