/**
 * What a room shows about calls, in the initial bundle (kept small): the two call buttons
 * of the room header, the "alice is calling — Accept / Decline" banner, the "Join call" bar
 * while a call goes on without me, and the call itself once its code has loaded.
 */
import { useEffect, useState } from "preact/hooks";
import type { RoomChannel } from "../room-channel";
import { CallIcon } from "./icons";
import { RingCard } from "./RingCard";
import {
  activeCall,
  answerRequest,
  callLoadError,
  callLoading,
  callModule,
  leaveCallOf,
  startCall,
} from "./state";
import type { CallKind } from "./controller";
import "./calls.css";

/** A call rings this long in the room's banner (then it is only "in progress", with a Join button). */
const RING_MS = 30_000;
const MAX_PEOPLE = 4;
/** The channel's ring and the room's `call` frame of one call arrive this close together. */
const SAME_RING_MS = 5_000;
/** The room's banner waits this long for the channel's ring of the same call (so one shows, not both in turn). */
const HOLD_MS = 1_500;

function callOf(roomId: string) {
  const call = activeCall.value;
  return call && call.roomId === roomId ? call : null;
}

/** The room header's "Audio call" and "Video call" buttons (they join a call in progress). */
export function CallButtons({ channel }: { channel: RoomChannel }) {
  const call = callOf(channel.roomId);
  const busy = (call !== null && !call.finished) || callLoading.value;
  const inProgress = channel.call.value.length > 0;
  const start = (kind: CallKind) => void startCall(channel, kind);
  return (
    <>
      <button
        type="button"
        class="tool-btn call-tool"
        disabled={busy}
        onClick={() => start("audio")}
        title={inProgress ? "Join the call with audio only" : "Start an audio call"}
        data-testid="start-audio-call"
      >
        <CallIcon name="phone" size={16} />
        <span class="tool-btn__label">Audio call</span>
      </button>
      <button
        type="button"
        class="tool-btn call-tool"
        disabled={busy}
        onClick={() => start("video")}
        title={inProgress ? "Join the call with video" : "Start a video call"}
        data-testid="start-video-call"
      >
        <CallIcon name="video" size={16} />
        <span class="tool-btn__label">Video call</span>
      </button>
    </>
  );
}

/** The app-wide ring (the per-user channel's, components/RingBanner) for this room. */
export interface ChannelRing {
  /** When it last rang for this room (0: never). */
  rangAt: number;
  /** It rings now. */
  ringing: boolean;
}

/**
 * Everything about calls between the room header and the chat. A call that the app-wide ring
 * announces is left to it: the room's banner shows only calls it does not ring for (rooms of
 * more than 20 members, muted rooms), so a call rings in one banner, not two.
 */
export function CallArea({ channel, roomLabel, channelRing }: { channel: RoomChannel; roomLabel: string; channelRing: ChannelRing }) {
  const me = channel.me;
  const roomId = channel.roomId;
  const participants = channel.call.value;
  const ringingAt = channel.ringingAt.value;
  const call = callOf(roomId);
  const inCall = call !== null && !call.finished;
  const module = callModule.value;
  // The ring I answered (accepted or declined), and a clock tick for the ring's end.
  const [answered, setAnswered] = useState(0);
  const [, setTick] = useState(0);

  useEffect(() => () => leaveCallOf(roomId), [roomId]);

  useEffect(() => {
    if (!ringingAt) return;
    const timers = [HOLD_MS, RING_MS]
      .map((ms) => ringingAt + ms - Date.now())
      .filter((left) => left > 0)
      .map((left) => setTimeout(() => setTick((n) => n + 1), left + 50));
    return () => timers.forEach(clearTimeout);
  }, [ringingAt]);

  const caller = participants[0];
  const others = participants.filter((p) => p.userId !== me.id);
  const ringing =
    ringingAt > 0 &&
    ringingAt !== answered &&
    Date.now() - ringingAt >= HOLD_MS &&
    Date.now() - ringingAt < RING_MS &&
    !inCall &&
    !callLoading.value &&
    caller !== undefined &&
    caller.userId !== me.id &&
    channelRing.rangAt < ringingAt - SAME_RING_MS;
  // Held back while the app-wide ring may still come, and while it rings.
  const quiet = channelRing.ringing || (ringingAt > 0 && Date.now() - ringingAt < HOLD_MS);
  const full = participants.length >= MAX_PEOPLE;

  const join = (kind: CallKind) => {
    setAnswered(ringingAt);
    void startCall(channel, kind);
  };

  // A call accepted from the app-wide ring: join it once this room's screen is up.
  const asked = answerRequest.value;
  useEffect(() => {
    if (!asked || asked.roomId !== roomId) return;
    answerRequest.value = null;
    join(asked.kind);
  }, [asked, roomId]);

  return (
    <>
      {callLoadError.value && !inCall && (
        <p class="room__notice" role="alert">
          {callLoadError.value}
        </p>
      )}

      {ringing && caller && (
        <RingCard
          caller={caller.username}
          where={`${roomLabel}${participants.length > 1 ? ` · ${participants.length} people in the call` : ""}`}
          full={full}
          onAnswer={join}
          onDecline={() => setAnswered(ringingAt)}
          testId="ringing"
        />
      )}

      {!ringing && !quiet && !inCall && participants.length > 0 && (
        <section class="call-join" aria-label="Call in progress" data-testid="call-in-progress">
          <span class="call-join__dot" aria-hidden="true" />
          <p class="call-join__text">
            {others.length === 0
              ? "You are in this room's call in another window."
              : `Call in progress with ${others.map((p) => p.username).join(", ")}`}
            {full && " (full)"}
          </p>
          <div class="call-join__actions">
            <button
              type="button"
              class="btn btn--primary"
              disabled={full || callLoading.value}
              onClick={() => join("video")}
            >
              <CallIcon name="video" size={16} />
              Join call
            </button>
            <button
              type="button"
              class="btn"
              disabled={full || callLoading.value}
              onClick={() => join("audio")}
            >
              <CallIcon name="phone" size={16} />
              Audio only
            </button>
          </div>
        </section>
      )}

      {call && module && (
        <module.CallView
          call={call}
          onClose={() => {
            if (activeCall.value === call) activeCall.value = null;
          }}
          onAudioOnly={() => {
            if (activeCall.value === call) activeCall.value = null;
            void startCall(channel, "audio");
          }}
        />
      )}
    </>
  );
}
