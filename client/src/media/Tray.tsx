/** The composer's tray of attached files, with their progress and a way to remove each. */
import { Icon } from "../ui/Icon";
import { humanSize } from "./format";
import { MediaIcon } from "./icons";
import type { MediaQueue, QueueItem } from "./queue";

/**
 * The files attached in the composer: each with its progress, its state, and a way out
 * (remove, or retry/dismiss after a failure).
 */
export function Tray({
  queue,
  onCaptionBack,
}: {
  queue: MediaQueue;
  /** A dismissed file carried the caption: hand it back to the text box. */
  onCaptionBack: (caption: string) => void;
}) {
  const items = queue.items.value;
  if (items.length === 0) return null;
  return (
    <ul class="tray" aria-label="Attachments" data-testid="upload-tray">
      {items.map((item) => (
        <TrayItem key={item.key} item={item} queue={queue} onCaptionBack={onCaptionBack} />
      ))}
    </ul>
  );
}

function statusText(item: QueueItem): string {
  switch (item.status) {
    case "preparing":
      return "Preparing…";
    case "uploading":
      return `Uploading… ${Math.floor(item.progress * 100)}%`;
    case "uploaded":
      return item.committed ? "Sending…" : "Ready to send";
    case "failed":
      return item.committed ? "Not sent" : "Not uploaded";
  }
}

function TrayItem({
  item,
  queue,
  onCaptionBack,
}: {
  item: QueueItem;
  queue: MediaQueue;
  onCaptionBack: (caption: string) => void;
}) {
  const failed = item.status === "failed";
  const percent = Math.floor(item.progress * 100);
  return (
    <li
      class={`tray__item${failed ? " tray__item--failed" : ""}`}
      data-testid="upload-item"
      data-status={item.status}
      data-name={item.name}
    >
      <span class="tray__thumb" aria-hidden="true">
        {item.previewUrl ? (
          <img src={item.previewUrl} alt="" />
        ) : (
          <MediaIcon name={item.kind === "audio" ? "mic" : "file"} />
        )}
      </span>
      <span class="tray__text">
        <span class="tray__name" title={item.name}>
          {item.name}
        </span>
        <span class="tray__meta">
          {humanSize(item.size)} · {statusText(item)}
          {item.caption && <span class="tray__caption"> · with caption</span>}
        </span>
        {(item.status === "uploading" || item.status === "preparing") && (
          <progress
            class="tray__progress"
            max={100}
            value={item.status === "uploading" ? percent : undefined}
            aria-label={`Uploading ${item.name}`}
          />
        )}
        {failed && item.error && (
          <span class="tray__error" role="alert" data-testid="upload-error">
            {item.error}
          </span>
        )}
      </span>
      <span class="tray__actions">
        {failed && item.retryable && (
          <button type="button" class="link-btn" onClick={() => queue.retry(item.key)}>
            Retry<span class="sr-only"> {item.name}</span>
          </button>
        )}
        <button
          type="button"
          class="icon-btn tray__remove"
          aria-label={`${failed ? "Dismiss" : item.status === "uploading" ? "Cancel upload of" : "Remove"} ${item.name}`}
          onClick={() => {
            const caption = queue.dismiss(item.key);
            if (caption) onCaptionBack(caption);
          }}
        >
          <Icon name="close" size={16} />
        </button>
      </span>
    </li>
  );
}
