// The web client's read receipts (client/src/receipts/placement.ts): under which message each
// reader shows. Runs in workerd: the module is plain TypeScript.
import { describe, expect, it } from "vitest";
import { placeReaders } from "../../client/src/receipts/placement";
import type { ChatMessage } from "../../worker/contract/wire";

const ME = "u_me";
const message = (seq: number, userId: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  roomId: "r_1",
  seq,
  ts: 1_000 + seq,
  userId,
  username: userId.slice(2),
  kind: "text",
  body: `message ${seq}`,
  clientId: `c${seq}`,
  ...extra,
});
const names = new Map([
  ["u_ann", "ann"],
  ["u_bob", "bob"],
  ["u_cat", "cat"],
  [ME, "me"],
]);
const room = { dm: false, complete: true };
const dm = { dm: true, complete: true };
/** seq → usernames, for short expectations. */
const shown = (placed: Map<number, { username: string }[]>) =>
  Object.fromEntries([...placed].map(([seq, readers]) => [seq, readers.map((r) => r.username)]));

describe("read receipts in a room: each reader once, under the newest message they have read", () => {
  const messages = [message(1, ME), message(2, "u_ann"), message(4, ME), message(7, "u_bob")];

  it("places readers at or below their read seq, gaps included, sorted by name", () => {
    const reads = new Map([["u_cat", 7], ["u_ann", 5], ["u_bob", 7]]);
    expect(shown(placeReaders(messages, reads, names, ME, room))).toEqual({ 4: ["ann"], 7: ["bob", "cat"] });
  });

  it("never shows me, nor a reader who has read nothing loaded", () => {
    const reads = new Map([[ME, 7], ["u_ann", 0]]);
    expect(shown(placeReaders(messages, reads, names, ME, room))).toEqual({});
  });

  it("leaves out a reader past a jump's page (newer messages not loaded), keeps one inside it", () => {
    const reads = new Map([["u_ann", 9], ["u_bob", 4]]);
    expect(shown(placeReaders(messages, reads, names, ME, { dm: false, complete: false }))).toEqual({ 4: ["bob"] });
    expect(shown(placeReaders(messages, reads, names, ME, room))).toEqual({ 7: ["ann"], 4: ["bob"] });
  });

  it("names a reader it does not know yet 'someone'", () => {
    expect(shown(placeReaders(messages, new Map([["u_new", 2]]), names, ME, room))).toEqual({ 2: ["someone"] });
  });
});

describe('a DM\'s "Seen": under my newest standing message the other person has read', () => {
  it("skips their messages and my deleted ones", () => {
    const messages = [message(1, ME), message(2, ME), message(3, "u_ann"), message(4, ME, { deleted: true, body: "" }), message(5, "u_ann")];
    expect(shown(placeReaders(messages, new Map([["u_ann", 5]]), names, ME, dm))).toEqual({ 2: ["ann"] });
  });

  it("shows nothing before they have read any of mine", () => {
    const messages = [message(1, "u_ann"), message(2, ME)];
    expect(shown(placeReaders(messages, new Map([["u_ann", 1]]), names, ME, dm))).toEqual({});
  });
});
