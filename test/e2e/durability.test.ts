/**
 * "No acknowledged message is ever lost, even when the worker process is killed right after
 * the ack": a real `wrangler dev` is SIGKILLed (wrangler and workerd together) the moment an
 * ack arrives, restarted on the same state, and the history must hold every acked message and
 * every acked change (edit, reaction, deletion, reply).
 */
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startHearth, type Hearth } from "../support/wrangler";

let hearth: Hearth | undefined;
afterAll(async () => {
  await hearth?.stop();
});

async function call(base: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as any };
}

describe("durability", () => {
  it("keeps every acked message and change across a kill -9 of the server right after the ack", async () => {
    const secret = "durability-test-secret-0123456789abcdef";
    hearth = await startHearth({ vars: { JWT_SECRET: secret } });
    const { url, stateDir, port } = hearth;
    const user = await call(url, "/api/auth/signup", undefined, { username: `dur_${Date.now().toString(36)}`, password: "password123" });
    expect(user.status).toBe(201);
    const token = user.json.token;
    const room = await call(url, "/api/rooms", token, { name: `durable-${crypto.randomUUID().slice(0, 8)}`, visibility: "public" });
    const t = await call(url, `/api/rooms/${room.json.id}/ticket`, token, {});
    const ws = new WebSocket(`${url.replace("http", "ws")}/api/rooms/${room.json.id}/ws?ticket=${t.json.ticket}`);
    await new Promise((ok, fail) => {
      ws.once("open", ok);
      ws.once("error", fail);
    });

    // Send 10 messages back to back; once they are acked, change four of them back to back;
    // kill the server as soon as the last change is acked.
    const changes = [
      { type: "edit", clientId: "c-edit", seq: 1, body: "kept 1, edited" },
      { type: "react", clientId: "c-react", seq: 2, emoji: "👍", on: true },
      { type: "delete", clientId: "c-delete", seq: 3 },
      { type: "send", clientId: "c-reply", body: "a reply", replyTo: 4 },
    ];
    const acked: number[] = [];
    const changeAcks = new Map<string, any>();
    const killed = new Promise<void>((ok) => {
      ws.on("message", (data) => {
        const f = JSON.parse(String(data));
        if (f.type === "error") throw new Error(`refused: ${JSON.stringify(f)}`);
        if (f.type !== "ack") return;
        if (f.clientId.startsWith("c-")) {
          changeAcks.set(f.clientId, f.message);
          if (changeAcks.size === changes.length) void hearth!.stop("SIGKILL").then(ok);
          return;
        }
        acked.push(f.seq);
        if (acked.length === 10) for (const c of changes) ws.send(JSON.stringify(c));
      });
    });
    for (let i = 1; i <= 10; i++) ws.send(JSON.stringify({ type: "send", clientId: `k${i}`, body: `kept ${i}` }));
    await killed;
    ws.terminate();

    hearth = await startHearth({ stateDir, port, migrate: false, vars: { JWT_SECRET: secret } });
    const history = await call(hearth.url, `/api/rooms/${room.json.id}/messages?limit=100`, token);
    expect(history.status).toBe(200);
    const messages = [...history.json.messages].reverse();
    expect(messages.map((m: { seq: number }) => m.seq)).toEqual([...acked, 11]);
    expect(messages.slice(3, 10).map((m: { body: string }) => m.body)).toEqual(acked.slice(3).map((s) => `kept ${s}`));
    // Each acknowledged change is there, as its ack said.
    expect(messages[0]).toEqual(changeAcks.get("c-edit"));
    expect(messages[0].body).toBe("kept 1, edited");
    expect(messages[1].reactions).toEqual([{ emoji: "👍", count: 1, userIds: [user.json.user.id] }]);
    expect(messages[2]).toMatchObject({ seq: 3, deleted: true, body: "" });
    expect(messages[10]).toMatchObject({ seq: 11, body: "a reply", replyTo: { seq: 4, excerpt: "kept 4", deleted: false } });
  });
});
