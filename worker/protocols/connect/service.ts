import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { createFetchHandler, type UniversalHandler } from "@connectrpc/connect/protocol";
import { verifySession, type SessionUser } from "../../auth/tokens";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors";
import type { ChatMessage, ServerFrame } from "../../contract/wire";
import * as store from "../../db/rooms";
import { requireCachedMembership } from "../../rooms-http/member-cache";
import { subscribeToRoom } from "../subscription";
import { refuseUndecodable } from "./validate";
import { ChatService, MessageSchema, type Message } from "./gen/hearth/v1/chat_pb";

/**
 * Hearth's ChatService over the Connect protocol (JSON and binary) and gRPC-Web, on the
 * fetch API. Plain gRPC is off: it needs HTTP/2 trailers, which a Worker cannot send
 * (put a proxy such as Envoy in front to translate gRPC to gRPC-Web).
 */

const STATUS_TO_CODE: Record<number, Code> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  409: Code.AlreadyExists,
  413: Code.InvalidArgument,
  429: Code.ResourceExhausted,
  503: Code.Unavailable,
};

function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof ApiError) return new ConnectError(`${err.code}: ${err.message}`, STATUS_TO_CODE[err.status] ?? Code.Internal);
  console.error("connect handler failed", err);
  return new ConnectError("something went wrong on our side", Code.Internal);
}

async function authenticate(env: Env, ctx: HandlerContext): Promise<SessionUser> {
  const token = /^Bearer\s+(\S+)$/i.exec(ctx.requestHeader.get("Authorization") ?? "")?.[1];
  if (!token) throw new ConnectError("send `Authorization: Bearer <token>` (from /api/auth/login)", Code.Unauthenticated);
  const user = await verifySession(env.JWT_SECRET, token);
  if (!user) throw new ConnectError("the token is invalid or expired; log in again", Code.Unauthenticated);
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

/** Wraps a handler so that Hearth's errors become Connect errors with a fitting code. */
function guarded<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toConnectError(err);
    }
  };
}

const BIG_SEQ = BigInt(Number.MAX_SAFE_INTEGER);

function routerFor(env: Env): Map<string, UniversalHandler> {
  const router = createConnectRouter({ grpc: false, grpcWeb: true, connect: true });
  router.service(ChatService, {
    sendMessage: guarded(async (req, ctx) => {
      const user = await authenticate(env, ctx);
      await store.requireMembership(env.DB, req.roomId, user.id);
      const clientId = req.clientId || `cn-${crypto.randomUUID()}`;
      const result = await env.ROOMS.getByName(req.roomId).post(req.roomId, user, { clientId, body: req.body }, "connect");
      if (!result.ok) {
        throw new ConnectError(`${result.code}: ${result.message}`, result.code === "rate_limited" ? Code.ResourceExhausted : Code.InvalidArgument);
      }
      return { message: toProto(result.message), duplicate: result.duplicate };
    }),

    async *streamMessages(req, ctx) {
      let user: SessionUser;
      try {
        user = await authenticate(env, ctx);
        await store.requireMembership(env.DB, req.roomId, user.id);
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
        try {
          ws.close(1000, "stream ended");
        } catch {
          // already closed
        }
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
      await requireCachedMembership(env.DB, req.roomId, user.id);
      const limit = req.limit === 0 ? 50 : req.limit;
      if (limit > 100) throw new ConnectError("limit must be 1-100", Code.InvalidArgument);
      const before = req.beforeSeq === undefined ? null : Number(req.beforeSeq);
      const page = await env.ROOMS.getByName(req.roomId).historyJson(req.roomId, user.id, before, limit);
      if (page === null) throw store.notAMember();
      return { messages: (JSON.parse(page) as ChatMessage[]).map(toProto) };
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
