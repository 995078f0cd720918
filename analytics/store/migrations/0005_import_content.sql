-- Whether a file was imported before is decided by what it holds, not by its bytes: the SHA-256
-- of its records in a fixed order, whatever their encoding, line endings, separator, column
-- order or row order (issue 11). Imports from before this migration have none; their files are
-- still known by their bytes (`sha256`).
ALTER TABLE imports ADD COLUMN content_sha256 VARCHAR;
