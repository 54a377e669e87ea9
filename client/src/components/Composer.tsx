import { useEffect, useRef, useState } from "preact/hooks";
import type { RoomChannel } from "../room-channel";
import { EmojiButton } from "./EmojiButton";

const MAX_CHARS = 4000;
const MAX_HEIGHT_PX = 180;

/** Unsent text per user and room, so switching rooms does not lose a draft. */
const drafts = new Map<string, string>();
const draftKey = (channel: RoomChannel) => `${channel.me.id}:${channel.roomId}`;

const codePoints = (text: string) => [...text].length;

/** The message box: Enter sends, Shift+Enter adds a line, and typing is announced to the room. */
export function Composer({ channel, label }: { channel: RoomChannel; label: string }) {
  const [text, setText] = useState(() => drafts.get(draftKey(channel)) ?? "");
  const input = useRef<HTMLTextAreaElement>(null);
  const closed = channel.state.value === "closed";

  useEffect(() => {
    setText(drafts.get(draftKey(channel)) ?? "");
    // Desktop: ready to type as soon as a room opens. (Not on touch screens: no surprise keyboard.)
    if (matchMedia("(pointer: fine)").matches) input.current?.focus();
  }, [channel]);

  useEffect(() => {
    drafts.set(draftKey(channel), text);
    const el = input.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text, channel]);

  const length = codePoints(text.trim());
  const tooLong = length > MAX_CHARS;
  const canSend = length > 0 && !tooLong && !closed;

  function send() {
    if (!canSend) return;
    channel.send(text);
    setText("");
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

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label for="composer-input" class="sr-only">
        Message {label}
      </label>
      <div class="composer__box">
        <textarea
          id="composer-input"
          ref={input}
          rows={1}
          placeholder={closed ? "You can no longer post here" : `Message ${label}`}
          disabled={closed}
          value={text}
          aria-describedby="composer-help"
          aria-invalid={tooLong}
          onInput={(event) => {
            const value = event.currentTarget.value;
            setText(value);
            channel.noteTyping(value.trim().length > 0);
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
          onBlur={() => channel.stopTyping()}
        />
        <EmojiButton onPick={insert} />
        <button type="submit" class="composer__send" disabled={!canSend} aria-label="Send message">
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6l-.01 6.53L15 12 3.39 13.87z" />
          </svg>
        </button>
      </div>
      <p id="composer-help" class="composer__help">
        {tooLong ? (
          <span class="composer__over">
            {length - MAX_CHARS} characters over the {MAX_CHARS} limit
          </span>
        ) : (
          <>
            <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
          </>
        )}
      </p>
    </form>
  );
}
