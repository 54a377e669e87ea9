-- The search index merges its segments less eagerly (docs/search.md, BENCHMARKS.md "Speed").
-- FTS5 writes a segment at each commit of the D1 copy and, by default, merges a level's
-- segments once 4 wait ('automerge' 4) and all of them at once at 16 ('crisismerge'). Each
-- merge runs inside one of the copy's transactions, and the largest made the longest pauses of
-- the copy: under `wrangler dev` D1 shares the thread of every room. With 16 and 32, the
-- copy's slowest transactions are about half as long and a row costs up to a fifth less
-- (bench/probes/d1-copy, two runs in workerd's D1, 300 rows per transaction: the slowest of 30
-- 14-16 ms against 19-30, 21-25 µs per row against 25-32); a search reads up to four times as
-- many segments per level, which the search benchmark could not tell (BENCHMARKS.md).
INSERT INTO message_index(message_index, rank) VALUES('automerge', 16);
INSERT INTO message_index(message_index, rank) VALUES('crisismerge', 32);
