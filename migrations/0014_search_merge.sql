-- The search index merges its segments less eagerly (docs/search.md, BENCHMARKS.md "Speed").
-- FTS5 writes a segment at each commit of the D1 copy and, by default, merges a level's
-- segments once 4 wait ('automerge' 4) and all of them at once at 16 ('crisismerge'). Each
-- merge runs inside one of the copy's transactions, and the largest made the longest pauses of
-- the copy: under `wrangler dev` D1 shares the thread of every room. With 16 and 32, a copy of
-- 300 rows costs about a fifth less and its slowest transactions half as long (measured in
-- workerd: 27 -> 21 µs per row, the slowest of 30 from 30 to 14 ms); a search reads up to four
-- times as many segments per level, which the search benchmark measures.
INSERT INTO message_index(message_index, rank) VALUES('automerge', 16);
INSERT INTO message_index(message_index, rank) VALUES('crisismerge', 32);
