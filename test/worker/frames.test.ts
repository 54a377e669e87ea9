import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseClientFrame } from "../../worker/room/frames";
import { validateDraft } from "../../worker/gateway/draft";
import { connect, createRoom, join, signup } from "./helpers";

describe("frame parsing", () => {
  it("never throws, whatever text arrives, and only lets through known types", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        const parsed = parseClientFrame(text);
        if (parsed.ok) expect(["send", "typing", "ping"]).toContain(parsed.frame.type);
        else expect(["bad_frame", "unknown_type"]).toContain(parsed.code);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts a body exactly when it has 1-4000 code points after trimming", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 4100 }), (body) => {
        const result = validateDraft({ clientId: "cid", body });
        const chars = [...body.trim()].length;
        expect(result.ok).toBe(chars >= 1 && chars <= 4000);
        if (result.ok) expect(result.draft.body).toBe(body.trim());
      }),
      { numRuns: 300 },
    );
  });
});

describe("a room under random frames", () => {
  it("keeps serving other members while one socket sends arbitrary frames", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice);
    await join(bob, room.id);
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    const junk = fc.sample(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 })), { numRuns: 40, seed: 42 });
    for (const frame of junk) a.socket.send(frame);
    const ack = await b.socket.sendMessage("still fine", "after-junk");
    expect(ack.type).toBe("ack");
    const got = await a.socket.next((f) => f.type === "message" && f.message.clientId === "after-junk");
    expect(got.message.body).toBe("still fine");
    expect(ack.message.body).toBe("still fine");
  });
});
