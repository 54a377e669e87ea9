/**
 * /console: one room opened over Hearth's socket, SignalR and Connect at once, each
 * protocol's received stream in its own column with its seqs, and a choice of the protocol
 * that sends. Loaded with lazy() (components/App.tsx), so the SignalR and Connect clients it
 * pulls in are fetched only when someone opens this page.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError } from "../api";
import { rooms, roomsLoaded } from "../rooms";
import { Icon } from "../ui/Icon";
import {
  LABELS,
  STREAMS,
  newClientId,
  openStreams,
  sendOverRest,
  sentVia,
  type Received,
  type SendVia,
  type Stream,
  type StreamId,
} from "./streams";
import "./console.css";

/** How many of the room's newest messages every column replays before going live. */
const REPLAY = 10;
const VIAS: readonly SendVia[] = ["socket", "signalr", "connect", "rest"];

type Outcome = { ok: true; via: SendVia; seq: number } | { ok: false; via: SendVia; error: string };

export default function ConsolePage() {
  const { query, route } = useLocation();
  const list = rooms.value;
  const roomId = query.room && list.some((r) => r.id === query.room) ? query.room : list[0]?.id;
  const room = list.find((r) => r.id === roomId);

  useEffect(() => {
    document.title = "Protocol console · Hearth";
  }, []);

  return (
    <div class="console" data-testid="console">
      <header class="console__bar">
        <a href="/" class="icon-btn console__back" aria-label="Back to rooms">
          <Icon name="back" size={22} />
        </a>
        <div class="console__heading">
          <h1 class="console__title">Protocol console</h1>
          <p class="console__lead">
            One room over Hearth's socket, SignalR and Connect at once. Each column is what that
            protocol received, with the room's <code>seq</code>.
          </p>
        </div>
      </header>
      {!roomsLoaded.value ? (
        <p class="console__note">Loading your rooms…</p>
      ) : !room ? (
        <p class="console__note">You are in no room yet: create or join one, then come back.</p>
      ) : (
        <RoomConsole
          key={room.id}
          roomId={room.id}
          picker={
            <div class="console__field">
              <label for="console-room">Room</label>
              <select
                id="console-room"
                value={room.id}
                onChange={(event) => route(`/console?room=${encodeURIComponent(event.currentTarget.value)}`, true)}
              >
                {list.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.visibility === "dm" ? `@${r.name}` : `#${r.name}`}
                  </option>
                ))}
              </select>
            </div>
          }
        />
      )}
    </div>
  );
}

/** The three streams of one room (opened on mount, closed on unmount) and the send form. */
function RoomConsole({ roomId, picker }: { roomId: string; picker: ComponentChildren }) {
  const [streams, setStreams] = useState<Record<StreamId, Stream> | null>(null);
  const [since, setSince] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [via, setVia] = useState<SendVia>("socket");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    let open: Record<StreamId, Stream> | null = null;
    let cancelled = false;
    // Every column resumes after the same seq: the room's newest, minus a few to show context.
    api.messages(roomId, { limit: 1 }).then(
      (page) => {
        if (cancelled) return;
        const start = Math.max(0, (page.at(-1)?.seq ?? 0) - REPLAY);
        open = openStreams(roomId, start);
        setSince(start);
        setStreams(open);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error instanceof ApiError ? error.message : String(error));
      },
    );
    return () => {
      cancelled = true;
      if (open) for (const stream of Object.values(open)) stream.stop();
    };
  }, [roomId]);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const body = text.trim();
    if (!body || !streams || busy) return;
    setBusy(true);
    const clientId = newClientId(via);
    try {
      const stored = via === "rest" ? await sendOverRest(roomId, body, clientId) : await streams[via].send(body, clientId);
      setOutcome({ ok: true, via, seq: stored.seq });
      setText("");
    } catch (error) {
      setOutcome({ ok: false, via, error: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form class="console__controls" onSubmit={onSubmit} aria-label="Send a message">
        {picker}
        <fieldset class="console__vias">
          <legend>Send over</legend>
          {VIAS.map((v) => (
            <label key={v} class="console__via">
              <input type="radio" name="console-via" value={v} checked={via === v} onChange={() => setVia(v)} />
              {LABELS[v]}
            </label>
          ))}
        </fieldset>
        <div class="console__field console__field--grow">
          <label for="console-text">Message</label>
          <div class="console__send">
            <input
              id="console-text"
              type="text"
              autoComplete="off"
              maxLength={4000}
              value={text}
              onInput={(event) => setText(event.currentTarget.value)}
            />
            <button type="submit" class="btn btn--primary" disabled={busy || !streams || !text.trim()}>
              Send
            </button>
          </div>
        </div>
        <p class="console__outcome" role="status" data-testid="console-outcome">
          {outcome?.ok && (
            <>
              Sent over {LABELS[outcome.via]}: stored as <strong>#{outcome.seq}</strong>.
            </>
          )}
        </p>
        {outcome && !outcome.ok && (
          <p class="console__error" role="alert" data-testid="console-send-error">
            {LABELS[outcome.via]} could not send: {outcome.error}
          </p>
        )}
      </form>
      {loadError && (
        <p class="console__error" role="alert">
          Could not open the room: {loadError}
        </p>
      )}
      {streams && since !== null && (
        <>
          <Agreement streams={streams} since={since} />
          <div class="console__columns">
            {STREAMS.map((id) => (
              <Column key={id} stream={streams[id]} />
            ))}
          </div>
        </>
      )}
    </>
  );
}

/** Whether the columns have received the same seqs in the same order (one may be behind). */
function Agreement({ streams, since }: { streams: Record<StreamId, Stream>; since: number }) {
  const lists = STREAMS.map((id) => streams[id].messages.value.map((m) => m.seq));
  const longest = lists.reduce((a, b) => (b.length > a.length ? b : a));
  const agree = lists.every((l) => l.every((seq, i) => seq === longest[i]));
  return (
    <p class="console__agreement" data-testid="console-agreement" data-agree={String(agree)}>
      {since > 0 ? `Replayed from after #${since}. ` : "Replayed from the room's first message. "}
      {agree
        ? `The columns agree: ${longest.length} message${longest.length === 1 ? "" : "s"} in the same order.`
        : "The columns differ in order: see the seqs below."}
    </p>
  );
}

const STATE_TEXT = { connecting: "connecting…", connected: "connected", reconnecting: "reconnecting…", closed: "closed" };

function Column({ stream }: { stream: Stream }) {
  const headingId = `console-col-${stream.id}`;
  const state = stream.state.value;
  const messages = stream.messages.value;
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  return (
    <section
      class="console-col"
      aria-labelledby={headingId}
      data-testid="console-column"
      data-protocol={stream.id}
      data-state={state}
    >
      <header class="console-col__head">
        <h2 class="console-col__title" id={headingId}>
          {LABELS[stream.id]}
        </h2>
        <span class={`console-col__state console-col__state--${state}`} data-testid="console-state">
          {STATE_TEXT[state]}
        </span>
      </header>
      {stream.note.value && (
        <p class="console-col__note" data-testid="console-note">
          {stream.note.value}
        </p>
      )}
      {stream.error.value && (
        <p class="console-col__error" role="alert">
          {stream.error.value}
        </p>
      )}
      <ol class="console-col__list" ref={listRef} tabIndex={0} aria-label={`Received over ${LABELS[stream.id]}`}>
        {messages.length === 0 && <li class="console-col__empty">Nothing received yet.</li>}
        {messages.map((m) => (
          <Line key={m.seq} message={m} />
        ))}
      </ol>
    </section>
  );
}

function Line({ message }: { message: Received }) {
  const via = sentVia(message.clientId);
  return (
    <li class="console-msg" data-testid="console-message" data-seq={message.seq}>
      <span class="console-msg__seq">#{message.seq}</span>
      <span class="console-msg__who">{message.username}</span>
      {via && <span class="console-msg__via">via {LABELS[via]}</span>}
      <span class="console-msg__body">{message.body}</span>
    </li>
  );
}
