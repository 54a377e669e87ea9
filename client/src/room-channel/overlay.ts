/**
 * A message as it will be once this user's unanswered changes are applied: the screen shows
 * an edit, a deletion or a reaction at once, and the server's answer (the message's real state)
 * replaces it. Pure functions of the message and the changes (types from the wire contract, so
 * that the workerd tests can import them).
 */
import type { ChatMessage as Message, Reaction } from "../../../worker/contract/wire";

/** What this user asked to change in a stored message. */
export type ChangeAsk =
  | { op: "edit"; seq: number; body: string }
  | { op: "delete"; seq: number }
  | { op: "react"; seq: number; emoji: string; on: boolean };

/** A change sent (or to be sent) under its own clientId, and when it was asked. */
export type PendingChange = ChangeAsk & { clientId: string; ts: number };

/** `message` with `change` applied as the server would; `myId` is the one who asked. */
export function applyChange(message: Message, change: PendingChange, myId: string): Message {
  if (message.deleted) return message;
  switch (change.op) {
    case "edit":
      return message.body === change.body ? message : { ...message, body: change.body, editedAt: change.ts };
    case "delete":
      return tombstone(message);
    case "react":
      return withReactions(message, toggled(message.reactions ?? [], change.emoji, change.on, myId));
  }
}

/** Every message with the changes asked for it applied, in the order they were asked. */
export function overlay(messages: Message[], changes: PendingChange[], myId: string): Message[] {
  if (changes.length === 0) return messages;
  const bySeq = new Map<number, PendingChange[]>();
  for (const change of changes) bySeq.set(change.seq, [...(bySeq.get(change.seq) ?? []), change]);
  return messages.map((message) => {
    const asked = bySeq.get(message.seq);
    return asked ? asked.reduce((m, change) => applyChange(m, change, myId), message) : message;
  });
}

/** What remains of a deleted message (protocol: no body, attachment, reactions or reply). */
function tombstone(message: Message): Message {
  const { attachment: _a, reactions: _r, replyTo: _q, editedAt: _e, ...rest } = message;
  return { ...rest, body: "", deleted: true };
}

function withReactions(message: Message, reactions: Reaction[]): Message {
  const { reactions: _, ...rest } = message;
  return reactions.length > 0 ? { ...rest, reactions } : rest;
}

/** The reactions after `userId` put `emoji` on or took it off (first-use order kept). */
export function toggled(reactions: Reaction[], emoji: string, on: boolean, userId: string): Reaction[] {
  const found = reactions.find((r) => r.emoji === emoji);
  if (on) {
    if (found?.userIds.includes(userId)) return reactions;
    if (!found) return [...reactions, { emoji, count: 1, userIds: [userId] }];
    return reactions.map((r) => (r === found ? { emoji, count: r.count + 1, userIds: [...r.userIds, userId] } : r));
  }
  if (!found?.userIds.includes(userId)) return reactions;
  return reactions
    .map((r) => (r === found ? { emoji, count: r.count - 1, userIds: r.userIds.filter((id) => id !== userId) } : r))
    .filter((r) => r.count > 0);
}
