import type { SessionUser } from "../lib/session-user";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";
import type { ServerFrame } from "../contract/wire";
import type { Protocol } from "../contract/protocols";
import { openRoomSocket } from "./room-socket";

/**
 * Where a subscription resumes (docs/protocol.md §1 `since`, "Changes" `sinceChange`): the
 * changes after `sinceChange` to messages up to `since` are replayed (as `update` frames; every
 * change since `since` was the newest when `sinceChange` is absent), then the messages after
 * `since`, then `synced`.
 */
export interface Resume {
  since: number;
  sinceChange?: number;
}

/**
 * Opens a socket from the worker into a room, as one of the room's ordinary subscribers,
 * for a protocol adapter (SignalR, Connect streaming). The room sends its usual frames
 * (docs/protocol.md); the adapter translates them. Membership must be checked by the caller.
 * Without `resume`, only what happens after the socket opened arrives.
 */
export async function subscribeToRoom(
  env: Env,
  roomId: string,
  user: SessionUser,
  protocol: Protocol,
  onFrame: (frame: ServerFrame) => void,
  onClose: (code: number, reason: string) => void,
  resume?: Resume,
): Promise<WebSocket> {
  const res = await openRoomSocket(env, roomId, { roomId, user, protocol, ...resume });
  const ws = res.webSocket;
  if (res.status !== 101 || !ws) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(res.status === 503 ? 503 : 400, body?.error?.code ?? "subscribe_failed", body?.error?.message ?? "could not join the room");
  }
  ws.accept();
  ws.addEventListener("message", (e) => {
    if (typeof e.data === "string") onFrame(JSON.parse(e.data) as ServerFrame);
  });
  ws.addEventListener("close", (e) => onClose(e.code, e.reason));
  ws.addEventListener("error", () => onClose(1011, "room socket failed"));
  return ws;
}
