/**
 * The camera and microphone for a call: asks for them and names what went wrong, so the
 * controller can say it (outcomes.ts) or offer an audio-only call.
 */
import type { ClientFailure } from "./outcomes";

export type CallKind = "video" | "audio";

export async function getLocalMedia(kind: CallKind): Promise<MediaStream | ClientFailure> {
  if (!navigator.mediaDevices?.getUserMedia) return { code: "noMediaSupport" };
  const video: MediaTrackConstraints | false =
    kind === "video" ? { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } } : false;
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true },
      video,
    });
  } catch (error) {
    const name = error instanceof DOMException || error instanceof Error ? error.name : "";
    const devices = kind === "video" ? "camera and microphone" : "microphone";
    if (name === "NotAllowedError" || name === "SecurityError") return { code: "mediaBlocked", devices };
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return kind === "video" && (await hasMicrophone()) ? { code: "noCamera" } : { code: "noMicrophone" };
    }
    if (name === "NotReadableError" || name === "AbortError") return { code: "mediaBusy", devices };
    return { code: "mediaFailed", devices };
  }
}

export function stopTracks(stream: MediaStream): void {
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
