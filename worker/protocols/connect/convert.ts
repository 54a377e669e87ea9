import { create } from "@bufbuild/protobuf";
import type { ChatMessage } from "../../contract/wire";
import { MessageSchema, type Message } from "./gen/hearth/v1/chat_pb";

/**
 * A message as ChatService sends it (proto/hearth/v1/chat.proto `Message`), from the shape
 * every protocol shares (contract/wire.ts). Absent fields stay unset: `edited_at` and
 * `reply_to` are optional, `deleted` false and `reactions` empty when the message has none.
 */
export function toProto(m: ChatMessage): Message {
  return create(MessageSchema, {
    roomId: m.roomId,
    seq: BigInt(m.seq),
    ts: BigInt(m.ts),
    userId: m.userId,
    username: m.username,
    kind: m.kind,
    body: m.body,
    clientId: m.clientId,
    attachment: m.attachment
      ? {
          id: m.attachment.id,
          name: m.attachment.name,
          size: BigInt(m.attachment.size),
          type: m.attachment.type,
          width: m.attachment.width ?? 0,
          height: m.attachment.height ?? 0,
          duration: m.attachment.duration ?? 0,
        }
      : undefined,
    editedAt: m.editedAt === undefined ? undefined : BigInt(m.editedAt),
    deleted: m.deleted === true,
    reactions: (m.reactions ?? []).map((r) => ({ emoji: r.emoji, count: BigInt(r.count), userIds: r.userIds })),
    replyTo: m.replyTo
      ? { seq: BigInt(m.replyTo.seq), userId: m.replyTo.userId, username: m.replyTo.username, excerpt: m.replyTo.excerpt, deleted: m.replyTo.deleted }
      : undefined,
    mentionsRoom: m.mentionsRoom === true,
    bot: m.bot === true,
  });
}
