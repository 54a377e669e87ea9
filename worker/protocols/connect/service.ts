import { createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler, type UniversalHandler } from "@connectrpc/connect/protocol";
import type { SessionUser } from "../../lib/session-user";
import type { Env } from "../../env";
import type { ChatMessage } from "../../contract/wire";
import * as store from "../../db/rooms";
import { changeMessage } from "../../gateway/change-message";
import type { ChangeInput } from "../../gateway/change";
import { historyPage } from "../../gateway/history";
import { postMessage } from "../../gateway/post";
import { toProto } from "./convert";
import { guarded, refusalError } from "./errors";
import { authenticate } from "./session";
import { streamMessages } from "./stream";
import { refuseUndecodable, seqBound } from "./validate";
import { ChatService, type Message } from "./gen/hearth/v1/chat_pb";

/**
 * Hearth's ChatService over the Connect protocol (JSON and binary) and gRPC-Web, on the
 * fetch API. Plain gRPC is off: it needs HTTP/2 trailers, which a Worker cannot send
 * (put a proxy such as Envoy in front to translate gRPC to gRPC-Web).
 */

/** An optional client_id as the gateway takes it: proto3 sends "" for unset. */
const clientIdOf = (clientId: string) => (clientId === "" ? {} : { clientId });

/** Edits, deletes or reacts through the room core (gateway/change-message.ts): the message in its new state. */
async function change(env: Env, user: SessionUser, roomId: string, input: ChangeInput): Promise<{ message: Message }> {
  const result = await changeMessage(env, roomId, user, input, "connect");
  if (!result.ok) throw refusalError(result);
  return { message: toProto(result.message) };
}

function routerFor(env: Env): Map<string, UniversalHandler> {
  const router = createConnectRouter({ grpc: false, grpcWeb: true, connect: true });
  router.service(ChatService, {
    sendMessage: guarded(async (req, ctx) => {
      const user = await authenticate(env, ctx);
      const clientId = req.clientId || `cn-${crypto.randomUUID()}`;
      const replyTo = req.replyTo === undefined ? {} : { replyTo: Number(req.replyTo) };
      const result = await postMessage(env, req.roomId, user, { clientId, body: req.body, ...replyTo }, "connect");
      if (!result.ok) throw refusalError(result);
      return { message: toProto(result.message), duplicate: result.duplicate };
    }),

    streamMessages: (req, ctx) => streamMessages(env, req, ctx),

    // A seq beyond 2^53 becomes a number the room refuses (`invalid_message`), never another seq.
    editMessage: guarded(async (req, ctx) =>
      change(env, await authenticate(env, ctx), req.roomId, { op: "edit", seq: Number(req.seq), body: req.body, ...clientIdOf(req.clientId) }),
    ),

    deleteMessage: guarded(async (req, ctx) =>
      change(env, await authenticate(env, ctx), req.roomId, { op: "delete", seq: Number(req.seq), ...clientIdOf(req.clientId) }),
    ),

    react: guarded(async (req, ctx) =>
      change(env, await authenticate(env, ctx), req.roomId, { op: "react", seq: Number(req.seq), emoji: req.emoji, on: req.on, ...clientIdOf(req.clientId) }),
    ),

    getStats: guarded(async (_req, ctx) => {
      await authenticate(env, ctx);
      const s = await env.STATS.getByName("global").snapshot();
      return {
        connections: BigInt(s.connections),
        activeRooms: BigInt(s.activeRooms),
        messagesAccepted: BigInt(s.messagesAccepted),
        since: s.since,
        protocols: s.protocols.map((p) => ({
          protocol: p.protocol,
          connections: BigInt(p.connections),
          messagesIn: BigInt(p.messagesIn),
          messagesOut: BigInt(p.messagesOut),
        })),
      };
    }),

    listRooms: guarded(async (_req, ctx) => {
      const user = await authenticate(env, ctx);
      const rooms = await store.listRoomsOf(env.DB, user.id);
      return {
        rooms: rooms.map((r) => ({
          id: r.id,
          name: r.name,
          topic: r.topic,
          visibility: r.visibility,
          lastSeq: BigInt(r.lastSeq),
          unread: BigInt(r.unread),
        })),
      };
    }),

    history: guarded(async (req, ctx) => {
      const user = await authenticate(env, ctx);
      // proto3 cannot tell an unset limit from 0: 0 asks for the default page.
      const page = await historyPage(env, req.roomId, user.id, {
        before: seqBound(req.beforeSeq, "before_seq"),
        after: seqBound(req.afterSeq, "after_seq"),
        around: seqBound(req.aroundSeq, "around_seq"),
        limit: req.limit === 0 ? undefined : req.limit,
      });
      if (!page.ok) throw refusalError(page);
      return { messages: (JSON.parse(page.json) as ChatMessage[]).map(toProto) };
    }),
  });
  return new Map(router.handlers.map((h) => [h.requestPath, h]));
}

const routers = new WeakMap<Env, Map<string, UniversalHandler>>();

/** Answers a request under /hearth.v1.ChatService/, or null when the path is not a method. */
export async function handleConnect(env: Env, request: Request): Promise<Response | null> {
  let handlers = routers.get(env);
  if (!handlers) {
    handlers = routerFor(env);
    routers.set(env, handlers);
  }
  const handler = handlers.get(new URL(request.url).pathname);
  if (!handler) return null;
  return (await refuseUndecodable(handler.method, request)) ?? createFetchHandler(handler)(request);
}
