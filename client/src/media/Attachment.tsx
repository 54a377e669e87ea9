/** A media message in the scrollback: image, audio or file, sized before it loads. */
import type { ComponentType } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { PendingMessage } from "../room-channel";
import type { Attachment, Message } from "../types";
import { formatDuration, humanSize, spokenDuration } from "./format";
import { MediaIcon } from "./icons";
import type { LightboxProps } from "./Lightbox";
import { attachmentUrl, cachedUrl, describeUrlError } from "./urls";
import "./media.css";

/** Thumbnails fit in this box; the full image opens in a lightbox. */
const THUMB_MAX_W = 320;
const THUMB_MAX_H = 280;
/** The box for an image whose size the sender did not give. */
const UNKNOWN_BOX = { w: 240, h: 180 };

/** The file of a media message: an image thumbnail, an audio player or a file card. */
export function AttachmentView({ roomId, message }: { roomId: string; message: Message }) {
  const attachment = message.attachment!;
  const kind = message.kind ?? kindOf(attachment.type);
  if (kind === "image" && attachment.type.startsWith("image/")) {
    return <ImageAttachment roomId={roomId} attachment={attachment} caption={message.body} />;
  }
  if (kind === "audio" && attachment.type.startsWith("audio/")) {
    return <AudioAttachment roomId={roomId} attachment={attachment} />;
  }
  return <FileAttachment roomId={roomId} attachment={attachment} />;
}

const kindOf = (type: string) =>
  type.startsWith("image/") ? "image" : type.startsWith("audio/") ? "audio" : "file";

function fit(width?: number, height?: number): { w: number; h: number } | null {
  if (!width || !height) return null;
  const scale = Math.min(1, THUMB_MAX_W / width, THUMB_MAX_H / height);
  return { w: Math.max(1, Math.round(width * scale)), h: Math.max(1, Math.round(height * scale)) };
}

/**
 * A signed URL for an attachment, fetched once the element comes near the visible part of
 * the message list (not for every attachment in the history at once).
 */
function useSignedUrl<T extends HTMLElement>(roomId: string, uploadId: string) {
  const ref = useRef<T>(null);
  const [url, setUrl] = useState<string | null>(() => cachedUrl(roomId, uploadId)?.url ?? null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (url) return;
    const el = ref.current;
    let cancelled = false;
    const load = () =>
      attachmentUrl(roomId, uploadId).then(
        (value) => !cancelled && setUrl(value.url),
        (err: unknown) => !cancelled && setError(describeUrlError(err)),
      );
    if (!el || typeof IntersectionObserver === "undefined") {
      void load();
      return () => {
        cancelled = true;
      };
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        void load();
      },
      { root: el.closest(".scroller"), rootMargin: "400px 0px" },
    );
    observer.observe(el);
    return () => {
      cancelled = true;
      observer.disconnect();
    };
  }, [roomId, uploadId]);

  /** A URL good for at least another minute (refetched if the one in hand is about to expire). */
  async function fresh(force = false): Promise<string> {
    const value = await attachmentUrl(roomId, uploadId, { force });
    setError(null);
    return value.url;
  }

  return { ref, url, setUrl, error, setError, fresh };
}

// ---- images -------------------------------------------------------------------------------

let lightboxModule: Promise<ComponentType<LightboxProps>> | null = null;
const loadLightbox = () => {
  lightboxModule ??= import("./Lightbox").then((m) => m.Lightbox);
  lightboxModule.catch(() => (lightboxModule = null));
  return lightboxModule;
};

function ImageAttachment({
  roomId,
  attachment,
  caption,
}: {
  roomId: string;
  attachment: Attachment;
  caption: string;
}) {
  const { ref, url, setUrl, error, setError, fresh } = useSignedUrl<HTMLButtonElement>(roomId, attachment.id);
  const [broken, setBroken] = useState(false);
  const retried = useRef(false);
  const [lightbox, setLightbox] = useState<{ Box: ComponentType<LightboxProps>; url: string } | null>(
    null,
  );
  const box = fit(attachment.width, attachment.height);
  const shown = box ?? UNKNOWN_BOX;

  async function open() {
    try {
      const [Box, full] = await Promise.all([loadLightbox(), fresh()]);
      setLightbox({ Box, url: full });
    } catch (err) {
      setError(describeUrlError(err));
    }
  }

  function onImageError() {
    // The URL may have expired before the lazy image loaded: one new URL, then give up.
    if (retried.current) {
      setBroken(true);
      return;
    }
    retried.current = true;
    fresh(true).then(setUrl, () => setBroken(true));
  }

  return (
    <>
      <button
        ref={ref}
        type="button"
        class={`att-image${box ? "" : " att-image--unsized"}`}
        style={{ width: `${shown.w}px`, aspectRatio: `${shown.w} / ${shown.h}` }}
        aria-label={`Open image ${attachment.name} (${humanSize(attachment.size)})`}
        onClick={() => void open()}
        data-testid="attachment-image"
      >
        {url && !broken ? (
          <img
            src={url}
            alt=""
            loading="lazy"
            decoding="async"
            width={shown.w}
            height={shown.h}
            onError={onImageError}
          />
        ) : (
          (error || broken) && (
            <span class="att-image__status">{error ?? "This image could not be loaded."}</span>
          )
        )}
      </button>
      {lightbox && (
        <lightbox.Box
          url={lightbox.url}
          name={attachment.name}
          caption={caption}
          onClose={() => setLightbox(null)}
        />
      )}
    </>
  );
}

// ---- audio --------------------------------------------------------------------------------

function AudioAttachment({ roomId, attachment }: { roomId: string; attachment: Attachment }) {
  const { ref, url, setUrl, error, fresh } = useSignedUrl<HTMLDivElement>(roomId, attachment.id);
  const recovering = useRef(0);
  /** Whether the player shows the length itself (else the sender's measure is shown beside it). */
  const [playerKnows, setPlayerKnows] = useState(false);
  const duration = attachment.duration;
  const label = `${attachment.name.startsWith("voice-note") ? "Voice note" : attachment.name}${
    duration !== undefined ? `, ${spokenDuration(duration)}` : ""
  }`;

  function onDurationChange(event: Event) {
    setPlayerKnows(Number.isFinite((event.currentTarget as HTMLAudioElement).duration));
  }

  function onLoadedMetadata(event: Event) {
    // WebM from MediaRecorder may not say how long it is: seeking far makes the browser find out.
    const audio = event.currentTarget as HTMLAudioElement;
    onDurationChange(event);
    if (audio.duration !== Infinity) return;
    const back = () => {
      if (!Number.isFinite(audio.duration)) return;
      audio.removeEventListener("durationchange", back);
      audio.currentTime = 0;
    };
    audio.addEventListener("durationchange", back);
    audio.currentTime = 1e9;
  }

  function onError(event: Event) {
    // An expired URL (a player left open for more than 10 minutes): resume from a new one.
    const audio = event.currentTarget as HTMLAudioElement;
    if (!url || Date.now() - recovering.current < 30_000) return;
    recovering.current = Date.now();
    const at = audio.currentTime;
    const wasPlaying = !audio.paused;
    fresh(true).then((next) => {
      setUrl(next);
      audio.addEventListener(
        "loadedmetadata",
        () => {
          if (at) audio.currentTime = at;
          if (wasPlaying) void audio.play().catch(() => undefined);
        },
        { once: true },
      );
    }, () => undefined);
  }

  return (
    <div class="att-audio" ref={ref}>
      <audio
        controls
        preload="metadata"
        src={url ?? undefined}
        aria-label={label}
        onLoadedMetadata={onLoadedMetadata}
        onDurationChange={onDurationChange}
        onError={onError}
        data-testid="attachment-audio"
      />
      {duration !== undefined && !playerKnows && (
        <span class="att-audio__duration" data-testid="attachment-duration" aria-hidden="true">
          {formatDuration(duration)}
        </span>
      )}
      {error && <span class="att-error">{error}</span>}
    </div>
  );
}

// ---- other files --------------------------------------------------------------------------

function FileAttachment({ roomId, attachment }: { roomId: string; attachment: Attachment }) {
  const { ref, url, setUrl, error, setError, fresh } = useSignedUrl<HTMLDivElement>(
    roomId,
    attachment.id,
  );
  const size = humanSize(attachment.size);

  function onDownload(event: MouseEvent) {
    const cached = cachedUrl(roomId, attachment.id);
    if (cached && cached.url === url) return; // the link is good: let the browser download it
    event.preventDefault();
    fresh().then(
      (next) => {
        setUrl(next);
        download(next, attachment.name);
      },
      (err: unknown) => setError(describeUrlError(err)),
    );
  }

  return (
    <div class="att-file" ref={ref} data-testid="attachment-file">
      <span class="att-file__icon" aria-hidden="true">
        <MediaIcon name="file" size={22} />
      </span>
      <span class="att-file__text">
        <FileName name={attachment.name} />
        <span class="att-file__meta">
          {size}
          {error && <span class="att-error"> · {error}</span>}
        </span>
      </span>
      <a
        class="att-file__download"
        href={url ?? "#"}
        download={attachment.name}
        onClick={onDownload}
        aria-label={`Download ${attachment.name} (${size})`}
        data-testid="attachment-download"
      >
        <MediaIcon name="download" size={18} />
        <span class="att-file__download-text">Download</span>
      </a>
    </div>
  );
}

/** A file name that, when cut short, keeps its extension in view: "a-very-long-na….pdf". */
function FileName({ name }: { name: string }) {
  const dot = name.lastIndexOf(".");
  const split = dot > 0 && name.length - dot <= 10;
  return (
    <span class="att-file__name" title={name}>
      <span class="att-file__base">{split ? name.slice(0, dot) : name}</span>
      {split && <span class="att-file__ext">{name.slice(dot)}</span>}
    </span>
  );
}

function download(url: string, name: string) {
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- a media message on its way ------------------------------------------------------------

/** What the sender sees of their file while the message waits for the server. */
export function PendingAttachment({ message }: { message: PendingMessage }) {
  // The preview is freed when the message leaves the outbox (RoomChannel.settle), not when
  // this unmounts: the outbox outlives the room view.
  const local = message.local!;
  const previewUrl = local.previewUrl;
  if (message.kind === "image" && previewUrl) {
    const shown = fit(local.width, local.height) ?? UNKNOWN_BOX;
    return (
      <span
        class="att-image att-image--pending"
        style={{ width: `${shown.w}px`, aspectRatio: `${shown.w} / ${shown.h}` }}
      >
        <img src={previewUrl} alt={local.name} width={shown.w} height={shown.h} />
      </span>
    );
  }
  return (
    <div class="att-file att-file--pending">
      <span class="att-file__icon" aria-hidden="true">
        <MediaIcon name={message.kind === "audio" ? "mic" : "file"} size={22} />
      </span>
      <span class="att-file__text">
        <FileName name={local.name} />
        <span class="att-file__meta">
          {message.kind === "audio" && local.duration !== undefined
            ? `${formatDuration(local.duration)} · `
            : ""}
          {humanSize(local.size)}
        </span>
      </span>
    </div>
  );
}
