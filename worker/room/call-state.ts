import type { CallParticipant, ServerFrame } from "../contract/wire";
import type { RoomMeta } from "./meta";

/**
 * Who is in the room's call, as the call object (worker/calls/) last said: kept in the
 * room's meta (`call`) so that a socket's `hello` can tell it, and turned into the `call`
 * frame the room's members see live.
 */
export class CallState {
  /** The saved participants, read once per instance: greetings and every watcher's counts ask for them. */
  private current: CallParticipant[] | null = null;

  constructor(private readonly meta: RoomMeta) {}

  participants(): CallParticipant[] {
    if (this.current === null) {
      const saved = this.meta.get("call");
      this.current = saved ? (JSON.parse(saved) as CallParticipant[]) : [];
    }
    return this.current;
  }

  /**
   * Records the call's new participants; returns the frame that tells the room. `ringing`
   * when a call has just started (it had nobody before) by someone joining (`mayRing`; not
   * by a participant's reconnect).
   */
  change(participants: CallParticipant[], mayRing: boolean): Extract<ServerFrame, { type: "call" }> {
    const before = this.participants();
    this.meta.set("call", JSON.stringify(participants));
    this.current = participants;
    return { type: "call", participants, ringing: mayRing && before.length === 0 && participants.length > 0 };
  }
}
