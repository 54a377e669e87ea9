/**
 * Where a room's channel is in its life, as one union: the channel used to spread this over
 * a status and five flags (stopped, ever online, asked for a replay, last attempt opened, via a
 * ticket), which could disagree. Every transition replaces the whole phase.
 */
import { assertNever } from "../assert-never";

/** One socket attempt (partysocket makes one per connect, after a backoff). */
export interface Attempt {
  /** Counts attempts since the channel started (1: the first). */
  number: number;
  /** This attempt asks for a ticket first: the previous one never opened (connection.ts). */
  ticket: boolean;
  /** The replay it asks for (`since`), or null: none, live from `hello`. Known once the URL is. */
  since: number | null;
  /** Its socket has opened. */
  opened: boolean;
}

export type Phase =
  /** The newest page of history is loading; the socket opens after it. */
  | { kind: "loading" }
  /** A socket is on its way (or waiting out a backoff). `wasLive`: an earlier one was live. */
  | { kind: "connecting"; attempt: Attempt; wasLive: boolean }
  /** `hello` came for a socket that asked for `since`: the missed messages are arriving. */
  | { kind: "replaying"; wasLive: boolean }
  /** Up to date: sends go out now. */
  | { kind: "live" }
  /** Closed for good (removed from the room, room gone, signed out), for `reason`. */
  | { kind: "closed"; reason: string }
  /** The room's screen went away (`stop()`): nothing may touch the room any more. */
  | { kind: "stopped" };

/** What the connection badge shows (and its `data-state`). */
export type ConnectionState = "connecting" | "online" | "reconnecting" | "closed";

export function connectionStateOf(phase: Phase): ConnectionState {
  switch (phase.kind) {
    case "loading":
      return "connecting";
    case "connecting":
    case "replaying":
      return phase.wasLive ? "reconnecting" : "connecting";
    case "live":
      return "online";
    case "closed":
    case "stopped":
      return "closed";
    default:
      return assertNever(phase, "phase");
  }
}

/** Whether the channel is still trying to get a live socket (a network change may help). */
export function isReaching(phase: Phase): boolean {
  return phase.kind === "connecting" || phase.kind === "replaying";
}
