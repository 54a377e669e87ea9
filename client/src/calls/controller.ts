/**
 * One call, from this browser's side: the camera and microphone (local-media.ts), a peer id
 * for the room (docs/calls.md), the stock PeerJS client against Hearth's signaling server
 * (peer.ts), and one WebRTC connection to every other person in the call (a mesh of at most 4).
 *
 * Who calls whom: a newcomer calls everyone who joined the call before it (the server lists
 * participants in the order they joined), and everyone answers incoming calls with their
 * own stream. So each pair is connected exactly once, however many join at the same time.
 *
 * Every timer, listener and subscription of a call belongs to its `owner`, freed once when
 * the call ends. This module is loaded only when a call starts; `peerjs` later still.
 */
import { batch, signal, type ReadonlySignal } from "@preact/signals";
import type { MediaConnection, Peer, PeerError } from "peerjs";
import { api } from "../api";
import { Disposables } from "../disposables";
import type { CallParticipant, User } from "../types";
import { getLocalMedia, stopTracks, type CallKind } from "./local-media";
import { clientProblem, grantProblem, refusalProblem, type CallOutcome, type ClientFailure, type Problem } from "./outcomes";
import { createPeer, loadPeerJs, unavailablePeerOf } from "./peer";
import { Roster } from "./roster";

export type { CallKind } from "./local-media";
export type { CallOutcome } from "./outcomes";
export type { Remote } from "./roster";

/** Where a call is; the outcome exists exactly when it is over. */
export type CallStatus =
  /** Camera, peer id and signaling are being set up. */
  | { kind: "preparing" }
  /** On the signaling server, nobody connected yet (ringing the others, or joining). */
  | { kind: "waiting" }
  /** At least one other person's media is connected. */
  | { kind: "live" }
  /** Over: hung up, everyone left, or a failure. */
  | { kind: "ended"; outcome: CallOutcome };

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
const NOTICE_MS = 6_000;

let latest: CallController | null = null;

/**
 * A small debug handle for tests and for people debugging a call in the console:
 * every RTCPeerConnection of the latest call (closed ones included), for getStats().
 */
(window as unknown as { __hearthCall: unknown }).__hearthCall = {
  peerConnections: (): RTCPeerConnection[] => (latest ? [...latest.peerConnections] : []),
  status: (): CallStatus["kind"] | null => latest?.status.value.kind ?? null,
};

export class CallController {
  readonly status = signal<CallStatus>({ kind: "preparing" });
  /** Something worth saying while the call goes on ("bob left the call"). */
  readonly notice = signal<string | null>(null);
  private readonly roster = new Roster();
  /** The others' tiles. */
  readonly remotes = this.roster.remotes;
  readonly local = signal<MediaStream | null>(null);
  readonly hasVideo = signal(false);
  readonly muted = signal(false);
  readonly cameraOff = signal(false);
  /** True once I called someone already in the call (joining) rather than starting it. */
  readonly joined = signal(false);
  readonly peerConnections: RTCPeerConnection[] = [];

  private readonly owner = new Disposables();
  private peer: Peer | null = null;
  private myPeerId = "";
  private readonly conns = new Map<string, MediaConnection>();
  /** Per remote, the cancel of its one pending deadline (connect, or ICE grace). */
  private readonly deadlines = new Map<string, () => void>();
  private cancelNoAnswer: (() => void) | null = null;
  /** Set while the signaling socket is being retried: cancels the retries and the deadline. */
  private signalingRetries: (() => void) | null = null;
  private cancelNotice: (() => void) | null = null;

  constructor(
    readonly roomId: string,
    readonly me: User,
    readonly kind: CallKind,
    /** The room's live participant list (the `call` frames of its socket). */
    private readonly roomCall: ReadonlySignal<CallParticipant[]>,
  ) {}

  get finished(): boolean {
    return this.status.value.kind === "ended";
  }

  async start(): Promise<void> {
    latest = this;
    this.owner.listen(window, "pagehide", () => this.hangUp());

    const stream = await getLocalMedia(this.kind);
    if (!(stream instanceof MediaStream)) return this.failWith(stream);
    if (this.finished) return stopTracks(stream);
    batch(() => {
      this.local.value = stream;
      this.hasVideo.value = stream.getVideoTracks().length > 0;
    });

    let grant;
    try {
      grant = await api.callPeer(this.roomId);
    } catch (error) {
      return this.fail(grantProblem(error));
    }
    if (this.finished) return;

    const PeerClass = await loadPeerJs();
    if (!PeerClass) return this.failWith({ code: "codeNotLoaded" });
    if (this.finished) return;
    this.myPeerId = grant.peerId;
    const peer = createPeer(PeerClass, grant);
    this.peer = peer;
    this.owner.add(() => peer.destroy()); // closes the signaling socket: the server drops me
    peer.on("open", () => void this.onOpen());
    peer.on("call", (conn) => this.onIncoming(conn));
    peer.on("error", (error) => this.onPeerError(error));
    peer.on("disconnected", () => this.onSignalingLost());
    this.owner.add(this.roomCall.subscribe((list) => this.onParticipants(list)));
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

  // ---- signaling -----------------------------------------------------------------------

  private async onOpen(): Promise<void> {
    this.signalingRestored();
    const status = this.status.value.kind;
    if (status === "ended") return;
    if (status !== "preparing") return this.rejoinMesh();
    this.status.value = { kind: "waiting" };

    let list: CallParticipant[];
    try {
      list = (await api.callParticipants(this.roomId)).participants;
    } catch {
      list = this.roomCall.value;
    }
    if (this.finished) return;
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
    if (this.finished) return;
    this.learn(list);
    const mine = list.findIndex((p) => p.peerId === this.myPeerId);
    for (const participant of list.slice(0, Math.max(mine, 0))) this.callOut(participant.peerId);
  }

  private onSignalingLost(): void {
    if (this.finished || this.signalingRetries) return;
    this.say("Reconnecting to the call server…", false);
    const retry = () => {
      const peer = this.peer;
      if (!this.finished && peer && !peer.destroyed && peer.disconnected) peer.reconnect();
    };
    const stopRetrying = this.owner.interval(retry, SIGNALING_RETRY_MS);
    const firstRetry = this.owner.timeout(retry, 300);
    const deadline = this.owner.timeout(() => {
      stopRetrying();
      this.signalingRetries = null;
      if (this.peer?.open) return;
      this.failWith({ code: "signalingLost" });
    }, SIGNALING_GRACE_MS);
    this.signalingRetries = () => {
      stopRetrying();
      firstRetry();
      deadline();
    };
  }

  private signalingRestored(): void {
    if (!this.signalingRetries) return;
    this.signalingRetries();
    this.signalingRetries = null;
    this.say(null);
  }

  private onPeerError(error: PeerError<string>): void {
    if (this.finished) return;
    switch (error.type) {
      case "peer-unavailable": {
        const peerId = unavailablePeerOf(error.message, this.conns.keys());
        if (peerId) this.drop(peerId, "unreachable");
        return;
      }
      case "server-error":
        return this.fail(refusalProblem(error.message));
      case "unavailable-id":
        return this.failWith({ code: "sessionElsewhere" });
      case "network":
      case "socket-error":
      case "socket-closed":
        if (this.status.value.kind === "preparing") return this.failWith({ code: "serverUnreachable" });
        return this.onSignalingLost();
      case "browser-incompatible":
        return this.failWith({ code: "browserIncompatible" });
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
    this.owner.timeout(() => {
      if (this.finished || this.conns.get(peerId) !== conn || conn.peerConnection?.remoteDescription) return;
      // With the call server away the offer could not go out: rejoinMesh places the call again
      // once it is back.
      if (!this.peer?.open) return;
      if (retry < OFFER_RETRIES) this.callOut(peerId, retry + 1, deadline);
    }, ANSWER_TIMEOUT_MS);
  }

  private onIncoming(conn: MediaConnection): void {
    const stream = this.local.value;
    if (this.finished || !stream) {
      conn.close();
      return;
    }
    conn.answer(stream);
    this.track(conn);
    if (this.roster.nameOf(conn.peer) === null) {
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
    this.clearDeadline(id);
    this.cancelNoAnswer?.();
    this.cancelNoAnswer = null;

    this.roster.patch(id, { stream: null, tracks: 0, state: "connecting" }, true);
    const current = () => this.conns.get(id) === conn && !this.finished;

    const pc = conn.peerConnection;
    if (pc) {
      this.peerConnections.push(pc);
      pc.addEventListener("connectionstatechange", () => {
        if (current()) this.onConnectionState(id, pc.connectionState);
      });
    }
    conn.on("stream", (stream) => {
      if (current()) this.roster.patch(id, { stream, tracks: stream.getTracks().length });
    });
    conn.on("close", () => {
      if (current()) this.drop(id, "left");
    });
    conn.on("error", () => {
      if (current()) this.drop(id, "lost");
    });
    this.setDeadline(id, connectWithinMs, () => {
      if (current() && this.roster.get(id)?.state !== "connected") this.drop(id, "unreachable");
    });
  }

  private onConnectionState(id: string, state: RTCPeerConnectionState): void {
    switch (state) {
      case "connected":
        this.clearDeadline(id);
        batch(() => {
          this.roster.patch(id, { state: "connected" });
          this.status.value = { kind: "live" };
        });
        return;
      case "disconnected":
        this.roster.patch(id, { state: "unstable" });
        this.setDeadline(id, UNSTABLE_GRACE_MS, () => this.drop(id, "lost"));
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
    if (this.finished) return;
    this.learn(list);
    for (const id of [...this.conns.keys()]) {
      if (this.roster.hasLeft(id, list) && this.roster.get(id)?.state !== "connected") this.drop(id, "left");
    }
  }

  private learn(list: CallParticipant[]): void {
    this.roster.learn(list, this.myPeerId);
  }

  private drop(id: string, why: "left" | "lost" | "unreachable"): void {
    const conn = this.conns.get(id);
    if (!conn || this.finished) return;
    this.conns.delete(id);
    this.clearDeadline(id);
    conn.close();
    const name = this.roster.nameOf(id) ?? "Someone";
    this.roster.remove(id);
    const detail =
      why === "left"
        ? `${name} left the call.`
        : why === "lost"
          ? clientProblem({ code: "peerLost", name }).detail
          : `${name} could not be reached.`;

    if (this.conns.size > 0) {
      this.say(detail);
      return;
    }
    // Nobody else any more: the call is over on this side too.
    if (why === "left") this.end({ title: "Call ended", detail, normal: true });
    else this.failWith({ code: why === "lost" ? "peerLost" : "peerUnreachable", name });
  }

  private armNoAnswer(): void {
    if (this.conns.size > 0 || this.finished) return;
    this.cancelNoAnswer = this.owner.timeout(() => {
      if (this.conns.size === 0) this.end({ title: "Call ended", detail: "Nobody answered.", normal: true });
    }, NO_ANSWER_MS);
  }

  // ---- ending ----------------------------------------------------------------------------

  private failWith(failure: ClientFailure): void {
    this.fail(clientProblem(failure));
  }

  private fail(problem: Problem): void {
    this.end({ ...problem, normal: false });
  }

  /** Ends the call once: frees everything it owns, closes every connection, stops the camera. */
  private end(outcome: CallOutcome): void {
    if (this.finished) return;
    const stream = this.local.value;
    const conns = [...this.conns.values()];
    this.conns.clear();
    // Ended first: the events that closing fires below find the call over and do nothing.
    batch(() => {
      this.status.value = { kind: "ended", outcome };
      this.remotes.value = [];
      this.local.value = null;
      this.notice.value = null;
    });
    for (const conn of conns) conn.close();
    // Timers, listeners, the participant subscription and the peer (its signaling socket).
    this.owner.dispose();
    this.peer = null;
    if (stream) stopTracks(stream);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Gives a remote its one pending deadline (replacing any earlier one). */
  private setDeadline(id: string, ms: number, callback: () => void): void {
    this.clearDeadline(id);
    this.deadlines.set(id, this.owner.timeout(callback, ms));
  }

  private clearDeadline(id: string): void {
    this.deadlines.get(id)?.();
    this.deadlines.delete(id);
  }

  /** Shows a notice; transient ones clear themselves after a few seconds. */
  private say(text: string | null, transient = true): void {
    this.cancelNotice?.();
    this.cancelNotice = null;
    this.notice.value = text;
    if (text && transient) this.cancelNotice = this.owner.timeout(() => (this.notice.value = null), NOTICE_MS);
  }
}

