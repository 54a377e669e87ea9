import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { createFetchHandler, type UniversalHandler } from "@connectrpc/connect/protocol";
import { bearerToken, SEND_BEARER, sessionFrom, TOKEN_INVALID } from "../../auth/bearer";
import type { SessionUser } from "../../lib/session-user";
import type { Env } from "../../env";
import type { ChatMessage, ServerFrame } from "../../contract/wire";
import * as store from "../../db/rooms";
import { historyPage } from "../../gateway/history";
import { membershipRefusal } from "../../gateway/membership";
import { postMessage } from "../../gateway/post";
import { subscribeToRoom } from "../../gateway/subscription";
import { closeSocket } from "../../sockets/safe-io";
import { guarded, refusalError, toConnectError } from "./errors";
import { refuseUndecodable } from "./validate";
import { ChatService, MessageSchema, type Message } from "./gen/hearth/v1/chat_pb";

/**
 * Hearth's ChatService over the Connect protocol (JSON and binary) and gRPC-Web, on the
 * fetch API. Plain gRPC is off: it needs HTTP/2 trailers, which a Worker cannot send
 * (put a proxy such as Envoy in front to translate gRPC to gRPC-Web).
 */

async function authenticate(env: Env, ctx: HandlerContext): Promise<SessionUser> {
  const user = await sessionFrom(env.JWT_SECRET, bearerToken(ctx.requestHeader.get("Authorization")));
  if (typeof user === "string") throw new ConnectError(user === "missing" ? SEND_BEARER : TOKEN_INVALID, Code.Unauthenticated);
  return user;
}

function toProto(m: ChatMessage): Message {
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
  });
}

const BIG_SEQ = BigInt(Number.MAX_SAFE_INTEGER);

function routerFor(env: Env): Map<string, UniversalHandler> {
  const router = createConnectRouter({ grpc: false, grpcWeb: true, connect: true });
  router.service(ChatService, {
    sendMessage: guarded(async (req, ctx) => {
      const user = await authenticate(env, ctx);
      const clientId = req.clientId || `cn-${crypto.randomUUID()}`;
      const result = await postMessage(env, req.roomId, user, { clientId, body: req.body }, "connect");
      if (!result.ok) throw refusalError(result);
      return { message: toProto(result.message), duplicate: result.duplicate };
    }),

    async *streamMessages(req, ctx) {
      let user: SessionUser;
      try {
        user = await authenticate(env, ctx);
        const refused = await membershipRefusal(env.DB, req.roomId, user.id);
        if (refused) throw refusalError(refused);
      } catch (err) {
        throw toConnectError(err);
      }
      if (req.sinceSeq !== undefined && (req.sinceSeq < 0n || req.sinceSeq > BIG_SEQ)) {
        throw new ConnectError("since_seq must be ≥ 0", Code.InvalidArgument);
      }
      // Room frames are queued here and yielded in order until the client goes away.
      const queue: ChatMessage[] = [];
      let ended: ConnectError | null | undefined;
      let wake: () => void = () => undefined;
      const ws = await subscribeToRoom(
        env,
        req.roomId,
        user,
        "connect",
        (frame: ServerFrame) => {
          if (frame.type === "message") {
            queue.push(frame.message);
            wake();
          }
        },
        (code) => {
          ended = code === 1008 ? new ConnectError("no longer a member of this room", Code.PermissionDenied) : null;
          wake();
        },
        req.sinceSeq === undefined ? undefined : Number(req.sinceSeq),
      ).catch((err) => {
        throw toConnectError(err);
      });
      const abort = () => {
        ended ??= null;
        wake();
      };
      ctx.signal.addEventListener("abort", abort);
      try {
        for (;;) {
          while (queue.length > 0) yield { message: toProto(queue.shift()!) };
          if (ended !== undefined) {
            if (ended) throw ended;
            return;
          }
          await new Promise<void>((ok) => (wake = ok));
        }
      } finally {
        ctx.signal.removeEventListener("abort", abort);
        closeSocket(ws, 1000, "stream ended");
      }
    },

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
        before: req.beforeSeq === undefined ? null : Number(req.beforeSeq),
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
