/** Writing a message: text with drafts per room (kept across reloads), attachments, voice notes, typing frames, @mentions. */
import type { ComponentType } from "preact";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { useFileDrop, usePasteFiles } from "../media/input";
import { MediaIcon, SendGlyph } from "../media/icons";
import { MediaQueue } from "../media/queue";
import type { RecorderProps } from "../media/Recorder";
import { Tray } from "../media/Tray";
import { MentionList, textboxAria } from "../mentions/MentionList";
import { usePicker } from "../mentions/usePicker";
import { loadDraft, saveDraft } from "../offline/drafts";
import type { RoomChannel } from "../room-channel";
import { EmojiButton } from "./EmojiButton";
import { quoteOf, type MessageActions } from "./message/actions";
import { ComposeBanner } from "./message/ComposeBanner";
import { Icon } from "../ui/Icon";
import { useMediaQuery } from "../ui/useMediaQuery";

const MAX_CHARS = 4000;
const MAX_HEIGHT_PX = 180;

const codePoints = (text: string) => [...text].length;

/**
 * The empty box's hint: "Message #room", or just "Message" when that would not fit on one
 * line (the box is one line high and a placeholder does not end in "…" by itself).
 */
function placeholderFor(label: string, phone: boolean): string {
  return label.length <= (phone ? 18 : 40) ? `Message ${label}` : "Message";
}

/** The voice recorder's code arrives the first time the microphone button is pressed. */
let recorderModule: Promise<ComponentType<RecorderProps>> | null = null;
const loadRecorder = () => {
  recorderModule ??= import("../media/Recorder").then((m) => m.VoiceRecorder);
  recorderModule.catch(() => (recorderModule = null));
  return recorderModule;
};

/**
 * The message box: Enter sends, Shift+Enter adds a line, and typing is announced to the room.
 * Files come in by the attach button, by dropping them on the chat or by pasting; they upload
 * at once and are sent (the text as the first one's caption) when the user sends. The
 * microphone button records a voice note, sent when the recording is. A reply carries the
 * quote shown above the box; `↑` in the empty box edits my last message there (Enter saves,
 * Escape cancels and the draft comes back). `@` offers the room's members (../mentions): while
 * that list is open, the arrows, Enter, Tab and Escape are its own.
 */
export function Composer({ channel, actions, label }: { channel: RoomChannel; actions: MessageActions; label: string }) {
  const [text, setText] = useState(() => loadDraft(channel.me.id, channel.roomId));
  const input = useRef<HTMLTextAreaElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const micButton = useRef<HTMLButtonElement>(null);
  const closed = channel.state.value === "closed";
  const phone = useMediaQuery("(max-width: 720px)");

  const queue = useMemo(() => new MediaQueue(channel), [channel]);
  useEffect(() => () => queue.dispose(), [queue]);
  const [recording, setRecording] = useState(false);
  const [Recorder, setRecorder] = useState<ComponentType<RecorderProps> | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The composer's own problems first, then the room's (a refused change, a failed jump).
  const shownNotice = notice ?? channel.notice.value;
  const editing = actions.editing.value;
  const replyingTo = actions.replyingTo.value;
  /** The draft put aside while a message is edited here. */
  const setAside = useRef<string | null>(null);
  /** Where the caret goes once a picked mention is in the box. */
  const caretAfterPick = useRef<number | null>(null);
  const picker = usePicker({
    text,
    members: actions.members.value,
    me: channel.me.username,
    owner: actions.mayModerate.value,
    onPick(next, caret) {
      caretAfterPick.current = caret;
      setText(next);
      channel.noteTyping(true);
    },
  });
  useLayoutEffect(() => {
    const el = input.current;
    if (!el || caretAfterPick.current === null) return;
    el.selectionStart = el.selectionEnd = caretAfterPick.current;
    caretAfterPick.current = null;
  }, [text]);
  /** The text and caret as they are now: the list follows them. */
  const followCaret = () => {
    const el = input.current;
    if (el) picker.follow(el.value, el.selectionStart);
  };

  useEffect(() => {
    setText(loadDraft(channel.me.id, channel.roomId));
    setRecording(false);
    setNotice(null);
    // Desktop: ready to type as soon as a room opens. (Not on touch screens: no surprise keyboard.)
    if (matchMedia("(pointer: fine)").matches) input.current?.focus();
  }, [channel]);

  // Editing: the message's text replaces the draft until saved or cancelled. Replying: type.
  useEffect(() => {
    if (editing) {
      setAside.current ??= text;
      setText(editing.body);
    } else if (setAside.current !== null) {
      setText(setAside.current);
      setAside.current = null;
    }
    if (editing || replyingTo) focusAtEnd();
  }, [editing, replyingTo]);

  useEffect(() => {
    // Kept per room, across room switches and reloads (offline/drafts.ts).
    if (!editing) saveDraft(channel.me.id, channel.roomId, text);
    const el = input.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text, channel, recording]);

  const addFiles = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      setNotice(null);
      queue.add(files.map((file) => ({ file })));
    },
    [queue],
  );
  const chatArea = useCallback(() => form.current?.closest<HTMLElement>(".chat") ?? null, []);
  const textbox = useCallback(() => input.current, []);
  const dragging = useFileDrop(chatArea, addFiles, !closed);
  usePasteFiles(textbox, addFiles, !closed && !recording);

  const length = codePoints(text.trim());
  const tooLong = length > MAX_CHARS;
  const staged = queue.staged.value;
  // An edit may empty a caption, not a text message.
  const canSave = editing !== null && (length > 0 || editing.attachment !== undefined) && !tooLong && !closed;
  const canSend = editing ? canSave : (length > 0 || staged > 0) && !tooLong && !closed;

  function send() {
    if (!canSend) return;
    if (editing) {
      actions.saveEdit(text);
      return;
    }
    const reply = replyingTo ? quoteOf(replyingTo) : undefined;
    if (!queue.commit(text, reply)) channel.send(text, reply);
    else channel.stopTyping();
    actions.replyingTo.value = null;
    setText("");
  }

  function focusAtEnd() {
    requestAnimationFrame(() => {
      const el = input.current;
      if (!el) return;
      el.focus();
      el.selectionStart = el.selectionEnd = el.value.length;
    });
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.isComposing || picker.onKey(event)) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape" && (editing || replyingTo)) {
      event.preventDefault();
      actions.editing.value = null;
      actions.replyingTo.value = null;
    } else if (event.key === "ArrowUp" && !editing && text === "" && staged === 0) {
      if (actions.editLast()) event.preventDefault();
    }
  }

  function insert(emoji: string) {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    setText(next);
    channel.noteTyping(next.trim().length > 0);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.selectionStart = el.selectionEnd = start + emoji.length;
    });
  }

  function startRecording() {
    setNotice(null);
    setRecording(true);
    if (!Recorder) {
      loadRecorder().then(
        (component) => setRecorder(() => component),
        () => {
          setRecording(false);
          setNotice("The recorder could not be loaded. Check your connection and try again.");
        },
      );
    }
  }

  function stopRecording(focusMic: boolean) {
    setRecording(false);
    requestAnimationFrame(() => (focusMic ? micButton.current : input.current)?.focus());
  }

  return (
    <form
      ref={form}
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <div class="drop-overlay" hidden={!dragging} aria-hidden="true" data-testid="drop-overlay">
        <MediaIcon name="upload" size={28} />
        <span>Drop files to attach them</span>
      </div>
      <ComposeBanner actions={actions} onCancel={() => input.current?.focus()} />
      <Tray
        queue={queue}
        onCaptionBack={(caption) => setText((current) => (current.trim() ? current : caption))}
      />
      {shownNotice && (
        <p class="composer__notice" role="alert" data-testid="composer-notice">
          <span>{shownNotice}</span>
          <button
            type="button"
            class="icon-btn"
            aria-label="Dismiss this message"
            onClick={() => {
              setNotice(null);
              channel.notice.value = null;
            }}
          >
            <Icon name="close" size={16} />
          </button>
        </p>
      )}
      <label for="composer-input" class="sr-only">
        Message {label}
      </label>
      {recording ? (
        <div class="composer__box composer__box--recording">
          {Recorder ? (
            <Recorder
              onSend={(file, duration) => {
                queue.add([{ file, duration }], { send: true });
                stopRecording(false);
              }}
              onCancel={() => stopRecording(true)}
              onError={(message) => {
                setNotice(message);
                stopRecording(true);
              }}
            />
          ) : (
            <p class="rec__loading" role="status">
              Starting the recorder…
            </p>
          )}
        </div>
      ) : (
        <div class="composer__box">
          <MentionList picker={picker} />
          <button
            type="button"
            class="icon-btn composer__attach"
            aria-label="Attach files"
            disabled={closed || editing !== null}
            onClick={() => fileInput.current?.click()}
          >
            <MediaIcon name="paperclip" size={21} />
          </button>
          <input
            ref={fileInput}
            id="composer-files"
            type="file"
            multiple
            hidden
            tabIndex={-1}
            aria-label="Files to attach"
            data-testid="file-input"
            onChange={(event) => {
              const el = event.currentTarget;
              addFiles([...(el.files ?? [])]);
              el.value = ""; // picking the same file again still fires change
            }}
          />
          <textarea
            id="composer-input"
            ref={input}
            rows={1}
            placeholder={closed ? "You can no longer post here" : placeholderFor(label, phone)}
            disabled={closed}
            value={text}
            aria-describedby="composer-help"
            aria-invalid={tooLong}
            {...textboxAria(picker)}
            onInput={(event) => {
              const value = event.currentTarget.value;
              setText(value);
              followCaret();
              channel.noteTyping(value.trim().length > 0);
            }}
            onKeyDown={onKeyDown}
            onKeyUp={(event) => {
              if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) followCaret();
            }}
            onClick={followCaret}
            onBlur={() => {
              picker.close();
              channel.stopTyping();
            }}
          />
          <button
            ref={micButton}
            type="button"
            class="icon-btn composer__mic"
            aria-label="Record a voice note"
            disabled={closed || editing !== null}
            onClick={startRecording}
          >
            <MediaIcon name="mic" size={21} />
          </button>
          <EmojiButton onPick={insert} />
          <button
            type="submit"
            class="composer__send"
            disabled={!canSend}
            aria-label={
              editing
                ? "Save edit"
                : staged > 0
                  ? `Send message with ${staged === 1 ? "1 file" : `${staged} files`}`
                  : "Send message"
            }
          >
            <SendGlyph />
          </button>
        </div>
      )}
      <p id="composer-help" class={`composer__help${tooLong ? " composer__help--over" : ""}`} aria-live="polite">
        {tooLong ? (
          <span class="composer__over">
            {length - MAX_CHARS} characters over the {MAX_CHARS} limit
          </span>
        ) : editing ? (
          <>
            <kbd>Enter</kbd> to save, <kbd>Esc</kbd> to cancel
          </>
        ) : (
          <>
            <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
            <span class="composer__help-media"> · drop or paste files to attach them</span>
          </>
        )}
      </p>
    </form>
  );
}
