/**
 * The room's live socket (docs/protocol.md): opening it, reconnecting with backoff, resuming
 * with `since`, the heartbeat, and the channel's phase (phase.ts). It knows nothing of
 * messages: frames go to the host, which says where history stands.
 *
 * The socket authenticates with the session token as a subprotocol (one request per connect),
 * speaking subprotocol version 2 (compact message frames, completed by frames.ts; a ticket asks `v=2`),
 * and reconnects by itself with backoff (0.5 s doubling to 10 s), resuming with
 * `since=lastSeq` (and `sinceChange`, the newest change seen); once `synced` arrives the phase is live and the host resends its outbox.
 * An attempt after one that never opened goes through a ticket instead: a refused upgrade
 * tells a browser nothing, while the ticket request answers why (signed out, removed from the
 * room, room gone).
 */
import { batch, signal } from "@preact/signals";
import ReconnectingWebSocket from "partysocket/ws";
import { api, ApiError } from "../api";
import type { Disposables } from "../disposables";
import { Heartbeat } from "../heartbeat";
import { token } from "../session";
import type { ClientFrame, ServerFrame } from "../types";
import { BEARER_PREFIX, SUBPROTOCOL, SUBPROTOCOL_V2 } from "../../../worker/contract/wire";
import { complete, readFrame } from "./frames";
import { isReaching, type Attempt, type Phase } from "./phase";

/**
 * The server's close codes after which reconnecting cannot help (docs/protocol.md "Close
 * codes"), and what the room screen says then.
 */
const FINAL_CLOSES: Record<number, string> = {
  1008: "You are no longer a member of this room.",
  4003: "You were removed from this room.",
  4004: "You were banned from this room.",
  4005: "This room was deleted.",
};

/** What the connection needs from the channel that owns it. */
export interface ConnectionHost {
  readonly roomId: string;
  /** Everything this channel owns that must be freed when it stops. */
  readonly owner: Disposables;
  /** The highest seq this channel has, or null when it has no history page yet. */
  resumePoint(): number | null;
  /** The highest change seq this channel has seen with all before it, or null: resume changes by `since`. */
  changeResumePoint(): number | null;
  /** No history page, and `hello` says where the room is: take that as the resume point. */
  adopt(lastSeq: number, lastChangeSeq: number): void;
  /** A known frame arrived. */
  onFrame(frame: ServerFrame): void;
  /** The socket went away: `lost` (it will come back) or `closed` for good. */
  onDown(how: "lost" | "closed"): void;
  /** Live again: anything waiting can go out now. */
  onLive(): void;
}

export class Connection {
  readonly phase = signal<Phase>({ kind: "loading" });

  private socket: ReconnectingWebSocket | null = null;
  private attempts = 0;
  /** Notices a dead connection the browser has not reported yet. */
  private readonly heartbeat: Heartbeat;

  constructor(private readonly host: ConnectionHost) {
    this.heartbeat = new Heartbeat(
      host.owner,
      () => this.send({ type: "ping" }),
      () => this.socket?.reconnect(4000, "heartbeat timeout"),
    );
  }

  /** Opens the socket (after the first history load). The attempt before the first counts as opened. */
  open(): void {
    if (this.phase.value.kind !== "loading") return;
    this.phase.value = {
      kind: "connecting",
      wasLive: false,
      attempt: { number: 0, ticket: false, since: null, opened: true },
    };
    this.host.owner.listen(window, "online", () => {
      if (isReaching(this.phase.value)) this.socket?.reconnect();
    });
    const socket = new ReconnectingWebSocket(() => this.socketUrl(), () => this.socketProtocols(), {
      minReconnectionDelay: 500,
      reconnectionDelayGrowFactor: 2,
      maxReconnectionDelay: 10_000,
      connectionTimeout: 8_000,
      // Sends wait in the outbox and go out once live, never from partysocket's queue.
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (event) => !(event.code in FINAL_CLOSES),
    });
    socket.addEventListener("open", () => this.onOpen());
    socket.addEventListener("message", (event) => this.onMessage(event.data));
    socket.addEventListener("close", (event) => this.onClose(event.code));
    this.socket = socket;
  }

  /** Sends a frame if the socket is open; false if it could not. */
  send(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    return socket.send(JSON.stringify(frame));
  }

  /** `hello`: live now, or once the replay asked for ends (`synced`). */
  onHello({ lastSeq, lastChangeSeq }: { lastSeq: number; lastChangeSeq: number }): void {
    const phase = this.phase.value;
    if (phase.kind !== "connecting") return;
    if (phase.attempt.since !== null) {
      this.phase.value = { kind: "replaying", wasLive: phase.wasLive };
      return;
    }
    const known = this.host.resumePoint();
    if (known !== null && lastSeq > known) {
      // The history page arrived (a retry) while this socket was opening without `since`:
      // open again with it, so that nothing between the page and the socket is skipped.
      this.socket?.reconnect();
      return;
    }
    // No history page (it failed), or nothing after it: live from the room's newest message.
    this.host.adopt(lastSeq, lastChangeSeq);
    this.goLive();
  }

  /** `synced`: the replay is over. */
  onSynced(): void {
    this.goLive();
  }

  /** Closed for good: the reason is shown and nothing reconnects. */
  close(reason: string): void {
    batch(() => {
      this.phase.value = { kind: "closed", reason };
      this.host.onDown("closed");
    });
    this.socket?.close(1000);
    this.heartbeat.stop();
  }

  /** The room's screen went away. The host frees the rest (its `owner`). */
  stop(): void {
    this.phase.value = { kind: "stopped" };
    this.socket?.close(1000, "room closed");
    this.socket = null;
    this.heartbeat.stop();
  }

  // ---- attempts --------------------------------------------------------------------------

  /** Called by partysocket right before `socketProtocols`, once per attempt. */
  private async socketUrl(): Promise<string> {
    const phase = this.phase.value;
    const query = new URLSearchParams();
    let attempt: Attempt | null = null;
    if (phase.kind === "connecting") {
      attempt = { number: ++this.attempts, ticket: !phase.attempt.opened, since: null, opened: false };
      this.phase.value = { ...phase, attempt };
    }
    if (attempt?.ticket) {
      try {
        const { ticket } = await api.ticket(this.host.roomId);
        query.set("ticket", ticket);
        query.set("v", "2");
      } catch (error) {
        if (error instanceof ApiError && [401, 403, 404].includes(error.status)) this.close(error.message);
        throw error;
      }
    }
    const since = this.host.resumePoint();
    if (since !== null) query.set("since", String(since));
    // Only the changes missed since the newest one seen (without it: every change since `since`).
    const sinceChange = this.host.changeResumePoint();
    if (since !== null && sinceChange !== null) query.set("sinceChange", String(sinceChange));
    if (attempt) this.patchAttempt(attempt.number, { since });
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/api/rooms/${encodeURIComponent(this.host.roomId)}/ws?${query}`;
  }

  private socketProtocols(): string[] | null {
    const phase = this.phase.value;
    const viaTicket = phase.kind === "connecting" && phase.attempt.ticket;
    const sessionToken = token.value;
    return viaTicket || !sessionToken ? null : [SUBPROTOCOL_V2, SUBPROTOCOL, `${BEARER_PREFIX}${sessionToken}`];
  }

  private patchAttempt(number: number, patch: Partial<Attempt>): void {
    const phase = this.phase.value;
    if (phase.kind === "connecting" && phase.attempt.number === number) {
      this.phase.value = { ...phase, attempt: { ...phase.attempt, ...patch } };
    }
  }

  private onOpen(): void {
    const phase = this.phase.value;
    if (phase.kind === "connecting") this.patchAttempt(phase.attempt.number, { opened: true });
  }

  private onMessage(data: unknown): void {
    const incoming = readFrame(data);
    if (!incoming) return;
    this.heartbeat.alive();
    if (incoming.kind === "known") this.host.onFrame(complete(incoming.frame, this.host.roomId));
  }

  private onClose(code: number): void {
    this.heartbeat.stop();
    const phase = this.phase.value;
    if (phase.kind === "stopped" || phase.kind === "closed") return;
    const final = FINAL_CLOSES[code];
    if (final) {
      this.close(final);
      return;
    }
    // The next attempt needs to know whether this one opened (a ticket if not).
    const attempt: Attempt =
      phase.kind === "connecting" ? phase.attempt : { number: this.attempts, ticket: false, since: null, opened: true };
    const wasLive = phase.kind === "live" || ((phase.kind === "connecting" || phase.kind === "replaying") && phase.wasLive);
    batch(() => {
      this.phase.value = { kind: "connecting", attempt, wasLive };
      this.host.onDown("lost");
    });
  }

  private goLive(): void {
    const kind = this.phase.value.kind;
    if (kind === "stopped" || kind === "closed" || kind === "loading") return;
    this.phase.value = { kind: "live" };
    this.heartbeat.start();
    this.host.onLive();
  }
}
