-- Where an export's list goes, so that a command killed between the commit
-- that leased its numbers and the rename that puts its file in place can be
-- undone by the next export.

-- The list's file, as an absolute path ('' for stdout).
ALTER TABLE exports ADD COLUMN path TEXT NOT NULL DEFAULT '';
-- The temporary file holding the finished list until it is renamed to path;
-- '' once it is in place.
ALTER TABLE exports ADD COLUMN pending TEXT NOT NULL DEFAULT '';
