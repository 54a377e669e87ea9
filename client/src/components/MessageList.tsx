/**
 * A room's scrollback: stored messages grouped by author, pending ones below, older pages on
 * scroll; after a jump to a message that was not loaded, the page around it, paged newer on
 * scroll, with a way back to the latest messages.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { dayKey, formatDay } from "../format";
import { MessageText, loadMarkdown, type Decorate } from "../markdown";
import { PendingAttachment } from "../media/Attachment";
import { mentionChips, mentionScope, type MentionScope } from "../mentions/Chip";
import type { PendingMessage, RoomChannel } from "../room-channel";
import type { Message } from "../types";
import { Avatar } from "../ui/Avatar";
import { PersonName, shownName, type Named } from "../ui/PersonName";
import type { MessageActions } from "./message/actions";
import { DeleteDialog } from "./message/DeleteDialog";
import { JumpPill, UnreadDivider, useFirstUnread } from "./message/first-unread";
import { MessageItem } from "./message/MessageItem";
import { MessageSheet } from "./message/MessageSheet";
import { ReplyQuote } from "./message/ReplyQuote";

/** Messages by the same author closer than this are shown as one group. */
const GROUP_GAP_MS = 5 * 60_000;
/** Closer than this to the top, the previous page of history is loaded. */
const LOAD_OLDER_THRESHOLD_PX = 150;
/** Closer than this to the bottom, new messages keep the view scrolled down. */
const STICK_THRESHOLD_PX = 80;
/** How long a message jumped to stays marked. */
const HIGHLIGHT_MS = 2500;

/**
 * The scrollback: day separators, messages grouped by author, a "New messages" line above the
 * first I had not read when the room opened (`readAt`: my read marker then), then the messages
 * still waiting for the server's ack. Scrolling to the top loads older pages (and to the bottom,
 * after a jump, newer ones). The messages are one stop for Tab; arrow keys move between them.
 */
export function MessageList({ channel, actions, readAt }: { channel: RoomChannel; actions: MessageActions; readAt: number | null }) {
  const me = channel.me;
  const messages = channel.messages.value;
  const pending = channel.pending.value;
  const hasOlder = channel.hasOlder.value;
  const hasNewer = channel.hasNewer.value;
  const detached = channel.detached.value;
  const loadingOlder = channel.loadingOlder.value;
  const loaded = channel.historyLoaded.value;
  const focus = channel.focus.value;
  const members = actions.members.value;
  const scope = useMemo(() => mentionScope(members, me.username), [members, me.username]);

  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const previous = useRef({ firstSeq: 0, height: 0, pending: 0, detached: false });
  const [highlight, setHighlight] = useState<number | null>(null);
  const [activeSeq, setActiveSeq] = useState<number | null>(null);
  const [awayFromLatest, setAwayFromLatest] = useState(false);

  // Formatting arrives in its own chunk: ask for it as soon as a room shows.
  useEffect(loadMarkdown, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstSeq = messages[0]?.seq ?? 0;
    const before = previous.current;
    if (detached) stickToBottom.current = false; // a jump's page: the reader is not at the newest
    else if (pending.length > before.pending) stickToBottom.current = true; // I just sent something
    if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    } else if (before.detached === detached && before.firstSeq && firstSeq < before.firstSeq) {
      // An older page was put above: keep the same messages under the reader's eyes.
      el.scrollTop += el.scrollHeight - before.height;
    }
    previous.current = { firstSeq, height: el.scrollHeight, pending: pending.length, detached };
    // Not enough history to scroll: fetch more until the pane is full or history ends.
    if (loaded && el.scrollHeight <= el.clientHeight + LOAD_OLDER_THRESHOLD_PX) {
      if (hasOlder) void channel.loadOlder();
      if (hasNewer) void channel.loadNewer();
    }
  }, [messages, pending, loaded, hasOlder, hasNewer, detached, channel]);

  // A jump: bring the message into view, give it the keyboard and mark it for a moment.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !focus) return;
    if (focus.seq === "latest") {
      stickToBottom.current = true;
      el.scrollTop = el.scrollHeight;
      setAwayFromLatest(false);
      return;
    }
    const target = el.querySelector<HTMLElement>(`[data-testid="message"][data-seq="${focus.seq}"]`);
    if (!target) return;
    stickToBottom.current = false;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    setActiveSeq(focus.seq);
    setHighlight(focus.seq);
    const timer = setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [focus]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // Keep the bottom in view when the pane shrinks (e.g. the phone keyboard opens) or the
    // messages grow without a new one (formatting arrives after the plain text).
    const observer = new ResizeObserver(() => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight;
      previous.current.height = el.scrollHeight;
    });
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);

  // After the layout effects above: they put the scroll where it belongs first.
  const unread = useFirstUnread(channel, readAt, scroller);

  function onScroll() {
    unread.check();
    const el = scroller.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    stickToBottom.current = !detached && fromBottom < STICK_THRESHOLD_PX;
    previous.current.height = el.scrollHeight;
    setAwayFromLatest(fromBottom > el.clientHeight / 2); // the newest messages are off screen
    if (el.scrollTop < LOAD_OLDER_THRESHOLD_PX) void channel.loadOlder();
    if (hasNewer && fromBottom < LOAD_OLDER_THRESHOLD_PX) void channel.loadNewer();
  }

  const tabStop = messages.some((m) => m.seq === activeSeq) ? activeSeq : (messages[messages.length - 1]?.seq ?? null);

  return (
    <div class="scroller" ref={scroller} onScroll={onScroll} data-testid="message-scroller">
      <div class="scroller__inner">
        {unread.offerJump && <JumpPill to="first-unread" onClick={unread.jump} />}
        <div class="history-edge" aria-live="polite">
          {!loaded && !channel.historyError.value && <span>Loading messages…</span>}
          {loaded && loadingOlder && <span>Loading older messages…</span>}
          {loaded && !hasOlder && (
            <span>
              {messages.length === 0 && pending.length === 0
                ? "No messages yet. Say hello!"
                : "This is the beginning of the room."}
            </span>
          )}
          {channel.historyError.value && (
            <span class="history-edge__error">
              {channel.historyError.value}{" "}
              <button type="button" class="link-btn" onClick={() => void channel.reloadHistory()}>
                Retry
              </button>
            </span>
          )}
        </div>
        <ol
          class="messages"
          aria-label="Messages"
          onFocusIn={(event) => {
            const item = (event.target as HTMLElement).closest<HTMLElement>('[data-testid="message"]');
            if (item) setActiveSeq(Number(item.dataset.seq));
          }}
          onKeyDown={moveBetweenMessages}
        >
          {renderMessages(messages, me.id, channel.roomId, actions, scope, tabStop, highlight, unread.dividerSeq)}
          {!detached &&
            pending.map((message) => (
              <PendingItem
                key={message.clientId}
                message={message}
                me={{ username: me.username, ...actions.profiles.value.get(me.id) }}
                channel={channel}
                scope={scope}
              />
            ))}
        </ol>
        {channel.loadingNewer.value && <div class="history-edge">Loading newer messages…</div>}
        {(detached || awayFromLatest) && <JumpPill to="latest" onClick={() => channel.jumpToLatest()} />}
      </div>
      {actions.sheet.value && <MessageSheet actions={actions} opened={actions.sheet.value} />}
      {actions.deleting.value && <DeleteDialog actions={actions} message={actions.deleting.value} />}
    </div>
  );
}

/** Arrow keys on a message move the keyboard to the one above or below (Home, End: first, last). */
function moveBetweenMessages(event: KeyboardEvent) {
  const item = event.target as HTMLElement;
  if (item.dataset.testid !== "message") return;
  const items = [...(event.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[data-testid="message"]')];
  const at = items.indexOf(item);
  const next = { ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: items.length - 1 }[event.key];
  if (next === undefined || !items[next]) return;
  event.preventDefault();
  items[next].focus();
}

function renderMessages(
  messages: Message[],
  myId: string,
  roomId: string,
  actions: MessageActions,
  scope: MentionScope,
  tabStop: number | null,
  highlight: number | null,
  dividerSeq: number | null,
) {
  const items = [];
  let prev: Message | undefined;
  for (const message of messages) {
    const newDay = !prev || dayKey(prev.ts) !== dayKey(message.ts);
    if (newDay) {
      items.push(
        <li key={`day-${dayKey(message.ts)}`} class="day">
          <span>{formatDay(message.ts)}</span>
        </li>,
      );
    }
    const divided = message.seq === dividerSeq;
    if (divided) items.push(<UnreadDivider key="unread-divider" />);
    const first =
      divided ||
      newDay ||
      !prev ||
      prev.userId !== message.userId ||
      message.ts - prev.ts > GROUP_GAP_MS;
    const media = message.attachment !== undefined;
    items.push(
      <MessageItem
        key={message.seq}
        message={message}
        first={first}
        mine={message.userId === myId}
        roomId={roomId}
        actions={actions}
        tabStop={message.seq === tabStop}
        highlighted={message.seq === highlight}
      >
        {(!media || message.body) && (
          <MessageBody body={message.body} decorate={mentionChips(scope, message.mentionsRoom === true)} />
        )}
      </MessageItem>,
    );
    prev = message;
  }
  return items;
}

/** Taller than this many lines, a message is folded with a "Show more" button. */
const FOLD_LINES = 25;

/**
 * A message's text, formatted (../markdown), mentions as chips (../mentions). A long one is shown folded to FOLD_LINES lines
 * with "Show more"; only bodies that could be that long are measured (a short one cannot need it).
 */
function MessageBody({ body, decorate }: { body: string; decorate: Decorate }) {
  const ref = useRef<HTMLDivElement>(null);
  const [foldable, setFoldable] = useState(false);
  const [open, setOpen] = useState(false);
  // 300 characters can wrap past 25 lines on a phone (CJK text, short lines): measure those too.
  const mayBeLong = body.length > 300 || body.split("\n", FOLD_LINES + 1).length > FOLD_LINES;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !mayBeLong) return;
    const measure = () => {
      const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 22;
      // The folded height is fixed by CSS; compare the full text against it.
      setFoldable(el.scrollHeight > lineHeight * FOLD_LINES + 4);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [body, mayBeLong]);

  const folded = foldable && !open;
  return (
    <>
      <div
        ref={ref}
        class={`msg__body${folded ? " msg__body--folded" : ""}`}
        data-testid="message-body"
      >
        <MessageText text={body} decorate={decorate} />
      </div>
      {foldable && (
        <button
          type="button"
          class="link-btn msg__fold"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? "Show less" : "Show more"}
        </button>
      )}
    </>
  );
}

function PendingItem({
  message,
  me,
  channel,
  scope,
}: {
  message: PendingMessage;
  me: Named;
  channel: RoomChannel;
  scope: MentionScope;
}) {
  return (
    <li
      class={`msg msg--first msg--mine msg--pending${message.failed ? " msg--failed" : ""}`}
      data-testid="pending-message"
    >
      <div class="msg__gutter">
        <Avatar name={shownName(me)} url={me.avatarUrl} />
      </div>
      <div class="msg__content">
        <div class="msg__meta">
          <PersonName person={me} class="msg__author" />
          <span class="msg__status">{message.failed ? "Not sent" : "Sending…"}</span>
        </div>
        {message.replyTo && <ReplyQuote reply={message.replyTo} />}
        {message.local && (
          <div class="msg__media">
            <PendingAttachment message={message} />
          </div>
        )}
        {(!message.local || message.body) && (
          <div class="msg__body">
            <MessageText text={message.body} decorate={mentionChips(scope, false)} />
          </div>
        )}
        {message.failed && (
          <p class="msg__failure">
            {message.failed}{" "}
            <button type="button" class="link-btn" onClick={() => channel.retry(message.clientId)}>
              Retry
            </button>{" "}
            <button
              type="button"
              class="link-btn"
              onClick={() => channel.discard(message.clientId)}
            >
              Discard
            </button>
          </p>
        )}
      </div>
    </li>
  );
}
