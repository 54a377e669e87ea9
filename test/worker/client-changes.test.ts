// The web client's view of message changes (client/src/room-channel, components/message): how
// a change it asked for shows before its answer (overlay.ts), how a jump's window of messages
// meets the latest ones (page-window.ts), and who reacted, worded (who.ts). Runs in workerd:
// the modules are plain TypeScript.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyChange, overlay, toggled, type ChangeAsk, type PendingChange } from "../../client/src/room-channel/overlay";
import { PageWindow } from "../../client/src/room-channel/page-window";
import { whoReacted } from "../../client/src/components/message/who";
import type { ChatMessage } from "../../worker/contract/wire";

const message = (seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  roomId: "r_1",
  seq,
  ts: 1_000 + seq,
  userId: "u_a",
  username: "ann",
  kind: "text",
  body: `message ${seq}`,
  clientId: `c${seq}`,
  ...extra,
});
const change = (c: ChangeAsk): PendingChange => ({ ...c, clientId: "x", ts: 5_000 });

describe("a change shows at once, as the server will store it", () => {
  it("an edit replaces the body and marks the message edited", () => {
    const edited = applyChange(message(1), change({ op: "edit", seq: 1, body: "new" }), "u_a");
    expect(edited).toMatchObject({ body: "new", editedAt: 5_000 });
  });

  it("a deletion leaves a tombstone: no body, attachment, reactions or quote", () => {
    const full = message(1, {
      kind: "image",
      attachment: { id: "f_1", name: "a.png", size: 1, type: "image/png" },
      reactions: [{ emoji: "👍", count: 1, userIds: ["u_b"] }],
      replyTo: { seq: 0, userId: "u_b", username: "ben", excerpt: "hi", deleted: false },
    });
    const gone = applyChange(full, change({ op: "delete", seq: 1 }), "u_a");
    expect(gone).toEqual({ ...message(1), kind: "image", body: "", deleted: true });
  });

  it("reactions keep the order each emoji was first used; a second toggle on is no change", () => {
    let list = toggled([], "👍", true, "u_a");
    list = toggled(list, "🎉", true, "u_b");
    list = toggled(list, "👍", true, "u_b");
    expect(toggled(list, "👍", true, "u_b")).toBe(list);
    expect(list).toEqual([
      { emoji: "👍", count: 2, userIds: ["u_a", "u_b"] },
      { emoji: "🎉", count: 1, userIds: ["u_b"] },
    ]);
    expect(toggled(list, "🎉", false, "u_b")).toEqual([list[0]]);
  });

  it("any run of toggles leaves counts that match their users, none empty or repeated", () => {
    const toggle = fc.record({ emoji: fc.constantFrom("👍", "🎉", "❤️"), on: fc.boolean(), user: fc.constantFrom("u_a", "u_b", "u_c") });
    fc.assert(
      fc.property(fc.array(toggle, { maxLength: 40 }), (toggles) => {
        const list = toggles.reduce((acc, t) => toggled(acc, t.emoji, t.on, t.user), [] as ReturnType<typeof toggled>);
        for (const r of list) {
          expect(r.count).toBe(r.userIds.length);
          expect(r.count).toBeGreaterThan(0);
          expect(new Set(r.userIds).size).toBe(r.userIds.length);
        }
        expect(new Set(list.map((r) => r.emoji)).size).toBe(list.length);
      }),
    );
  });

  it("changes apply in the order asked, and only to their message", () => {
    const shown = overlay([message(1), message(2)], [
      change({ op: "edit", seq: 2, body: "first" }),
      change({ op: "react", seq: 2, emoji: "👍", on: true }),
      change({ op: "edit", seq: 2, body: "second" }),
    ], "u_a");
    expect(shown[0]).toEqual(message(1));
    expect(shown[1]).toMatchObject({ body: "second", reactions: [{ emoji: "👍", count: 1 }] });
  });
});

describe("a jump's window of messages", () => {
  const windowOf = (from: number, to: number) => {
    const w = new PageWindow();
    w.put(Array.from({ length: to - from + 1 }, (_, i) => message(from + i)));
    return w;
  };

  it("meets the latest messages when no seq is missing between them", () => {
    expect(windowOf(1, 10).meets(windowOf(11, 20))).toBe(true);
    expect(windowOf(1, 12).meets(windowOf(11, 20))).toBe(true);
    expect(windowOf(1, 9).meets(windowOf(11, 20))).toBe(false);
  });

  it("is taken into the latest ones whole, older-page flag included", () => {
    const latest = windowOf(11, 20);
    const jumped = windowOf(1, 12);
    jumped.hasOlder = false;
    latest.absorb(jumped);
    expect(latest.list().map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(latest.hasOlder).toBe(false);
  });

  it("replaces only messages it has, and tells whether anything changed", () => {
    const w = windowOf(1, 3);
    expect(w.replace(message(9, { body: "x" }))).toBe(false);
    expect(w.replace(message(2))).toBe(false);
    expect(w.replace(message(2, { editedAt: 1, body: "y" }))).toBe(true);
    expect(w.list()[1]!.body).toBe("y");
  });
});

describe("who reacted", () => {
  const names = new Map([["u_a", "ann"], ["u_b", "ben"]]);
  const reaction = (userIds: string[]) => ({ emoji: "👍", count: userIds.length, userIds });

  it("names me first as You, then the others in the order they reacted", () => {
    expect(whoReacted(reaction(["u_b", "u_me"]), names, "u_me")).toBe("You and ben");
    expect(whoReacted(reaction(["u_a", "u_b", "u_me"]), names, "u_me")).toBe("You, ann and ben");
  });

  it("counts the people whose names are not known, and falls back to a number", () => {
    expect(whoReacted(reaction(["u_a", "u_x"]), names, "u_me")).toBe("ann and 1 other");
    expect(whoReacted(reaction(["u_x", "u_y"]), names, "u_me")).toBe("2 people");
    expect(whoReacted(reaction(["u_x"]), names, "u_me")).toBe("1 person");
  });
});
