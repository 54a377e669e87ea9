/**
 * A socket's heartbeat: a `ping` every 20 s while live, and a reconnect when nothing at all
 * arrives within 10 s of one (a dead connection the browser has not reported yet). Any frame
 * proves the socket alive. Used by the room socket and the per-user channel alike.
 */
import type { Disposables } from "./disposables";

const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;

export class Heartbeat {
  private stopPinging: (() => void) | null = null;
  private cancelDeadline: (() => void) | null = null;

  /**
   * @param ping sends `{"type":"ping"}`; false when the socket is not open (no deadline then)
   * @param restart drops the socket and reconnects
   * @example const beat = new Heartbeat(owner, () => conn.send({ type: "ping" }), () => socket.reconnect(4000));
   */
  constructor(
    private readonly owner: Disposables,
    private readonly ping: () => boolean,
    private readonly restart: () => void,
  ) {}

  start(): void {
    this.stop();
    this.stopPinging = this.owner.interval(() => {
      if (!this.ping() || this.cancelDeadline) return;
      this.cancelDeadline = this.owner.timeout(() => {
        this.cancelDeadline = null;
        this.restart();
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  /** Any frame proves the socket alive. */
  alive(): void {
    this.cancelDeadline?.();
    this.cancelDeadline = null;
  }

  stop(): void {
    this.stopPinging?.();
    this.stopPinging = null;
    this.alive();
  }
}
