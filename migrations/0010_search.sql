-- Message search (docs/search.md): an FTS5 index over D1's copy of the messages, written by
-- each room's copy to D1 (never inside a message's ack).
--
-- `search_id` numbers the copied messages in the order they were copied (each room's in seq
-- order): it is the index's rowid, so FTS5 walks hits newest first without sorting, and a
-- page's cursor is the last rowid it saw. The index is contentless (it keeps no text, only
-- terms): the text stays in `messages` and in each room's log, where every hit is checked.
ALTER TABLE messages ADD COLUMN search_id INTEGER;
CREATE INDEX messages_search ON messages(search_id) WHERE search_id IS NOT NULL;

CREATE VIRTUAL TABLE message_index USING fts5(
  terms,
  content = '',
  contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);

-- Messages copied before search existed: numbered in time order and indexed from their raw
-- text, lower-cased (unicode61 splits it at spaces and punctuation: Latin, Cyrillic, Arabic
-- and other spaced scripts are found; a CJK run is one word, and emoji are not indexed).
-- Edits re-index them the new way.
UPDATE messages SET search_id = n.id
FROM (SELECT room_id, seq, row_number() OVER (ORDER BY created_at, room_id, seq) AS id FROM messages) AS n
WHERE messages.room_id = n.room_id AND messages.seq = n.seq;

INSERT INTO message_index (rowid, terms)
SELECT search_id, lower(body || ' ' || coalesce(json_extract(attachment, '$.name'), '')) FROM messages WHERE deleted = 0 AND body || coalesce(attachment, '') != '';
