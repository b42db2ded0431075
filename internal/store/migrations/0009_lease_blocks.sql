-- Leases in blocks (see leases.go) instead of a row each: an export of
-- 100,000 numbers wrote 100,000 rows (0.2-0.4 s of its second), and the
-- next export read them all back. A block holds up to 256 numbers of one
-- export, base and agent whose keys share a bucket (the key divided by a
-- million), with its least and greatest key: a number's lease is found
-- through the index, among the blocks of its bucket whose range holds it.
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
	first     INTEGER NOT NULL, -- the least key
	last      INTEGER NOT NULL, -- the greatest key
	nums      TEXT NOT NULL     -- JSON array of the keys (E.164 digits), 1 to 256 of them
) STRICT;
CREATE INDEX lease_blocks_range ON lease_blocks (bucket, first, last);
INSERT INTO lease_blocks (export_id, base_id, agent, until, bucket, first, last, nums)
	SELECT export_id, base_id, agent, until, bucket, min(num), max(num), json_group_array(num ORDER BY num)
	FROM (SELECT num, export_id, base_id, agent, until, num / 1000000 AS bucket,
			(row_number() OVER (PARTITION BY export_id, base_id, agent, until, num / 1000000 ORDER BY num) - 1) / 256 AS part
		FROM leases)
	GROUP BY export_id, base_id, agent, until, bucket, part;
DROP TABLE leases;
