/**
 * A bare Durable Object that closes a WebSocket in two ways, to show where a slow close comes
 * from (docs/protocol.md, "Closing"): from inside the socket's own event (`webSocketMessage`),
 * and from an RPC call made by another request (as Hearth's `removeMember` does when someone
 * leaves). Run with `node probe.ts` (see its header).
 */
import { DurableObject } from "cloudflare:workers";

export class Bare extends DurableObject {
  async fetch(): Promise<Response> {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
  /** Any text frame: the object closes the socket from inside the socket's own event. */
  webSocketMessage(ws: WebSocket): void {
    ws.close(1008, "closed in its own event");
  }
  webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed: nothing to reciprocate
    }
  }
  /** RPC: closes every socket from another request's context. */
  kick(): void {
    for (const ws of this.ctx.getWebSockets()) ws.close(1008, "closed from an RPC");
  }
}

export default {
  async fetch(req: Request, env: { BARE: DurableObjectNamespace<Bare> }): Promise<Response> {
    const stub = env.BARE.getByName("probe");
    if (new URL(req.url).pathname === "/kick") {
      await stub.kick();
      return new Response("kicked");
    }
    return stub.fetch(req);
  },
};
