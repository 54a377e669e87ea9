/** The voice-note recorder: loaded the first time the microphone button is pressed. */
import { useEffect, useRef, useState } from "preact/hooks";
import { formatDuration } from "./format";
import { MediaIcon, SendGlyph } from "./icons";
import { roundSeconds } from "./measure";
import { withDuration } from "./webm-duration";

export interface RecorderProps {
  /** The recording, and its length in seconds. */
  onSend: (file: File, duration: number) => void;
  onCancel: () => void;
  /** Recording could not start or produced nothing: why, in words. */
  onError: (message: string) => void;
}

/** What Hearth prefers to record, best first (Chromium and Firefox: Opus in WebM). */
const TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
/** A recording left running stops and is sent at this length. */
const MAX_SECONDS = 30 * 60;

/**
 * Records a voice note from the microphone: a running time, Cancel and Send. Loaded only when
 * the microphone button is first pressed.
 */
export function VoiceRecorder({ onSend, onCancel, onError }: RecorderProps) {
  const [state, setState] = useState<"starting" | "recording" | "finishing">("starting");
  const [elapsed, setElapsed] = useState(0);
  const session = useRef<{ finish: () => void; cancel: () => void } | null>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const props = useRef({ onSend, onCancel, onError });
  props.current = { onSend, onCancel, onError };

  useEffect(() => {
    let stream: MediaStream | null = null;
    let recorder: MediaRecorder | null = null;
    let timer: ReturnType<typeof setInterval> | null = null;
    let ended = false;
    const chunks: Blob[] = [];
    let startedAt = 0;

    const release = () => {
      if (timer) clearInterval(timer);
      timer = null;
      for (const track of stream?.getTracks() ?? []) track.stop();
    };

    const finish = () => {
      if (ended || !recorder) return;
      ended = true;
      const seconds = roundSeconds((performance.now() - startedAt) / 1000);
      setState("finishing");
      const active = recorder;
      active.addEventListener(
        "stop",
        () => {
          release();
          const type = active.mimeType || chunks[0]?.type || "audio/webm";
          const blob = new Blob(chunks, { type });
          if (blob.size === 0) {
            props.current.onError("Nothing was recorded. Check your microphone and try again.");
            return;
          }
          void withDuration(blob, seconds).then((fixed) => {
            props.current.onSend(new File([fixed], voiceNoteName(type), { type }), seconds);
          });
        },
        { once: true },
      );
      active.stop();
    };

    const cancel = () => {
      ended = true;
      if (recorder && recorder.state !== "inactive") recorder.stop();
      release();
    };
    session.current = { finish, cancel };

    void (async () => {
      if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") {
        props.current.onError("This browser cannot record audio.");
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        if (!ended) props.current.onError(microphoneError(error));
        return;
      }
      if (ended) {
        release();
        return;
      }
      try {
        const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
        recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
        recorder.addEventListener("dataavailable", (event) => {
          if (event.data.size > 0) chunks.push(event.data);
        });
        recorder.start(500);
      } catch {
        release();
        props.current.onError("Recording could not start in this browser.");
        return;
      }
      startedAt = performance.now();
      setState("recording");
      timer = setInterval(() => {
        const seconds = (performance.now() - startedAt) / 1000;
        setElapsed(seconds);
        if (seconds >= MAX_SECONDS) finish();
      }, 200);
    })();

    return () => {
      if (!ended) cancel();
      release();
    };
  }, []);

  useEffect(() => {
    if (state === "recording") sendButton.current?.focus();
  }, [state]);

  function cancel() {
    session.current?.cancel();
    props.current.onCancel();
  }

  return (
    <div
      class="rec"
      role="group"
      aria-label="Voice note recorder"
      data-testid="recorder"
      data-state={state}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          cancel();
        }
      }}
    >
      <button
        type="button"
        class="icon-btn rec__cancel"
        aria-label="Cancel voice note"
        onClick={cancel}
      >
        <MediaIcon name="trash" />
      </button>
      <span class={`rec__dot${state === "recording" ? " rec__dot--live" : ""}`} aria-hidden="true" />
      <span class="rec__label">
        {state === "starting" ? "Starting the microphone…" : state === "recording" ? "Recording" : "Finishing…"}
      </span>
      <span class="rec__time" role="timer" aria-label="Recording time" data-testid="recording-time">
        {formatDuration(elapsed)}
      </span>
      <button
        ref={sendButton}
        type="button"
        class="composer__send rec__send"
        aria-label="Send voice note"
        disabled={state !== "recording"}
        onClick={() => session.current?.finish()}
      >
        <SendGlyph />
      </button>
    </div>
  );
}

function voiceNoteName(type: string): string {
  const ext = type.includes("ogg") ? "ogg" : type.includes("mp4") ? "m4a" : "webm";
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  return `voice-note-${stamp}.${ext}`;
}

function microphoneError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Microphone access was refused. Allow the microphone for this site in your browser's settings to record a voice note.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "No microphone was found. Connect one to record a voice note.";
  }
  if (name === "NotReadableError" || name === "AbortError") {
    return "The microphone could not be started. Another app may be using it.";
  }
  return "The microphone could not be started.";
}
