/**
 * The per-user channel's socket (`GET /api/me/ws`, docs/protocol.md §6): one per tab while
 * signed in. partysocket reconnects it with backoff (0.5 s doubling to 10 s); there is nothing
 * to resume, since every `hello` carries the counts of every room afresh. Like the room socket,
 * it authenticates with the session token as a subprotocol, and an attempt after one that
 * never opened asks for a ticket first: a refused upgrade tells a browser nothing, while the
 * ticket request answers why (a 401 there ends the session, api.ts).
 */
import { signal } from "@preact/signals";
import ReconnectingWebSocket from "partysocket/ws";
import { api } from "../api";
import type { Disposables } from "../disposables";
import { Heartbeat } from "../heartbeat";
import { token } from "../session";
import { BEARER_PREFIX, SUBPROTOCOL } from "../../../worker/contract/wire";
import type { UserClientFrame, UserServerFrame } from "../../../worker/contract/user-wire";
import { readUserFrame } from "./frames";

/** What this client sends (the contract types the fields loosely, as the server receives them). */
export type OutFrame = { type: "visibility"; hidden: boolean } | { type: "decline"; roomId: string } | { type: "ping" };

/** `connecting`: never live yet; `live`: hello arrived; `reconnecting`: was live, lost; `stopped`: signed out. */
export type SocketState = "connecting" | "live" | "reconnecting" | "stopped";

export interface UserSocketHost {
  readonly owner: Disposables;
  /** A known frame arrived (`hello` makes the socket live first). */
  onFrame(frame: UserServerFrame): void;
}

export class UserSocket {
  readonly state = signal<SocketState>("connecting");
  private socket: ReconnectingWebSocket | null = null;
  /** Whether the last attempt opened: if not, the next one goes through a ticket. */
  private lastOpened = true;
  private viaTicket = false;
  private readonly heartbeat: Heartbeat;

  constructor(private readonly host: UserSocketHost) {
    this.heartbeat = new Heartbeat(
      host.owner,
      () => this.send({ type: "ping" }),
      () => this.socket?.reconnect(4000, "heartbeat timeout"),
    );
  }

  open(): void {
    if (this.socket) return;
    const socket = new ReconnectingWebSocket(() => this.url(), () => this.protocols(), {
      minReconnectionDelay: 500,
      reconnectionDelayGrowFactor: 2,
      maxReconnectionDelay: 10_000,
      connectionTimeout: 8_000,
      // A frame that cannot go now is stale later (visibility is sent again on hello).
      maxEnqueuedMessages: 0,
    });
    socket.addEventListener("open", () => (this.lastOpened = true));
    socket.addEventListener("message", (event) => this.onMessage(event.data));
    socket.addEventListener("close", () => this.onClose());
    this.host.owner.listen(window, "online", () => {
      if (this.state.value !== "live") this.socket?.reconnect();
    });
    this.socket = socket;
  }

  /** Sends a frame if the socket is open; false if it could not. */
  send(frame: OutFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    const wire: UserClientFrame = frame;
    return socket.send(JSON.stringify(wire));
  }

  stop(): void {
    this.state.value = "stopped";
    this.heartbeat.stop();
    this.socket?.close(1000, "signed out");
    this.socket = null;
  }

  /** Called by partysocket once per attempt, right before `protocols`. */
  private async url(): Promise<string> {
    this.viaTicket = !this.lastOpened;
    this.lastOpened = false;
    const query = new URLSearchParams();
    if (this.viaTicket) query.set("ticket", (await api.channelTicket()).ticket);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const search = query.toString();
    return `${scheme}//${location.host}/api/me/ws${search ? `?${search}` : ""}`;
  }

  private protocols(): string[] | null {
    const sessionToken = token.value;
    return this.viaTicket || !sessionToken ? null : [SUBPROTOCOL, `${BEARER_PREFIX}${sessionToken}`];
  }

  private onMessage(data: unknown): void {
    const incoming = readUserFrame(data);
    if (!incoming) return;
    this.heartbeat.alive();
    if (incoming.kind !== "known") return;
    if (incoming.frame.type === "hello" && this.state.value !== "stopped") {
      this.state.value = "live";
      this.heartbeat.start();
    }
    this.host.onFrame(incoming.frame);
  }

  private onClose(): void {
    this.heartbeat.stop();
    const state = this.state.value;
    if (state === "live") this.state.value = "reconnecting";
  }
}
