import type { Author } from "../gateway/draft";
import { ChangeIds } from "./change-ids";
import type { ClientIdIndex } from "./client-ids";
import type { Delivery } from "./delivery";
import { MessageChanges } from "./message-changes";
import { MessageIntake } from "./message-intake";
import type { MessageLog } from "./message-log";
import type { RateLimiter } from "./rate-limit";
import { Reactions } from "./reactions";
import type { RoomEnv } from "./room-env";
import { RoomRoles } from "./room-roles";
import type { RoomSockets } from "./room-sockets";
import { SocketFrames } from "./socket-frames";
import type { SocketOrigin } from "./socket-origin";
import type { RoomStanding } from "./standing";
import { checkDirectUpload } from "./upload-check";
import type { UploadStore } from "./uploads";

/**
 * Every write into the room, whatever brought it: a new message (MessageIntake) or a change to
 * one (MessageChanges), from the worker's RPC (REST, SignalR, Connect) or from a Hearth
 * socket's frames (SocketFrames), under the same rules: who leads and moderates the room
 * (RoomRoles), whether it takes writes at all (RoomStanding: archived, deleted). It builds and
 * holds the three; what was written goes to the delivery.
 */

/** The room's parts the writes work with. */
export interface WritesParts {
  log: MessageLog;
  clientIds: ClientIdIndex;
  uploads: UploadStore;
  limiter: RateLimiter;
  standing: RoomStanding;
  sockets: RoomSockets;
  delivery: Delivery;
}

/** What the writes need from the room besides its parts. */
export interface WritesHost {
  roomId(): string | null;
  /** A Hearth socket says its user is typing (or stopped). */
  typing(from: SocketOrigin, user: { userId: string; username: string }, typing: boolean): void;
  /** The attachment of a deleted message: its bytes are to be deleted. */
  releaseAttachment(uploadId: string): void;
}

export class Writes {
  readonly intake: MessageIntake;
  readonly changes: MessageChanges;
  readonly frames: SocketFrames;

  constructor(sql: SqlStorage, env: RoomEnv, parts: WritesParts, host: WritesHost) {
    const { log, uploads, limiter, standing, delivery } = parts;
    const roles = new RoomRoles(env, host.roomId);
    const rules = {
      mayMentionRoom: (userId: string) => roles.leads(userId),
      writesRefused: () => standing.refusal(),
    };
    this.intake = new MessageIntake(log, parts.clientIds, uploads, limiter, {
      ...rules,
      checkDirectUpload: (upload) => checkDirectUpload(env.MEDIA, uploads, host.roomId()!, upload),
      stored: (message, via, origin) => delivery.stored(message, via, origin),
    });
    this.changes = new MessageChanges(log, new Reactions(sql), new ChangeIds(sql), limiter, {
      ...rules,
      mayModerate: (actor: Author) => roles.moderate(actor),
      releaseAttachment: host.releaseAttachment,
      changed: (updates, via, origin, clientId) => delivery.changed(updates, via, origin, clientId),
    });
    this.frames = new SocketFrames(parts.sockets, {
      accept: (author, input, via, origin) => this.intake.accept(author, input, via, origin),
      change: (actor, input, via, origin) => this.changes.apply(actor, input, via, origin),
      typing: host.typing,
    });
  }
}
