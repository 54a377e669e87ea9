/**
 * The call that is on (or has just ended) in this tab, and the loader of the call code.
 * Kept tiny: it is part of the initial bundle. The controller, the call view and `peerjs`
 * are loaded only when a call starts.
 */
import { signal, type ReadonlySignal } from "@preact/signals";
import type { CallParticipant, User } from "../types";
import type { CallKind, CallController } from "./controller";

type CallModule = typeof import("./CallView");

/** The current call, or the one that just ended (its "Call ended" panel); null: none. */
export const activeCall = signal<CallController | null>(null);
/** The lazily loaded call code, once loaded. */
export const callModule = signal<CallModule | null>(null);
/** The call code is being loaded. */
export const callLoading = signal(false);
/** The call code could not be loaded (offline?). */
export const callLoadError = signal<string | null>(null);
/** A call accepted from the app-wide ring, to join as soon as that room's screen is up (CallArea). */
export const answerRequest = signal<{ roomId: string; kind: CallKind } | null>(null);

let loading: Promise<CallModule> | null = null;

function loadCallModule(): Promise<CallModule> {
  loading ??= import("./CallView").then(
    (module) => {
      callModule.value = module;
      return module;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** Starts a call in a room, or joins the one going on there. */
export async function startCall(
  room: { roomId: string; me: User; call: ReadonlySignal<CallParticipant[]> },
  kind: CallKind,
): Promise<void> {
  const current = activeCall.value;
  if ((current && !current.finished) || callLoading.value) return;
  callLoading.value = true;
  callLoadError.value = null;
  try {
    const { CallController } = await loadCallModule();
    const call = new CallController(room.roomId, room.me, kind, room.call);
    activeCall.value = call;
    void call.start();
  } catch {
    callLoadError.value = "The call could not be started: Hearth's call code did not load. Check your connection and try again.";
  } finally {
    callLoading.value = false;
  }
}

/** Hangs up the call of a room (when its screen closes) and forgets it. */
export function leaveCallOf(roomId: string): void {
  const call = activeCall.value;
  if (!call || call.roomId !== roomId) return;
  call.hangUp();
  activeCall.value = null;
}
