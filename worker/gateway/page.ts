/**
 * Which page of a room's history the room reads (gateway/history.ts asks, room/message-log.ts
 * reads): the newest, or before, after or around a seq; or the messages at given seqs as they
 * are now (search checks its hits with them).
 */
export type PageAt = { before: number | null } | { after: number } | { around: number } | { seqs: number[] };
