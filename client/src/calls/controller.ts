/**
 * One call, from this browser's side: the camera and microphone, a peer id for the room
 * (docs/calls.md), the stock PeerJS client against Hearth's signaling server, and one
 * WebRTC connection to every other person in the call (a mesh of at most 4).
 *
 * Who calls whom: a newcomer calls everyone who joined the call before it (the server lists
 * participants in the order they joined), and everyone answers incoming calls with their
 * own stream. So each pair is connected exactly once, however many join at the same time.
 *
 * This module is loaded only when a call starts; `peerjs` is loaded by it, later still.
 */
import { batch, signal, type ReadonlySignal } from "@preact/signals";
import type { MediaConnection, Peer, PeerError } from "peerjs";
import { api, ApiError } from "../api";
import type { CallParticipant, User } from "../types";

export type CallKind = "video" | "audio";

/**
 * preparing: camera, peer id and signaling are being set up.
 * waiting:   on the signaling server, nobody connected yet (ringing the others / joining).
 * live:      at least one other person's media is connected.
 * ended:     over, for the reason in `outcome` (hung up, everyone left, or a failure).
 */
export type CallStatus = "preparing" | "waiting" | "live" | "ended";

export interface Remote {
  peerId: string;
  /** From the server's participant list (never from what the other side claims). */
  name: string | null;
  stream: MediaStream | null;
  /** Bumped when the remote stream gains a track, so the view re-renders. */
  tracks: number;
  state: "connecting" | "connected" | "unstable";
}

export interface CallOutcome {
  title: string;
  detail: string;
  /** True when the call ended normally (hang-up, everyone left), false for a failure. */
  normal: boolean;
  /** No camera: the same call can be joined with the microphone only. */
  offerAudioOnly?: boolean;
}

/** A remote must be connected this long after the call to it started. */
const CONNECT_TIMEOUT_MS = 20_000;
/**
 * A call we placed with no answer this long: the offer (or the answer) was lost on the way,
 * e.g. into a signaling socket that had died before the server noticed. It is placed again,
 * at most OFFER_RETRIES times (the callee replaces the first one if it did arrive).
 */
const ANSWER_TIMEOUT_MS = 6_000;
const OFFER_RETRIES = 2;
/** ICE 'disconnected' this long: the connection is given up. */
const UNSTABLE_GRACE_MS = 5_000;
/** Alone in a call this long: nobody answered. */
const NO_ANSWER_MS = 60_000;
/** The signaling socket is retried this long before the call counts as dropped. */
const SIGNALING_GRACE_MS = 15_000;
const SIGNALING_RETRY_MS = 2_500;

let latest: CallController | null = null;

/**
 * A small debug handle for tests and for people debugging a call in the console:
 * every RTCPeerConnection of the latest call (closed ones included), for getStats().
 */
(window as unknown as { __hearthCall: unknown }).__hearthCall = {
  peerConnections: (): RTCPeerConnection[] => (latest ? [...latest.peerConnections] : []),
  status: (): CallStatus | null => latest?.status.value ?? null,
};

export class CallController {
  readonly status = signal<CallStatus>("preparing");
  readonly outcome = signal<CallOutcome | null>(null);
  /** Something worth saying while the call goes on ("bob left the call"). */
  readonly notice = signal<string | null>(null);
  readonly remotes = signal<Remote[]>([]);
  readonly local = signal<MediaStream | null>(null);
  readonly hasVideo = signal(false);
  readonly muted = signal(false);
  readonly cameraOff = signal(false);
  /** True once I called someone already in the call (joining) rather than starting it. */
  readonly joined = signal(false);
  readonly peerConnections: RTCPeerConnection[] = [];

  private peer: Peer | null = null;
  private myPeerId = "";
  private opened = false;
  private done = false;
  private readonly conns = new Map<string, MediaConnection>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly names = new Map<string, string>();
  /** Peer ids the participant list has shown: one missing from it later has left. */
  private readonly listed = new Set<string>();
  private noAnswerTimer: ReturnType<typeof setTimeout> | null = null;
  private signalingTimer: ReturnType<typeof setTimeout> | null = null;
  private signalingRetry: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly roomId: string,
    readonly me: User,
    readonly kind: CallKind,
    /** The room's live participant list (the `call` frames of its socket). */
    private readonly roomCall: ReadonlySignal<CallParticipant[]>,
  ) {}

  get finished(): boolean {
    return this.status.value === "ended";
  }

  async start(): Promise<void> {
    latest = this;
    addEventListener("pagehide", this.onPageHide);

    const stream = await this.getMedia();
    if (!stream) return;
    if (this.done) {
      stopTracks(stream);
      return;
    }
    batch(() => {
      this.local.value = stream;
      this.hasVideo.value = stream.getVideoTracks().length > 0;
    });

    let grant;
    try {
      grant = await api.callPeer(this.roomId);
    } catch (error) {
      this.fail(grantProblem(error));
      return;
    }
    if (this.done) return;

    let PeerClass: typeof Peer;
    try {
      ({ Peer: PeerClass } = await import("peerjs"));
    } catch {
      this.fail({ title: "Call failed", detail: "The call software could not be loaded. Check your connection and try again." });
      return;
    }
    if (this.done) return;

    this.myPeerId = grant.peerId;
    const secure = location.protocol === "https:";
    const peer = new PeerClass(grant.peerId, {
      host: location.hostname,
      port: Number(location.port) || (secure ? 443 : 80),
      secure,
      path: grant.path,
      key: grant.key,
      // Binds the id to this client on the server; the stock token is Math.random().
      token: randomToken(),
      // Always given, even empty: without it PeerJS falls back to public STUN/TURN hosts.
      config: { iceServers: grant.iceServers },
      debug: 0,
    });
    this.peer = peer;
    peer.on("open", () => void this.onOpen());
    peer.on("call", (conn) => this.onIncoming(conn));
    peer.on("error", (error) => this.onPeerError(error));
    peer.on("disconnected", () => this.onSignalingLost());
    this.unsubscribe = this.roomCall.subscribe((list) => this.onParticipants(list));
  }

  hangUp(): void {
    this.end({ title: "Call ended", detail: "You left the call.", normal: true });
  }

  toggleMute(): void {
    const muted = !this.muted.value;
    for (const track of this.local.value?.getAudioTracks() ?? []) track.enabled = !muted;
    this.muted.value = muted;
  }

  toggleCamera(): void {
    const off = !this.cameraOff.value;
    for (const track of this.local.value?.getVideoTracks() ?? []) track.enabled = !off;
    this.cameraOff.value = off;
  }

  // ---- media ---------------------------------------------------------------------------

  private async getMedia(): Promise<MediaStream | null> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.fail({
        title: "Calls are not available here",
        detail: "This browser cannot use a camera or microphone on this page (calls need a secure https:// address).",
      });
      return null;
    }
    const video: MediaTrackConstraints | false =
      this.kind === "video"
        ? { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } }
        : false;
    try {
      return await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true },
        video,
      });
    } catch (error) {
      const name = error instanceof DOMException || error instanceof Error ? error.name : "";
      const devices = this.kind === "video" ? "camera and microphone" : "microphone";
      if (name === "NotAllowedError" || name === "SecurityError") {
        this.fail({
          title: "Camera or microphone blocked",
          detail: `Hearth was not allowed to use your ${devices}. Allow access in your browser's site settings, then try again.`,
        });
      } else if (name === "NotFoundError" || name === "OverconstrainedError") {
        if (this.kind === "video" && (await hasMicrophone())) {
          this.fail({
            title: "No camera found",
            detail: "No camera was found on this device. You can still join with audio only.",
            offerAudioOnly: true,
          });
        } else {
          this.fail({
            title: "No microphone found",
            detail: "No microphone was found on this device. Connect one and try again.",
          });
        }
      } else if (name === "NotReadableError" || name === "AbortError") {
        this.fail({
          title: "Camera or microphone busy",
          detail: `Your ${devices} could not be started: another app may be using it.`,
        });
      } else {
        this.fail({ title: "Call failed", detail: `Your ${devices} could not be started.` });
      }
      return null;
    }
  }

  // ---- signaling -----------------------------------------------------------------------

  private async onOpen(): Promise<void> {
    this.signalingRestored();
    if (this.done) return;
    if (this.opened) return this.rejoinMesh();
    this.opened = true;
    this.status.value = "waiting";

    let list: CallParticipant[];
    try {
      list = (await api.callParticipants(this.roomId)).participants;
    } catch {
      list = this.roomCall.value;
    }
    if (this.done) return;
    this.learn(list);
    const mine = list.findIndex((p) => p.peerId === this.myPeerId);
    const earlier = mine >= 0 ? list.slice(0, mine) : list.filter((p) => p.peerId !== this.myPeerId);
    if (earlier.length > 0) this.joined.value = true;
    for (const participant of earlier) this.callOut(participant.peerId);
    this.armNoAnswer();
  }

  /**
   * Signaling is back after a drop (`peer.reconnect`). While it was gone the server may have
   * listed us as gone, so someone who joined meanwhile called only the others; the server now
   * lists us after them. Later joiners call earlier ones: call every peer listed before us that
   * we have no connection to, or only a call of ours with no answer (callOut skips the rest).
   */
  private async rejoinMesh(): Promise<void> {
    let list: CallParticipant[];
    try {
      list = (await api.callParticipants(this.roomId)).participants;
    } catch {
      return;
    }
    if (this.done) return;
    this.learn(list);
    const mine = list.findIndex((p) => p.peerId === this.myPeerId);
    for (const participant of list.slice(0, Math.max(mine, 0))) this.callOut(participant.peerId);
  }

  private onSignalingLost(): void {
    if (this.done || this.signalingTimer) return;
    this.say("Reconnecting to the call server…", false);
    const retry = () => {
      const peer = this.peer;
      if (!this.done && peer && !peer.destroyed && peer.disconnected) peer.reconnect();
    };
    this.signalingRetry = setInterval(retry, SIGNALING_RETRY_MS);
    setTimeout(retry, 300);
    this.signalingTimer = setTimeout(() => {
      this.signalingTimer = null;
      if (this.peer?.open) return;
      this.fail({
        title: "Call dropped",
        detail: "The connection to the call server was lost.",
      });
    }, SIGNALING_GRACE_MS);
  }

  private signalingRestored(): void {
    if (this.signalingRetry) clearInterval(this.signalingRetry);
    if (this.signalingTimer) clearTimeout(this.signalingTimer);
    if (this.signalingTimer || this.signalingRetry) this.say(null);
    this.signalingRetry = null;
    this.signalingTimer = null;
  }

  private onPeerError(error: PeerError<string>): void {
    if (this.done) return;
    switch (error.type) {
      case "peer-unavailable": {
        // The server's EXPIRE: "Could not connect to peer <id>".
        const peerId = /(\S+)$/.exec(error.message)?.[1];
        if (peerId && this.conns.has(peerId)) this.drop(peerId, "unreachable");
        return;
      }
      case "server-error":
        this.fail(serverRefusal(error.message));
        return;
      case "unavailable-id":
        this.fail({ title: "Call failed", detail: "This call session is already open somewhere else." });
        return;
      case "network":
      case "socket-error":
      case "socket-closed":
        if (!this.opened) {
          this.fail({ title: "Call failed", detail: "The call server could not be reached. Check your connection and try again." });
        } else {
          this.onSignalingLost();
        }
        return;
      case "browser-incompatible":
        this.fail({ title: "Calls are not available here", detail: "This browser does not support video calls." });
        return;
      case "disconnected":
        return;
      default:
        this.say(error.message || "Something went wrong with the call.");
    }
  }

  // ---- connections ---------------------------------------------------------------------

  /**
   * Calls `peerId` unless connected or connecting to them already. A call we placed that has
   * no answer yet counts as absent: after a signaling drop its offer may never have left.
   * `deadline`: the re-placed calls of one attempt share the first one's CONNECT_TIMEOUT_MS.
   */
  private callOut(peerId: string, retry = 0, deadline = Date.now() + CONNECT_TIMEOUT_MS): void {
    const peer = this.peer;
    const stream = this.local.value;
    const existing = this.conns.get(peerId);
    if (!peer || !stream || (retry === 0 && existing && existing.peerConnection?.remoteDescription)) return;
    const conn = peer.call(peerId, stream);
    if (!conn) return;
    this.track(conn, Math.max(0, deadline - Date.now()));
    setTimeout(() => {
      if (this.done || this.conns.get(peerId) !== conn || conn.peerConnection?.remoteDescription) return;
      // With the call server away the offer could not go out: rejoinMesh places the call again
      // once it is back.
      if (!this.peer?.open) return;
      if (retry < OFFER_RETRIES) this.callOut(peerId, retry + 1, deadline);
    }, ANSWER_TIMEOUT_MS);
  }

  private onIncoming(conn: MediaConnection): void {
    const stream = this.local.value;
    if (this.done || !stream) {
      conn.close();
      return;
    }
    conn.answer(stream);
    this.track(conn);
    if (!this.names.has(conn.peer)) {
      // A newcomer's call can beat the room's `call` frame that lists them.
      api.callParticipants(this.roomId).then(
        ({ participants }) => this.learn(participants),
        () => {},
      );
    }
  }

  private track(conn: MediaConnection, connectWithinMs = CONNECT_TIMEOUT_MS): void {
    const id = conn.peer;
    const previous = this.conns.get(id);
    this.conns.set(id, conn);
    if (previous && previous !== conn) previous.close();
    this.clearTimer(id);
    if (this.noAnswerTimer) clearTimeout(this.noAnswerTimer);
    this.noAnswerTimer = null;

    this.patch(id, { stream: null, tracks: 0, state: "connecting" }, true);
    const current = () => this.conns.get(id) === conn && !this.done;

    const pc = conn.peerConnection;
    if (pc) {
      this.peerConnections.push(pc);
      pc.addEventListener("connectionstatechange", () => {
        if (current()) this.onConnectionState(id, pc.connectionState);
      });
    }
    conn.on("stream", (stream) => {
      if (current()) this.patch(id, { stream, tracks: stream.getTracks().length });
    });
    conn.on("close", () => {
      if (current()) this.drop(id, "left");
    });
    conn.on("error", () => {
      if (current()) this.drop(id, "lost");
    });
    this.timers.set(
      id,
      setTimeout(() => {
        if (current() && this.remote(id)?.state !== "connected") this.drop(id, "unreachable");
      }, connectWithinMs),
    );
  }

  private onConnectionState(id: string, state: RTCPeerConnectionState): void {
    switch (state) {
      case "connected":
        this.clearTimer(id);
        batch(() => {
          this.patch(id, { state: "connected" });
          this.status.value = "live";
        });
        return;
      case "disconnected":
        this.patch(id, { state: "unstable" });
        this.clearTimer(id);
        this.timers.set(
          id,
          setTimeout(() => this.drop(id, "lost"), UNSTABLE_GRACE_MS),
        );
        return;
      case "failed":
        this.drop(id, "lost");
        return;
      case "closed":
        this.drop(id, "left");
        return;
    }
  }

  /** The room's participant list changed: names, and anyone who left before connecting. */
  private onParticipants(list: CallParticipant[]): void {
    if (this.done) return;
    this.learn(list);
    for (const id of [...this.conns.keys()]) {
      const gone = this.listed.has(id) && !list.some((p) => p.peerId === id);
      if (gone && this.remote(id)?.state !== "connected") this.drop(id, "left");
    }
  }

  private learn(list: CallParticipant[]): void {
    for (const p of list) {
      if (p.peerId === this.myPeerId) continue;
      this.names.set(p.peerId, p.username);
      this.listed.add(p.peerId);
    }
    if (this.remotes.value.some((r) => r.name !== (this.names.get(r.peerId) ?? null))) {
      this.remotes.value = this.remotes.value.map((r) => ({ ...r, name: this.names.get(r.peerId) ?? null }));
    }
  }

  private drop(id: string, why: "left" | "lost" | "unreachable"): void {
    const conn = this.conns.get(id);
    if (!conn || this.done) return;
    this.conns.delete(id);
    this.clearTimer(id);
    conn.close();
    const name = this.names.get(id) ?? "Someone";
    this.remotes.value = this.remotes.value.filter((r) => r.peerId !== id);
    const detail =
      why === "left"
        ? `${name} left the call.`
        : why === "lost"
          ? `The connection to ${name} was lost.`
          : `${name} could not be reached.`;

    if (this.conns.size > 0) {
      this.say(detail);
      return;
    }
    // Nobody else any more: the call is over on this side too.
    if (why === "left") this.end({ title: "Call ended", detail, normal: true });
    else if (why === "lost") this.fail({ title: "Call dropped", detail });
    else this.fail({ title: "Call failed", detail: `${name} could not be reached. They may have just left the call.` });
  }

  private armNoAnswer(): void {
    if (this.conns.size > 0 || this.done) return;
    this.noAnswerTimer = setTimeout(() => {
      if (this.conns.size === 0) this.end({ title: "Call ended", detail: "Nobody answered.", normal: true });
    }, NO_ANSWER_MS);
  }

  // ---- ending ----------------------------------------------------------------------------

  private fail(outcome: Omit<CallOutcome, "normal">): void {
    this.end({ ...outcome, normal: false });
  }

  private end(outcome: CallOutcome): void {
    if (this.done) return;
    this.done = true;
    removeEventListener("pagehide", this.onPageHide);
    this.unsubscribe?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const timer of [this.noAnswerTimer, this.signalingTimer, this.noticeTimer]) {
      if (timer) clearTimeout(timer);
    }
    if (this.signalingRetry) clearInterval(this.signalingRetry);
    const conns = [...this.conns.values()];
    this.conns.clear();
    for (const conn of conns) conn.close();
    // Closes the signaling socket: the server drops me from the participant list.
    this.peer?.destroy();
    this.peer = null;
    if (this.local.value) stopTracks(this.local.value);
    batch(() => {
      this.outcome.value = outcome;
      this.status.value = "ended";
      this.remotes.value = [];
      this.local.value = null;
      this.notice.value = null;
    });
  }

  private readonly onPageHide = () => this.hangUp();

  // ---- helpers ---------------------------------------------------------------------------

  private remote(id: string): Remote | undefined {
    return this.remotes.value.find((r) => r.peerId === id);
  }

  private patch(id: string, change: Partial<Remote>, create = false): void {
    const list = this.remotes.value;
    if (list.some((r) => r.peerId === id)) {
      this.remotes.value = list.map((r) => (r.peerId === id ? { ...r, ...change } : r));
    } else if (create) {
      const base: Remote = { peerId: id, name: this.names.get(id) ?? null, stream: null, tracks: 0, state: "connecting" };
      this.remotes.value = [...list, { ...base, ...change }];
    }
  }

  private clearTimer(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  /** Shows a notice; transient ones clear themselves after a few seconds. */
  private say(text: string | null, transient = true): void {
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = null;
    this.notice.value = text;
    if (text && transient) this.noticeTimer = setTimeout(() => (this.notice.value = null), 6_000);
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

async function hasMicrophone(): Promise<boolean> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.some((d) => d.kind === "audioinput");
  } catch {
    return false;
  }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function grantProblem(error: unknown): Omit<CallOutcome, "normal"> {
  if (error instanceof ApiError) {
    if (error.status === 409) return { title: "Call full", detail: error.message || "This call is full (at most 4 people)." };
    if (error.status === 403) return { title: "Call failed", detail: "You are not a member of this room any more." };
    return { title: "Call failed", detail: error.message };
  }
  return { title: "Call failed", detail: "The call could not be started." };
}

/** The words the signaling server closes a socket with (docs/calls.md §2). */
function serverRefusal(message: string): Omit<CallOutcome, "normal"> {
  if (/full/i.test(message)) return { title: "Call full", detail: "This call is full (at most 4 people)." };
  if (/not a member/i.test(message)) return { title: "Call failed", detail: "You are not a member of this room any more." };
  if (/expired/i.test(message)) return { title: "Call failed", detail: "Joining took too long. Try again." };
  return { title: "Call failed", detail: message || "The call server refused the call." };
}
