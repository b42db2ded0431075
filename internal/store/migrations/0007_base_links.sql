-- The numbers of a base in blocks (see links.go) instead of a row each:
-- writing a million rows of base_numbers took 1.6 s of a 9 s import, a
-- million links in eight thousand blocks a tenth of a second.
--
-- Like base_numbers, it declares no foreign keys; Store.Check holds it to
-- its bases, numbers and rows.
CREATE TABLE base_links (
	id      INTEGER PRIMARY KEY,
	base_id INTEGER NOT NULL, -- bases (id)
	first   INTEGER NOT NULL, -- the block's least number; it answers for those up to the next block's first
	count   INTEGER NOT NULL, -- how many numbers it holds, at least one
	nums    TEXT NOT NULL,    -- JSON array of its numbers (E.164 digits), ascending
	rows    TEXT NOT NULL,    -- JSON array of the row of the base each was first found in, in the same order
	UNIQUE (base_id, first)
) STRICT;

-- The Go step of this migration (packLinks, links.go) packs base_numbers
-- into blocks and drops it: in SQL (window, json_group_array) 5M links
-- took 35 s.
