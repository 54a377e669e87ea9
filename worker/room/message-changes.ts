import type { SocketOrigin } from "./socket-origin";
import type { Refusal } from "../contract/errors";
import { MAX_REACTIONS_PER_MESSAGE, type ChatMessage } from "../contract/wire";
import type { Via } from "../contract/protocols";
import { mentionedNames, ROOM_MENTION } from "../contract/mentions";
import { validateChange, type Change, type ChangeInput } from "../gateway/change";
import type { Author } from "../gateway/draft";
import type { ChangeIds } from "./change-ids";
import type { MessageFacts, MessageLog } from "./message-log";
import type { RateLimiter } from "./rate-limit";
import type { Reactions } from "./reactions";

/**
 * The one place a change to a stored message is accepted (edit, delete, reaction), for every
 * protocol, like MessageIntake for new messages: the rules (who may, what exists, the emoji
 * cap, the rate limit, retries) are written once. It decides; the log and the reactions store,
 * and the host delivers what changed.
 */

/** One message in its new state, and the change seq that made it so. */
export interface Update {
  message: ChatMessage;
  changeSeq: number;
}

/**
 * The message's state after the change (or after the change already made under its clientId:
 * `duplicate`), or why it was refused. `changeSeq` is null when nothing changed (a reaction
 * toggled to where it was, an edit to the same text).
 */
export type ChangeResult = { ok: true; message: ChatMessage; changeSeq: number | null; duplicate: boolean } | Refusal;

/** What the changes need from the room. */
export interface ChangesHost {
  /**
   * Whether `actor` may delete anyone's message: the room's owner or a moderator, or an
   * administrator in a public room (asked only to delete someone else's message).
   */
  mayModerate(actor: Author): Promise<boolean>;
  /** Whether `userId` may mention everyone with `@room` (the owner or a moderator; asked only for an edit's `@room`). */
  mayMentionRoom(userId: string): Promise<boolean>;
  /** Why the room takes no changes now (archived, deleted: RoomStanding), or null. */
  writesRefused(): Pick<Refusal, "code" | "message"> | null;
  /** The attachment of a deleted message: its bytes are to be deleted. */
  releaseAttachment(uploadId: string): void;
  /**
   * Messages changed: deliver them. The first is the one asked for, the others replies whose
   * quote of it changed. Called synchronously after the writes, so change seq order is
   * delivery order. `origin`: the socket that asked, answered by an ack under `clientId`.
   */
  changed(updates: Update[], via: Via, origin?: SocketOrigin, clientId?: string): void;
}

export class MessageChanges {
  constructor(
    private readonly log: MessageLog,
    private readonly reactions: Reactions,
    private readonly changeIds: ChangeIds,
    private readonly limiter: RateLimiter,
    private readonly host: ChangesHost,
  ) {}

  /** Validates and applies one change, then hands the changed messages to the host. */
  async apply(actor: Author, input: ChangeInput, via: Via, origin?: SocketOrigin): Promise<ChangeResult> {
    const valid = validateChange(input);
    if (!valid.ok) return { ok: false, code: valid.code, message: valid.message, ...(valid.clientId ? { clientId: valid.clientId } : {}) };
    const change = valid.change;
    const echo = change.clientId ? { clientId: change.clientId } : {};
    const refuse = (code: Refusal["code"], message: string, extra: { retryAfterMs?: number } = {}): Refusal => ({ ok: false, code, message, ...echo, ...extra });

    const retried = this.retried(actor.id, change);
    if (retried) return retried.message;
    let facts = this.log.facts(change.seq);
    if (!facts || facts.deleted) return refuse("message_not_found", `no message ${change.seq} in this room`);
    if (facts.userId !== actor.id && change.op === "edit") return refuse("not_author", "only its author can edit a message");
    // An await lets other frames in: the change may have been made, or the message deleted, since.
    const stillThere = async <T>(asked: Promise<T>): Promise<{ answer: T } | { result: ChangeResult }> => {
      const answer = await asked;
      const raced = this.retried(actor.id, change);
      if (raced) return { result: raced.message };
      const again = this.log.facts(change.seq);
      if (!again || again.deleted) return { result: refuse("message_not_found", `no message ${change.seq} in this room`) };
      facts = again;
      return { answer };
    };
    if (facts.userId !== actor.id && change.op === "delete") {
      const moderator = await stillThere(this.host.mayModerate(actor));
      if ("result" in moderator) return moderator.result;
      if (!moderator.answer) return refuse("not_author", "only its author, the room's owner or a moderator can delete a message");
    }
    // An edited `@room` counts when the author may mention everyone (as on a new message).
    let mentionsRoom = false;
    if (change.op === "edit" && mentionedNames(change.body).has(ROOM_MENTION)) {
      const leads = await stillThere(this.host.mayMentionRoom(actor.id));
      if ("result" in leads) return leads.result;
      mentionsRoom = leads.answer;
    }
    if (change.op === "edit" && change.body === "" && facts.kind === "text") return refuse("invalid_message", "body must not be empty");
    if (change.op === "react" && change.on) {
      const { used, distinct } = this.reactions.tally(change.seq, change.emoji);
      if (!used && distinct >= MAX_REACTIONS_PER_MESSAGE) {
        return refuse("too_many_reactions", `a message carries at most ${MAX_REACTIONS_PER_MESSAGE} different emoji`);
      }
    }
    // After the awaits above, as the last check before the writes: archived or deleted meanwhile.
    const shut = this.host.writesRefused();
    if (shut) return refuse(shut.code, shut.message);
    const wait = this.limiter.take(actor.id);
    if (wait > 0) return refuse("rate_limited", `too many messages; retry in ${wait} ms`, { retryAfterMs: wait });

    // From here on nothing awaits: the writes and the delivery happen as one step.
    const changeSeq = this.write(actor, change, facts, mentionsRoom);
    if (change.clientId) this.changeIds.remember(actor.id, change.clientId, change.seq);
    const message = this.log.get(change.seq)!;
    if (changeSeq === null) return { ok: true, message, changeSeq, duplicate: false };
    const updates: Update[] = [{ message, changeSeq }];
    // A reply quotes its original as it is now: an edit or deletion changes the replies too.
    if (change.op !== "react") {
      for (const reply of this.log.repliesTo(change.seq)) updates.push({ changeSeq: this.log.touch(reply), message: this.log.get(reply)! });
    }
    this.host.changed(updates, via, origin, change.clientId);
    return { ok: true, message, changeSeq, duplicate: false };
  }

  /** Writes the change; its change seq, or null if it changed nothing. */
  private write(actor: Author, change: Change, facts: MessageFacts, mentionsRoom: boolean): number | null {
    switch (change.op) {
      case "edit":
        return facts.body === change.body ? null : this.log.edit(change.seq, change.body, Date.now(), mentionsRoom);
      case "delete":
        this.reactions.clear(change.seq);
        if (facts.attachmentId) this.host.releaseAttachment(facts.attachmentId);
        return this.log.tombstone(change.seq);
      case "react": {
        if (this.reactions.has(change.seq, change.emoji, actor.id) === change.on) return null;
        if (change.on) this.reactions.add(change.seq, change.emoji, actor.id);
        else this.reactions.remove(change.seq, change.emoji, actor.id);
        return this.log.touch(change.seq);
      }
    }
  }

  /** A change already made under this (user, clientId): the answer to its retry. */
  private retried(userId: string, change: Change): { message: ChangeResult } | null {
    const seq = change.clientId ? this.changeIds.seqOf(userId, change.clientId) : null;
    if (seq === null) return null;
    return { message: { ok: true, message: this.log.get(seq)!, changeSeq: null, duplicate: true } };
  }
}
