-- Leases in blocks (see leases.go) instead of a row each: an export of
-- 100,000 numbers wrote 100,000 rows (0.2-0.4 s of its second), and the
-- next export read them all back. A block holds the numbers of one
-- export, base and agent whose keys share a bucket (the key divided by
-- a million), so a number's lease is found among the few blocks of its
-- bucket.
--
-- Like leases, it declares no foreign keys; Store.Check holds it to its
-- numbers, exports and bases, and each number to one block.
CREATE TABLE lease_blocks (
	id        INTEGER PRIMARY KEY,
	export_id INTEGER NOT NULL, -- exports (id)
	base_id   INTEGER NOT NULL, -- bases (id)
	agent     TEXT NOT NULL DEFAULT '',
	until     TEXT NOT NULL,
	bucket    INTEGER NOT NULL, -- every key's num / 1000000
	nums      TEXT NOT NULL     -- JSON array of the keys (E.164 digits), at least one
) STRICT;
CREATE INDEX lease_blocks_bucket ON lease_blocks (bucket);
INSERT INTO lease_blocks (export_id, base_id, agent, until, bucket, nums)
	SELECT export_id, base_id, agent, until, num / 1000000, json_group_array(num)
	FROM leases GROUP BY export_id, base_id, agent, until, num / 1000000;
DROP TABLE leases;
