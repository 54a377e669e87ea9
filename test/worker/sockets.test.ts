import { describe, expect, it } from "vitest";
import { AttachmentCache } from "../../worker/sockets/attachments";
import { textFrameOrClose } from "../../worker/sockets/frame-size";
import { closeSocket, reciprocateClose, sendText } from "../../worker/sockets/safe-io";
import { SOCKET_ANSWERS } from "../../worker/room/refusal-frames";

/** A socket as the plumbing sees it: records closes, can be made to throw like a closing socket. */
function fakeSocket(opts: { closing?: boolean } = {}) {
  const closes: [number, string][] = [];
  const sent: string[] = [];
  let attachment: unknown = null;
  let reads = 0;
  const ws = {
    close(code: number, reason: string) {
      if (opts.closing) throw new Error("closed");
      closes.push([code, reason]);
    },
    send(text: string) {
      if (opts.closing) throw new Error("closing");
      sent.push(text);
    },
    serializeAttachment(v: unknown) {
      attachment = structuredClone(v);
    },
    deserializeAttachment() {
      reads += 1;
      return structuredClone(attachment);
    },
  } as unknown as WebSocket;
  return { ws, closes, sent, reads: () => reads };
}

describe("shared socket plumbing", () => {
  it("answers a peer's close with the same code, and 1005/1006/1015 (never sent on the wire) with 1000", () => {
    for (const [code, answer] of [[4000, 4000], [1001, 1001], [1005, 1000], [1006, 1000], [1015, 1000]] as const) {
      const s = fakeSocket();
      reciprocateClose(s.ws, code, "bye");
      expect(s.closes).toEqual([[answer, "bye"]]);
    }
  });

  it("does not throw when sending to or closing a socket that is already closing", () => {
    const s = fakeSocket({ closing: true });
    expect(sendText(s.ws, "x")).toBe(false);
    expect(() => closeSocket(s.ws, 1000, "done")).not.toThrow();
    expect(() => reciprocateClose(s.ws, 1006, "")).not.toThrow();
  });

  it("closes on a binary frame (1003) or one over the byte limit counted in UTF-8 (1009), and passes the rest", () => {
    const rule = { maxBytes: 10, binaryReason: "text only" };
    const bin = fakeSocket();
    expect(textFrameOrClose(bin.ws, new ArrayBuffer(1), rule)).toBeNull();
    expect(bin.closes).toEqual([[1003, "text only"]]);
    const big = fakeSocket();
    expect(textFrameOrClose(big.ws, "ééééé!", rule)).toBeNull(); // 6 characters, 11 bytes
    expect(big.closes).toEqual([[1009, "frames are limited to 10 bytes"]]);
    const ok = fakeSocket();
    expect(textFrameOrClose(ok.ws, "éééé!", rule)).toBe("éééé!");
    expect(ok.closes).toEqual([]);
  });

  it("reads an attachment from the socket once, and keeps memory and socket in step on writes", () => {
    const s = fakeSocket();
    s.ws.serializeAttachment({ strikes: 0 });
    const cache = new AttachmentCache<{ strikes: number }>();
    const a = cache.get(s.ws)!;
    expect(cache.get(s.ws)).toBe(a);
    expect(s.reads()).toBe(1);
    a.strikes = 3;
    cache.set(s.ws, a);
    expect(s.ws.deserializeAttachment()).toEqual({ strikes: 3 });
  });
});

describe("the Hearth socket's answer to a refused post", () => {
  it("counts an invalid message as a strike, not a rate-limited one, and closes the socket of a non-member", () => {
    expect(SOCKET_ANSWERS.invalid_message).toEqual({ kind: "error", code: "invalid_message", strike: true });
    expect(SOCKET_ANSWERS.rate_limited).toEqual({ kind: "error", code: "rate_limited", strike: false });
    expect(SOCKET_ANSWERS.not_a_member).toMatchObject({ kind: "close", code: 1008 });
  });
});
