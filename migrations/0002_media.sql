-- Media messages: a kind, and the attachment's metadata as JSON (bytes live in R2).
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN attachment TEXT;
