-- Profiles (issue #18 "People"): a display name shown with the username, and an avatar.
ALTER TABLE users ADD COLUMN display_name TEXT;

-- The display name as GET /api/users?q= matches it: lower-cased by JavaScript's full Unicode
-- rules (SQLite's lower() and NOCASE fold ASCII only), NULL when there is no display name.
-- The partial index keeps a prefix search a range scan, never a scan of the table.
ALTER TABLE users ADD COLUMN display_key TEXT;
CREATE INDEX users_display_key ON users (display_key) WHERE display_key IS NOT NULL;

-- The avatar's version: a hash of its bytes, which name the R2 object (avatars/{user}/{version})
-- and its URL, so a new picture is a new URL and a URL's bytes never change. NULL: no avatar.
ALTER TABLE users ADD COLUMN avatar_version TEXT;
