/**
 * The SignalR hub's pieces that follow ASP.NET Core, one at a time: the record reader and its
 * 32 KB cap (framing.ts), case-insensitive names (names.ts), negotiate versions (negotiate.ts)
 * and one connection per negotiated token (connection-tokens.ts, in D1).
 * End to end, with the official client: test/e2e/signalr-conformance.test.ts.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createConnection, newConnectionKey, takeConnection } from "../../worker/protocols/signalr/connection-tokens";
import { MAX_RECEIVE_MESSAGE_BYTES, MessageTooLargeError, RecordReader, utf8Length } from "../../worker/protocols/signalr/framing";
import { caseInsensitive, queryParam, sameName } from "../../worker/protocols/signalr/names";
import { negotiateResponse, negotiateVersion } from "../../worker/protocols/signalr/negotiate";

const RS = "\u001e";

describe("RecordReader", () => {
  it("gives the same records however the stream is cut into frames", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 50 }).map((s) => s.replaceAll(RS, "")), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (records, cuts) => {
        const stream = records.map((r) => r + RS).join("");
        const points = [...new Set(cuts.map((c) => (stream.length ? c % stream.length : 0)))].sort((a, b) => a - b);
        const reader = new RecordReader();
        const got: string[] = [];
        let from = 0;
        for (const p of [...points, stream.length]) {
          got.push(...reader.push(stream.slice(from, p)));
          from = p;
        }
        expect(got).toEqual(records);
      }),
      { numRuns: 300 },
    );
  });

  it("allows a record of 32767 bytes with its separator, and refuses one byte more", () => {
    expect(MAX_RECEIVE_MESSAGE_BYTES).toBe(32768);
    const fits = "a".repeat(32767);
    expect(new RecordReader().push(fits + RS)).toEqual([fits]);
    expect(() => new RecordReader().push(fits + "a" + RS)).toThrow(MessageTooLargeError);
    // The same, split across frames: the unfinished part counts.
    const split = new RecordReader();
    expect(split.push(fits.slice(0, 20000))).toEqual([]);
    expect(split.push(fits.slice(20000))).toEqual([]);
    expect(() => split.push("a")).toThrow(/The maximum message size of 32768B was exceeded/);
  });

  it("counts UTF-8 bytes, not characters", () => {
    expect(utf8Length("aé€😀")).toBe(1 + 2 + 3 + 4);
    const euros = "€".repeat(10923); // 32769 bytes
    expect(() => new RecordReader().push(euros)).toThrow(MessageTooLargeError);
    expect(new RecordReader().push("€".repeat(10922) + RS)).toHaveLength(1); // 32766 + 1
  });
});

describe("names compare as OrdinalIgnoreCase", () => {
  it("finds every method however it is cased, with its own spelling", () => {
    const find = caseInsensitive({ JoinRoom: 1, SendMessage: 2 });
    for (const name of ["joinroom", "JOINROOM", "JoinRoom", "jOiNrOoM"]) expect(find(name)).toEqual({ name: "JoinRoom", value: 1 });
    expect(find("sendmessage")).toEqual({ name: "SendMessage", value: 2 });
    expect(find("JoinRoomX")).toBeUndefined();
    expect(find(42)).toBeUndefined();
    expect(find("constructor")).toBeUndefined();
    expect(sameName("JSON", "json")).toBe(true);
    expect(sameName("jſon", "json")).toBe(false); // only ASCII letters fold
    expect(queryParam("http://x/?NegotiateVersion=1&ID=abc", "negotiateVersion")).toBe("1");
    expect(queryParam("http://x/?ID=abc", "id")).toBe("abc");
  });
});

describe("negotiate versions", () => {
  it("answers 0 without a version, caps at 1, and refuses what is not an integer ≥ 0", () => {
    expect(negotiateVersion(undefined)).toEqual({ version: 0 });
    expect(negotiateVersion("0")).toEqual({ version: 0 });
    expect(negotiateVersion("1")).toEqual({ version: 1 });
    expect(negotiateVersion("9")).toEqual({ version: 1 });
    expect(negotiateVersion("x")).toEqual({ error: "The client requested a non-integer protocol version." });
    expect(negotiateVersion("-1")).toHaveProperty("error");
    expect(negotiateResponse(0, "id", "id")).not.toHaveProperty("connectionToken");
    expect(negotiateResponse(1, "id", "tok")).toMatchObject({ negotiateVersion: 1, connectionId: "id", connectionToken: "tok" });
  });
});

describe("connection tokens", () => {
  it("open one connection: the first take gets the user, every later one null", async () => {
    const token = newConnectionKey();
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await createConnection(env.DB, token, { id: "u1", username: "alice", sessionExp: Math.floor(Date.now() / 1000) + 3600 });
    expect(await takeConnection(env.DB, token)).toMatchObject({ id: "u1", username: "alice" });
    expect(await takeConnection(env.DB, token)).toBeNull();
    expect(await takeConnection(env.DB, newConnectionKey())).toBeNull();
  });

  it("do not outlive the session that negotiated them", async () => {
    const token = newConnectionKey();
    await createConnection(env.DB, token, { id: "u2", username: "bob", sessionExp: Math.floor(Date.now() / 1000) });
    expect(await takeConnection(env.DB, token)).toBeNull();
  });
});
