-- Leases without declared foreign keys. An export inserts a lease per
-- number, and SQLite checked each one's three parents: a seek into the
-- numbers table (a gigabyte for 5M numbers, mostly outside the page
-- cache) and a cursor opened on exports and on bases, per row. The store
-- leases only numbers it has just read, for the export it has just
-- inserted, in the same transaction; forget deletes a number's lease with
-- it, UndoExport an export's leases with it, and no base is deleted.
-- Store.Check holds leases to the references, as 0002 did for the bulk
-- tables.
CREATE TABLE leases_new (
	num       INTEGER PRIMARY KEY, -- numbers (num)
	export_id INTEGER NOT NULL, -- exports (id)
	base_id   INTEGER NOT NULL, -- bases (id)
	agent     TEXT NOT NULL DEFAULT '',
	until     TEXT NOT NULL
) STRICT;
INSERT INTO leases_new (num, export_id, base_id, agent, until)
	SELECT num, export_id, base_id, agent, until FROM leases;
DROP TABLE leases;
ALTER TABLE leases_new RENAME TO leases;
