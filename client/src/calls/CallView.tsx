/**
 * The call on screen: the others' videos in a grid with their names, my own video small in
 * a corner, and the controls (mute, camera, hang up). Loaded with the call controller when
 * a call starts, never in the initial bundle.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { Avatar } from "../ui/Avatar";
import { CallController, type Remote } from "./controller";
import { CallIcon } from "./icons";

export { CallController };

export function CallView({
  call,
  onClose,
  onAudioOnly,
}: {
  call: CallController;
  /** Dismisses the "Call ended" panel. */
  onClose: () => void;
  /** Starts the same call again with the microphone only (offered when there is no camera). */
  onAudioOnly: () => void;
}) {
  const current = call.status.value;

  if (current.kind === "ended") {
    const { outcome } = current;
    return (
      <section
        class={`call-ended${outcome.normal ? "" : " call-ended--problem"}`}
        aria-labelledby="call-ended-title"
        data-testid="call-ended"
      >
        <div role={outcome.normal ? "status" : "alert"}>
          <h2 id="call-ended-title" class="call-ended__title">
            {outcome.title}
          </h2>
          <p class="call-ended__detail">{outcome.detail}</p>
        </div>
        <div class="call-ended__actions">
          {outcome.offerAudioOnly && (
            <button type="button" class="btn btn--primary" onClick={onAudioOnly}>
              <CallIcon name="phone" size={16} />
              Join with audio only
            </button>
          )}
          <button type="button" class="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </section>
    );
  }

  const status = current.kind;
  const remotes = call.remotes.value;
  const names = remotes.map((r) => r.name ?? "someone");
  const statusText =
    status === "preparing"
      ? call.kind === "video"
        ? "Starting your camera and microphone…"
        : "Starting your microphone…"
      : status === "waiting" && remotes.length === 0
        ? "Calling… waiting for someone to answer."
        : status === "waiting"
          ? `Connecting to ${listNames(names)}…`
          : `In a call with ${listNames(names)}`;

  return (
    <section class="call" aria-label="Call" data-testid="call-view" data-status={status}>
      <div class="call__head">
        <p class="call__status" role="status" data-testid="call-status">
          <span class={`call__light call__light--${status}`} aria-hidden="true" />
          {statusText}
        </p>
        {call.notice.value && (
          <p class="call__notice" role="status" data-testid="call-notice">
            {call.notice.value}
          </p>
        )}
      </div>
      <div class="call__stage">
        <ul class="call__grid" data-count={Math.max(remotes.length, 1)} aria-label="People in the call">
          {remotes.map((remote) => (
            <RemoteTile key={remote.peerId} remote={remote} />
          ))}
          {remotes.length === 0 && (
            <li class="call-tile call-tile--waiting">
              <span class="call-tile__pulse" aria-hidden="true">
                <CallIcon name="phone" size={28} />
              </span>
              <span>{status === "preparing" ? "Getting ready…" : "Ringing the room…"}</span>
            </li>
          )}
        </ul>
        <LocalTile call={call} />
      </div>
      <div class="call__controls" role="group" aria-label="Call controls">
        <button
          type="button"
          class="call-btn"
          aria-pressed={call.muted.value}
          onClick={() => call.toggleMute()}
          data-testid="call-mute"
        >
          <CallIcon name={call.muted.value ? "micOff" : "mic"} />
          <span class="call-btn__label">Mute</span>
        </button>
        {call.hasVideo.value && (
          <button
            type="button"
            class="call-btn"
            aria-pressed={call.cameraOff.value}
            onClick={() => call.toggleCamera()}
            data-testid="call-camera"
          >
            <CallIcon name={call.cameraOff.value ? "videoOff" : "video"} />
            <span class="call-btn__label">Camera off</span>
          </button>
        )}
        <button
          type="button"
          class="call-btn call-btn--hangup"
          onClick={() => call.hangUp()}
          data-testid="call-hangup"
        >
          <CallIcon name="hangUp" />
          <span class="call-btn__label">Hang up</span>
        </button>
      </div>
    </section>
  );
}

function listNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function RemoteTile({ remote }: { remote: Remote }) {
  const name = remote.name ?? "Joining…";
  const hasVideo = (remote.stream?.getVideoTracks().length ?? 0) > 0;
  return (
    <li
      class={`call-tile call-tile--${remote.state}`}
      data-testid="remote-tile"
      data-peer={remote.peerId}
      data-state={remote.state}
    >
      {remote.stream && (
        <StreamVideo stream={remote.stream} tracks={remote.tracks} muted={false} testId="remote-video" label={`Video of ${name}`} />
      )}
      {!hasVideo && (
        <span class="call-tile__avatar">
          <Avatar name={remote.name ?? "?"} />
        </span>
      )}
      <span class="call-tile__name">{name}</span>
      {remote.state !== "connected" && (
        <span class="call-tile__state">
          {remote.state === "unstable" ? "Connection unstable…" : "Connecting…"}
        </span>
      )}
    </li>
  );
}

function LocalTile({ call }: { call: CallController }) {
  const stream = call.local.value;
  const showVideo = stream && call.hasVideo.value && !call.cameraOff.value;
  return (
    <div class="call-self" data-testid="local-tile">
      {showVideo ? (
        <StreamVideo stream={stream} tracks={0} muted mirrored testId="local-video" label="Your video" />
      ) : (
        <span class="call-self__off">
          <Avatar name={call.me.username} small />
        </span>
      )}
      <span class="call-tile__name">
        You{call.muted.value ? " (muted)" : ""}
      </span>
    </div>
  );
}

/**
 * A <video> showing a MediaStream. Remote audio plays through it too; when the browser
 * refuses to autoplay with sound, it plays muted and offers a button to turn sound on.
 */
function StreamVideo({
  stream,
  tracks,
  muted,
  mirrored,
  testId,
  label,
}: {
  stream: MediaStream;
  tracks: number;
  muted: boolean;
  mirrored?: boolean;
  testId: string;
  label: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  const [blocked, setBlocked] = useState(false);

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (video.srcObject !== stream) video.srcObject = stream;
    video.muted = muted;
    video.play().catch((error: unknown) => {
      if (muted || (error as Error)?.name !== "NotAllowedError") return;
      video.muted = true;
      setBlocked(true);
      void video.play().catch(() => {});
    });
  }, [stream, tracks, muted]);

  function unmute() {
    const video = ref.current;
    if (!video) return;
    video.muted = false;
    void video.play().then(
      () => setBlocked(false),
      () => {},
    );
  }

  return (
    <>
      <video
        ref={ref}
        class={`call-video${mirrored ? " call-video--mirrored" : ""}`}
        autoplay
        playsInline
        muted={muted}
        aria-label={label}
        data-testid={testId}
      />
      {blocked && (
        <button type="button" class="call-tile__unmute btn" onClick={unmute}>
          Turn sound on
        </button>
      )}
    </>
  );
}
