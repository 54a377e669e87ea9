import type { SocketOrigin } from "./socket-origin";
import type { Attachment, ChatMessage } from "../contract/wire";
import type { Refusal } from "../contract/errors";
import { validateDraft, type Author, type MessageInput } from "../gateway/draft";
import type { ClientIdIndex } from "./client-ids";
import type { MessageLog } from "./message-log";
import type { RateLimiter } from "./rate-limit";
import type { Via } from "../contract/protocols";
import { mentionedNames, ROOM_MENTION } from "../contract/mentions";
import { resolveAttachment, type UploadRecord, type UploadStore } from "./uploads";

/**
 * The one place a message is accepted (docs/architecture.md, "The write path"): every
 * protocol's send ends in `accept`, so each rule (validation, retries, media ownership, the
 * message replied to, who may `@room`, an archived room, rate limit) is written once. It decides; the log stores, and the host delivers what was stored.
 */

/** A message stored (or found stored under its clientId: `duplicate`), or why it was refused. */
export type AcceptResult = { ok: true; message: ChatMessage; duplicate: boolean } | Refusal;

/** What the intake needs from the room. */
export interface IntakeHost {
  /** An upload made straight to R2 (still pending): checked and, if it passes, marked stored. */
  checkDirectUpload(upload: UploadRecord): Promise<UploadRecord>;
  /**
   * A new message is in the log: deliver it. Called synchronously after the insert, so seq
   * order is delivery order. `via`: the protocol it came through; `origin`: its socket, if any.
   */
  stored(message: ChatMessage, via: Via, origin?: SocketOrigin): void;
  /** Whether `userId` may mention everyone with `@room` (the room's owner or a moderator); asked only when a body says `@room`. */
  mayMentionRoom(userId: string): Promise<boolean>;
  /** Why the room takes no messages now (archived, deleted: RoomStanding), or null. */
  writesRefused(): Pick<Refusal, "code" | "message"> | null;
}

export class MessageIntake {
  constructor(
    private readonly log: MessageLog,
    private readonly clientIds: ClientIdIndex,
    private readonly uploads: UploadStore,
    private readonly limiter: RateLimiter,
    private readonly host: IntakeHost,
  ) {}

  /**
   * Validates and stores one message, then hands it to the host. A retry of a stored
   * clientId gets the stored message back; nothing is stored or sent again.
   */
  async accept(author: Author, input: MessageInput, via: Via, origin?: SocketOrigin): Promise<AcceptResult> {
    const valid = validateDraft(input);
    if (!valid.ok) return { ok: false, code: "invalid_message", message: valid.message, clientId: valid.clientId };
    const draft = valid.draft;
    const invalid = (message: string): Refusal => ({ ok: false, code: "invalid_message", message, clientId: draft.clientId });

    // Ids older than the ones kept in memory are looked up by the insert below, or here before
    // a refusal: a retry must not be refused for what its first attempt changed (its upload
    // is now attached) or for the sender's rate (retries are free).
    const duplicate = this.stored(author.id, draft.clientId, false);
    if (duplicate) return { ok: true, message: duplicate, duplicate: true };
    const refuse = (refusal: Refusal): AcceptResult => {
      const filed = this.stored(author.id, draft.clientId);
      return filed ? { ok: true, message: filed, duplicate: true } : refusal;
    };

    let attachment: Attachment | undefined;
    if (draft.attachment) {
      let upload = this.uploads.get(draft.attachment.uploadId);
      if (upload?.status === "pending" && upload.uploader === author.id) upload = await this.host.checkDirectUpload(upload);
      // The await above lets other frames in: look for a racing retry again.
      const raced = this.stored(author.id, draft.clientId, false);
      if (raced) return { ok: true, message: raced, duplicate: true };
      const resolved = resolveAttachment(upload, author.id, draft.kind, draft.attachment);
      if (!resolved.ok) return refuse(invalid(resolved.message));
      attachment = resolved.attachment;
    }

    // `@room` from the owner or a moderator mentions everyone; from anyone else it stays text.
    let mentionsRoom = false;
    if (draft.body.includes("@") && mentionedNames(draft.body).has(ROOM_MENTION)) {
      mentionsRoom = await this.host.mayMentionRoom(author.id);
      const raced = this.stored(author.id, draft.clientId, false);
      if (raced) return { ok: true, message: raced, duplicate: true };
    }

    // After the awaits above: the original may have been deleted meanwhile.
    const replyTo = draft.replyTo === undefined ? undefined : this.log.replyRef(draft.replyTo);
    if (replyTo === null) {
      return refuse({ ok: false, code: "message_not_found", message: `no message ${draft.replyTo} in this room to reply to`, clientId: draft.clientId });
    }

    // After the awaits above: the room may have been archived meanwhile. (A retry of a message
    // stored before is still answered with it, as `refuse` does for every refusal.)
    const shut = this.host.writesRefused();
    if (shut) return refuse({ ok: false, ...shut, clientId: draft.clientId });

    const wait = this.limiter.take(author.id);
    if (wait > 0) {
      return refuse({ ok: false, code: "rate_limited", message: `too many messages; retry in ${wait} ms`, clientId: draft.clientId, retryAfterMs: wait });
    }

    // From here on nothing awaits: seq assignment, insert and delivery happen as one step.
    const message = this.log.append({
      userId: author.id,
      username: author.username,
      kind: draft.kind,
      body: draft.body,
      clientId: draft.clientId,
      ...(attachment ? { attachment } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(mentionsRoom ? { mentionsRoom } : {}),
      ...(author.role === "bot" ? { bot: true } : {}),
    });
    if (!message) {
      // The insert found the id filed before: answer with the stored message, give the token back.
      const stored = this.stored(author.id, draft.clientId);
      if (stored) {
        this.limiter.refund(author.id);
        return { ok: true, message: stored, duplicate: true };
      }
      throw new Error(`message ${draft.clientId} neither stored nor found`);
    }
    this.clientIds.remember(author.id, draft.clientId, message.seq);
    if (attachment) this.uploads.markAttached(attachment.id);
    this.host.stored(message, via, origin);
    return { ok: true, message, duplicate: false };
  }

  /** The message stored under (user, clientId), if any (`filed: false`: memory only). */
  private stored(userId: string, clientId: string, filed = true): ChatMessage | null {
    const seq = this.clientIds.seqOf(userId, clientId, filed);
    return seq === null ? null : this.log.get(seq);
  }
}
