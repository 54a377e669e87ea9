/**
 * How a call ends, in words: every failure has a key — the client's own codes for what it
 * finds itself (no camera, server unreachable), the shared refusal table for what the
 * signaling server says (worker/contract/calls.ts) — and each key has its text here, so no
 * outcome is recognised by matching words.
 */
import { ApiError } from "../api";
import { assertNever } from "../assert-never";
import { callRefusalOf, MAX_CALL_PEERS } from "../../../worker/contract/calls";

export interface CallOutcome {
  title: string;
  detail: string;
  /** True when the call ended normally (hang-up, everyone left), false for a failure. */
  normal: boolean;
  /** No camera: the same call can be joined with the microphone only. */
  offerAudioOnly?: boolean;
}

export type Problem = Omit<CallOutcome, "normal">;

/** What this client finds wrong by itself. */
export type ClientFailure =
  | { code: "noMediaSupport" }
  | { code: "mediaBlocked"; devices: string }
  | { code: "noCamera" }
  | { code: "noMicrophone" }
  | { code: "mediaBusy"; devices: string }
  | { code: "mediaFailed"; devices: string }
  | { code: "codeNotLoaded" }
  | { code: "serverUnreachable" }
  | { code: "signalingLost" }
  | { code: "sessionElsewhere" }
  | { code: "browserIncompatible" }
  | { code: "peerLost"; name: string }
  | { code: "peerUnreachable"; name: string };

const FULL = `This call is full (at most ${MAX_CALL_PEERS} people).`;
const NOT_A_MEMBER = "You are not a member of this room any more.";

export function clientProblem(failure: ClientFailure): Problem {
  switch (failure.code) {
    case "noMediaSupport":
      return {
        title: "Calls are not available here",
        detail: "This browser cannot use a camera or microphone on this page (calls need a secure https:// address).",
      };
    case "mediaBlocked":
      return {
        title: "Camera or microphone blocked",
        detail: `Hearth was not allowed to use your ${failure.devices}. Allow access in your browser's site settings, then try again.`,
      };
    case "noCamera":
      return {
        title: "No camera found",
        detail: "No camera was found on this device. You can still join with audio only.",
        offerAudioOnly: true,
      };
    case "noMicrophone":
      return { title: "No microphone found", detail: "No microphone was found on this device. Connect one and try again." };
    case "mediaBusy":
      return {
        title: "Camera or microphone busy",
        detail: `Your ${failure.devices} could not be started: another app may be using it.`,
      };
    case "mediaFailed":
      return { title: "Call failed", detail: `Your ${failure.devices} could not be started.` };
    case "codeNotLoaded":
      return { title: "Call failed", detail: "The call software could not be loaded. Check your connection and try again." };
    case "serverUnreachable":
      return { title: "Call failed", detail: "The call server could not be reached. Check your connection and try again." };
    case "signalingLost":
      return { title: "Call dropped", detail: "The connection to the call server was lost." };
    case "sessionElsewhere":
      return { title: "Call failed", detail: "This call session is already open somewhere else." };
    case "browserIncompatible":
      return { title: "Calls are not available here", detail: "This browser does not support video calls." };
    case "peerLost":
      return { title: "Call dropped", detail: `The connection to ${failure.name} was lost.` };
    case "peerUnreachable":
      return { title: "Call failed", detail: `${failure.name} could not be reached. They may have just left the call.` };
    default:
      return assertNever(failure, "call failure");
  }
}

/** `POST …/calls/peer` refused (or failed). */
export function grantProblem(error: unknown): Problem {
  if (error instanceof ApiError) {
    if (error.status === 409) return { title: "Call full", detail: error.message || FULL };
    if (error.status === 403) return { title: "Call failed", detail: NOT_A_MEMBER };
    return { title: "Call failed", detail: error.message };
  }
  return { title: "Call failed", detail: "The call could not be started." };
}

/** The signaling server's refusal (an ERROR frame's text, looked up in the shared table). */
export function refusalProblem(message: string): Problem {
  const refusal = callRefusalOf(message);
  switch (refusal) {
    case "callFull":
      return { title: "Call full", detail: FULL };
    case "notAMember":
      return { title: "Call failed", detail: NOT_A_MEMBER };
    case "unknownId":
      // The peer id expired before the socket opened.
      return { title: "Call failed", detail: "Joining took too long. Try again." };
    case "missingParameters":
    case "invalidKey":
    case "invalidToken":
    case "idTaken":
    case null:
      return { title: "Call failed", detail: message || "The call server refused the call." };
    default:
      return assertNever(refusal, "call refusal");
  }
}
