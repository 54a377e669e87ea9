import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEST_RATE_BURST } from "./limits";
import { api, bearerProtocols, connect, createRoom, forgeToken, join, signup, ticket, upgrade, TestSocket } from "./helpers";

async function twoUsersInRoom() {
  const alice = await signup("alice");
  const bob = await signup("bob");
  const room = await createRoom(alice);
  await join(bob, room.id);
  return { alice, bob, room };
}

describe("room sockets", () => {
  it("greets with hello, acks a message with its seq and delivers it to everyone in order", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id, undefined, "ticket"); // both ways of authenticating
    expect(a.hello).toMatchObject({ type: "hello", roomId: room.id, user: { id: alice.id, username: alice.username }, lastSeq: 0 });
    expect(a.hello.limits.maxBodyChars).toBe(4000);

    const acks = [];
    for (let i = 1; i <= 5; i++) acks.push(await a.socket.sendMessage(`message ${i}`, `a-${i}`));
    expect(acks.map((x) => [x.type, x.seq, x.duplicate])).toEqual([1, 2, 3, 4, 5].map((s) => ["ack", s, false]));
    const ackB = await b.socket.sendMessage("from bob", "b-1");
    expect(ackB.seq).toBe(6);

    // Each socket sees 1..6 once, in order: its own messages inside their acks, the others' as `message`.
    await a.socket.nextOfType("message");
    for (let i = 0; i < 5; i++) await b.socket.nextOfType("message");
    for (const s of [a.socket, b.socket]) {
      const got = s.frames.filter((f) => f.type === "message" || (f.type === "ack" && !f.duplicate)).map((f) => f.message);
      expect(got.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(got[5]).toMatchObject({ body: "from bob", username: bob.username, userId: bob.id, clientId: "b-1", roomId: room.id });
    }
    expect(a.socket.frames.filter((f) => f.type === "message").map((f) => f.message.seq)).toEqual([6]);
    expect(b.socket.frames.filter((f) => f.type === "message").map((f) => f.message.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(acks[0]!.message).toMatchObject({ seq: 1, body: "message 1", clientId: "a-1", userId: alice.id, roomId: room.id, kind: "text" });
    a.socket.close();
    b.socket.close();
  });

  it("sends hello first even to a client that sends before waiting for it", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const b = await connect(bob, room.id);
    const res = await upgrade(`/api/rooms/${room.id}/ws`, bearerProtocols(alice));
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const a = new TestSocket(res.webSocket!);
    a.send({ type: "send", clientId: "eager-1", body: "no waiting" });
    const ack = await a.nextOfType("ack");
    expect(a.frames[0]!.type).toBe("hello");
    expect(ack.message).toMatchObject({ seq: 1, body: "no waiting" });
    expect((await b.socket.nextOfType("message")).message.clientId).toBe("eager-1");
    a.close();
  });

  it("acks a retried clientId again with the same seq and never stores or delivers it twice", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    const first = await a.socket.sendMessage("only once", "dup-1");
    const again = await a.socket.sendMessage("only once", "dup-1");
    expect(again).toMatchObject({ type: "ack", seq: first.seq, ts: first.ts, duplicate: true });
    expect(again.message).toEqual(first.message);
    // A following message proves the stream went on; bob saw exactly one copy before it.
    await a.socket.sendMessage("next", "dup-2");
    const m1 = await b.socket.nextOfType("message");
    const m2 = await b.socket.nextOfType("message");
    expect([m1.message.body, m2.message.body]).toEqual(["only once", "next"]);
    // The same clientId from another user is a different message.
    const bobs = await b.socket.sendMessage("mine", "dup-1");
    expect(bobs).toMatchObject({ duplicate: false, seq: 3 });
  });

  it("recognizes a retried clientId from memory, after the room restarts, and once its ids are filed away", async () => {
    const { alice, room } = await twoUsersInRoom();
    const post = (clientId: string, body = "once") =>
      api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body, clientId } });
    expect((await post("r-1")).status).toBe(201);
    expect((await post("r-1")).status).toBe(200); // in memory
    const stub = env.ROOMS.getByName(room.id) as unknown as DurableObjectStub;
    await evictDurableObject(stub);
    const again = await post("r-1", "a different body");
    expect(again.status).toBe(200); // rebuilt from the log by the new instance
    expect(again.json).toMatchObject({ seq: 1, body: "once" });
    expect((await post("r-2")).status).toBe(201);
    await env.ROOMS.getByName(room.id).flush(); // files the ids away in client_ids
    const filed = await runInDurableObject<DurableObject, number>(stub, (instance) =>
      (instance as unknown as { ctx: DurableObjectState }).ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM client_ids").one().n,
    );
    expect(filed).toBe(2);
    await evictDurableObject(stub);
    expect((await post("r-1")).status).toBe(200);
    const r2 = await post("r-2");
    expect([r2.status, r2.json.seq]).toEqual([200, 2]); // from client_ids
    // A retry found there costs no rate-limit token: a client resending a backlog after a
    // reconnect is not throttled for messages that were stored long ago.
    for (let i = 0; i < TEST_RATE_BURST + 5; i++) expect((await post("r-2")).status).toBe(200);
    const r3 = await post("r-3");
    expect([r3.status, r3.json.seq]).toEqual([201, 3]);
    const history = await api(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(history.json.messages.map((m: { seq: number }) => m.seq)).toEqual([3, 2, 1]);
    // Nor is it refused when the sender has used up the bucket with new messages.
    let sent = 0;
    while ((await post(`burst-${sent}`)).status === 201) sent++;
    expect(sent).toBeLessThanOrEqual(TEST_RATE_BURST);
    expect((await post(`burst-${sent}`)).status).toBe(429);
    expect((await post("r-2")).status).toBe(200);
    expect((await post("r-1")).status).toBe(200);
  });

  it("finds retries in a room created before client_ids existed (a unique index on its log)", async () => {
    const { alice, room } = await twoUsersInRoom();
    const stub = env.ROOMS.getByName(room.id) as unknown as DurableObjectStub;
    // The log as rooms created before client_ids have it.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("DROP TABLE messages");
      state.storage.sql.exec(`CREATE TABLE messages (
        seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, user_id TEXT NOT NULL, username TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'text', body TEXT NOT NULL, client_id TEXT NOT NULL, attachment TEXT,
        UNIQUE (user_id, client_id))`);
    });
    await evictDurableObject(stub);
    const post = (clientId: string, body = "once") =>
      api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body, clientId } });
    expect((await post("l-1")).status).toBe(201);
    const again = await post("l-1", "a different body");
    expect([again.status, again.json.seq, again.json.body]).toEqual([200, 1, "once"]);
    await env.ROOMS.getByName(room.id).flush();
    await evictDurableObject(stub);
    expect((await post("l-1")).status).toBe(200);
    const l2 = await post("l-2");
    expect([l2.status, l2.json.seq]).toEqual([201, 2]);
    // Retries cost no token and are answered even with the bucket empty.
    for (let i = 0; i < TEST_RATE_BURST + 5; i++) expect((await post("l-2")).status).toBe(200);
    let sent = 0;
    while ((await post(`burst-${sent}`)).status === 201) sent++;
    expect((await post("l-1")).status).toBe(200);
    const history = await api(`/api/rooms/${room.id}/messages?limit=100`, { token: alice.token });
    expect(history.json.messages.filter((m: { clientId: string }) => m.clientId.startsWith("l-")).map((m: { seq: number }) => m.seq)).toEqual([2, 1]);
    const filed = await runInDurableObject<DurableObject, number>(stub, (instance) =>
      (instance as unknown as { ctx: DurableObjectState }).ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM client_ids").one().n,
    );
    expect(filed).toBe(0); // the unique index serves; nothing is filed twice
  });

  it("reaches socket clients with a message posted over REST, and REST history with one sent over the socket", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const b = await connect(bob, room.id);
    const posted = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "from a script", clientId: "bot-1" } });
    const got = await b.socket.nextOfType("message");
    expect(got.message).toEqual(posted.json);
    // History is the same messages, field for field, as the live frames (the room writes
    // history pages as JSON in SQL, the live frames with JSON.stringify).
    const tricky = 'quote " backslash \\ tab \t newline \n emoji 🔥👩‍👩‍👧 </script><b>x</b> \u2028 é 中文';
    const ack = await b.socket.sendMessage(tricky, "s-1");
    const history = await api(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(history.headers.get("content-type")).toMatch(/^application\/json/);
    expect(history.json.messages).toEqual([ack.message, posted.json]);
    expect(history.json.messages[0].body).toBe(tricky);
    const older = await api(`/api/rooms/${room.id}/messages?before=2`, { token: alice.token });
    expect(older.json.messages).toEqual([posted.json]);
    expect((await api(`/api/rooms/${room.id}/messages?before=1`, { token: alice.token })).json).toEqual({ messages: [] });
  });

  it("shows typing to the others, not to the typist", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    a.socket.send({ type: "typing", typing: true });
    expect(await b.socket.nextOfType("typing")).toMatchObject({ userId: alice.id, username: alice.username, typing: true });
    a.socket.send({ type: "typing", typing: false });
    expect(await b.socket.nextOfType("typing")).toMatchObject({ typing: false });
    // Alice's socket then receives bob's message without any typing frame of her own.
    await b.socket.sendMessage("hi", "t-1");
    await a.socket.nextOfType("message");
    expect(a.socket.frames.some((f) => f.type === "typing")).toBe(false);
  });

  it("tracks presence: who is online, once per user, updated on join and close", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    expect(a.hello.online).toEqual([{ userId: alice.id, username: alice.username }]);
    const b1 = await connect(bob, room.id);
    const b2 = await connect(bob, room.id);
    expect(b2.hello.online.map((u: { username: string }) => u.username).sort()).toEqual([alice.username, bob.username].sort());
    let p = await a.socket.nextOfType("presence");
    while (p.online.length < 2) p = await a.socket.nextOfType("presence");
    expect(p.online).toHaveLength(2);
    b1.socket.close();
    b2.socket.close();
    let after = await a.socket.nextOfType("presence");
    while (after.online.length !== 1) after = await a.socket.nextOfType("presence");
    expect(after.online).toEqual([{ userId: alice.id, username: alice.username }]);
  });

  it("replays exactly the missed messages after a reconnect with since, then goes live", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const b = await connect(bob, room.id);
    for (let i = 1; i <= 3; i++) await b.socket.sendMessage(`seen ${i}`, `s${i}`);
    b.socket.close();
    for (let i = 1; i <= 4; i++) {
      await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: `missed ${i}`, clientId: `m${i}` } });
    }
    const again = await connect(bob, room.id, 3);
    expect(again.hello.lastSeq).toBe(7);
    const replayed = [];
    for (;;) {
      const f = await again.socket.next((x) => x.type === "message" || x.type === "synced");
      if (f.type === "synced") {
        expect(f.lastSeq).toBe(7);
        break;
      }
      replayed.push(f.message);
    }
    expect(replayed.map((m) => [m.seq, m.body])).toEqual([
      [4, "missed 1"],
      [5, "missed 2"],
      [6, "missed 3"],
      [7, "missed 4"],
    ]);
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "live", clientId: "live" } });
    expect((await again.socket.nextOfType("message")).message).toMatchObject({ seq: 8, body: "live" });
    // since=0 replays everything; a since at the head replays nothing.
    const all = await connect(bob, room.id, 0);
    const allSeqs = [];
    for (;;) {
      const f = await all.socket.next((x) => x.type === "message" || x.type === "synced");
      if (f.type === "synced") break;
      allSeqs.push(f.message.seq);
    }
    expect(allSeqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const none = await connect(bob, room.id, 8);
    expect((await none.socket.next((x) => x.type === "message" || x.type === "synced")).type).toBe("synced");
  });

  it("keeps sockets usable after the room hibernates and is evicted from memory", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    await a.socket.sendMessage("before", "h1");
    await b.socket.nextOfType("message");
    const stub = env.ROOMS.getByName(room.id) as unknown as DurableObjectStub;
    const marker = await runInDurableObject<DurableObject, string>(stub, (instance) => {
      const marked = instance as unknown as { __marker: string };
      marked.__marker = "old instance";
      return marked.__marker;
    });
    expect(marker).toBe("old instance");
    await evictDurableObject(stub, { webSockets: "hibernate" });
    // A new instance woke up: the in-memory marker is gone, yet the sockets still know who they are.
    expect(await runInDurableObject<DurableObject, unknown>(stub, (instance) => (instance as unknown as { __marker?: string }).__marker)).toBeUndefined();
    const ack = await b.socket.sendMessage("after", "h2");
    expect(ack).toMatchObject({ type: "ack", seq: 2 });
    const got = await a.socket.nextOfType("message");
    expect(got.message).toMatchObject({ seq: 2, body: "after", username: bob.username, userId: bob.id });
    // Heartbeat answered by the runtime.
    a.socket.send('{"type":"ping"}');
    await a.socket.nextOfType("pong");
  });

  it("closes a member's sockets with 1008 when they leave", async () => {
    const { bob, room } = await twoUsersInRoom();
    const b = await connect(bob, room.id);
    await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: bob.token });
    expect((await b.socket.waitClose()).code).toBe(1008);
  });
});

describe("socket authentication", () => {
  it("refuses an upgrade without a valid ticket for that room", async () => {
    const { alice, room } = await twoUsersInRoom();
    const other = await createRoom(alice);
    const otherTicket = await ticket(alice, other.id);
    const cases = [
      `/api/rooms/${room.id}/ws?ticket=garbage`,
      `/api/rooms/${room.id}/ws?ticket=${otherTicket}`,
      `/api/rooms/${room.id}/ws?ticket=${alice.token}`,
    ];
    for (const path of cases) {
      const res = await upgrade(path);
      expect(res.status, path.slice(0, 60)).toBe(401);
      expect(res.webSocket).toBeFalsy();
      expect(((await res.json()) as any).error.code).toBe("invalid_ticket");
    }
  });

  it("lets a ticket open one socket: a second upgrade with it is refused, while it is open and after", async () => {
    const { alice, room } = await twoUsersInRoom();
    const t = await ticket(alice, room.id);
    const first = await upgrade(`/api/rooms/${room.id}/ws?ticket=${encodeURIComponent(t)}`);
    expect(first.status).toBe(101);
    first.webSocket!.accept();
    const again = await upgrade(`/api/rooms/${room.id}/ws?ticket=${encodeURIComponent(t)}`);
    expect(again.status).toBe(401);
    expect(((await again.json()) as any).error.code).toBe("invalid_ticket");
    first.webSocket!.close(1000, "done");
    const after = await upgrade(`/api/rooms/${room.id}/ws?ticket=${encodeURIComponent(t)}`);
    expect(after.status).toBe(401);
    // A new ticket opens the next socket.
    const next = await upgrade(`/api/rooms/${room.id}/ws?ticket=${encodeURIComponent(await ticket(alice, room.id))}`);
    expect(next.status).toBe(101);
    next.webSocket!.accept();
    next.webSocket!.close(1000, "done");
  });

  it("opens with the session token as a subprotocol and refuses bad or missing ones", async () => {
    const { alice, room } = await twoUsersInRoom();
    const ok = await upgrade(`/api/rooms/${room.id}/ws`, bearerProtocols(alice));
    expect(ok.status).toBe(101);
    // Only Hearth's subprotocol is named back: the token is never echoed.
    expect(ok.headers.get("Sec-WebSocket-Protocol")).toBe("hearth.v1");
    ok.webSocket!.accept();
    ok.webSocket!.close(1000);

    const refused: [string[] | undefined, number, string][] = [
      [undefined, 401, "unauthorized"],
      [["hearth.v1"], 401, "unauthorized"],
      [["hearth.v1", "bearer.garbage"], 401, "invalid_token"],
      [["hearth.v1", `bearer.${await ticket(alice, room.id)}`], 401, "invalid_token"], // a ticket is not a session
      [["hearth.v1", `bearer.${alice.token.slice(0, -2)}xx`], 401, "invalid_token"],
      [[`bearer.${alice.token}`], 400, "bad_request"],
    ];
    for (const [protocols, status, code] of refused) {
      const res = await upgrade(`/api/rooms/${room.id}/ws`, protocols);
      expect(res.status, String(protocols?.[1]?.slice(0, 20))).toBe(status);
      expect(res.webSocket).toBeFalsy();
      expect(((await res.json()) as any).error.code).toBe(code);
    }
  });

  it("refuses a non-member with a valid token, and a member who has left, even right after a cached check", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const mallory = await signup("mallory");
    const res = await upgrade(`/api/rooms/${room.id}/ws`, bearerProtocols(mallory));
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe("not_a_member");
    // Bob connects (his membership is now cached for a minute), leaves, and tries again at once.
    const first = await connect(bob, room.id);
    await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: bob.token });
    expect((await first.socket.waitClose()).code).toBe(1008);
    const again = await upgrade(`/api/rooms/${room.id}/ws`, bearerProtocols(bob));
    expect(again.status).toBe(403);
    // Joining again lets him back in at once.
    expect((await api(`/api/rooms/${room.id}/join`, { method: "POST", token: bob.token })).status).toBe(200);
    const back = await connect(bob, room.id);
    expect(back.hello.user.id).toBe(bob.id);
    back.socket.close();
    void alice;
  });

  it("closes a socket with 4001 when the session that opened it ends, before it gets anything more", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const claims = { sub: alice.id, name: alice.username, typ: "session", iat: exp - 3600, exp };
    // One socket opened with the session token, one with a ticket issued from it.
    const bySession = await connect({ ...alice, token: await forgeToken(claims) }, room.id);
    const byTicket = await connect({ ...alice, token: await forgeToken(claims) }, room.id, undefined, "ticket");
    const b = await connect(bob, room.id);
    expect((await b.socket.sendMessage("before", "b-before")).type).toBe("ack");
    for (const s of [bySession, byTicket]) expect((await s.socket.nextOfType("message")).message.body).toBe("before");
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 100));
    expect((await b.socket.sendMessage("after", "b-after")).type).toBe("ack");
    for (const s of [bySession, byTicket]) {
      expect((await s.socket.waitClose()).code).toBe(4001);
      expect(s.socket.frames.filter((f) => f.type === "message").map((f) => f.message.body)).toEqual(["before"]);
    }
    b.socket.close();
  });

  it("refuses a plain GET and a bad since with 400", async () => {
    const { alice, room } = await twoUsersInRoom();
    const t = await ticket(alice, room.id);
    expect((await api(`/api/rooms/${room.id}/ws?ticket=${t}`)).status).toBe(400);
    for (const since of ["-4", "", "1e3", "1.5", "x"]) {
      expect((await upgrade(`/api/rooms/${room.id}/ws?ticket=${t}&since=${since}`)).status, `since=${since}`).toBe(400);
    }
  });
});

describe("bad frames and limits", () => {
  it("answers malformed and unknown frames with error frames and keeps the room working for everyone", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    const bad: [string, string][] = [
      ["{not json", "bad_frame"],
      ["[1,2]", "bad_frame"],
      ['{"no":"type"}', "bad_frame"],
      ['{"type":"shout"}', "unknown_type"],
      ['{"type":"typing","typing":"yes"}', "bad_frame"],
      ['{"type":"send","body":"no id"}', "invalid_message"],
      ['{"type":"send","clientId":"c","body":""}', "invalid_message"],
      [JSON.stringify({ type: "send", clientId: "c2", body: "x".repeat(4001) }), "invalid_message"],
    ];
    for (const [frame, code] of bad) {
      a.socket.send(frame);
      expect((await a.socket.nextOfType("error")).code, frame.slice(0, 40)).toBe(code);
    }
    expect(a.socket.closed).toBeNull();
    const ack = await a.socket.sendMessage("still here", "ok-1");
    expect(ack.seq).toBe(1);
    expect((await b.socket.nextOfType("message")).message.body).toBe("still here");
    expect(b.socket.frames.some((f) => f.type === "error")).toBe(false);
  });

  it("closes with 1003 on a binary frame and 1009 on an oversize frame, leaving others connected", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    a.socket.ws.send(new Uint8Array([1, 2, 3]));
    expect((await a.socket.waitClose()).code).toBe(1003);
    const a2 = await connect(alice, room.id);
    a2.socket.send(JSON.stringify({ type: "send", clientId: "big", body: "y".repeat(40_000) }));
    expect((await a2.socket.waitClose()).code).toBe(1009);
    const ack = await b.socket.sendMessage("bob is fine", "b1");
    expect(ack).toMatchObject({ type: "ack", seq: 1 });
  });

  it("closes with 1008 after too many refused frames in a row", async () => {
    const { alice, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    for (let i = 0; i < 51; i++) a.socket.send("nope");
    expect((await a.socket.waitClose()).code).toBe(1008);
  });

  it("answers a send that fails inside the room with an internal error, and the resend is stored once", async () => {
    const { alice, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const stub = env.ROOMS.getByName(room.id) as unknown as DurableObjectStub;
    type Limiter = { writes: { intake: { limiter: { take: (user: string) => number } } } };
    // One failure inside the room's accept (standing for a storage or R2 error).
    await runInDurableObject(stub, (instance: unknown) => {
      const limiter = (instance as Limiter).writes.intake.limiter;
      const take = limiter.take.bind(limiter);
      limiter.take = (user) => {
        limiter.take = take;
        throw new Error("injected failure");
      };
    });
    const failed = await a.socket.sendMessage("still here?", "fails-once");
    expect(failed).toMatchObject({ type: "error", code: "internal", clientId: "fails-once" });
    expect(a.socket.closed).toBeNull();
    const ack = await a.socket.sendMessage("still here?", "fails-once");
    expect(ack).toMatchObject({ type: "ack", duplicate: false, seq: 1 });
    const history = await api(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(history.json.messages.map((m: { clientId: string }) => m.clientId)).toEqual(["fails-once"]);
    a.socket.close();
  });

  it("does not count messages refused for the rate limit against the socket", async () => {
    const { alice, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    // A client catching up on a long outbox: a burst's worth accepted, then 60 refused in a row.
    for (let i = 0; i < TEST_RATE_BURST + 60; i++) a.socket.send({ type: "send", clientId: `o${i}`, body: `queued ${i}` });
    const last = await a.socket.next((f) => f.clientId === `o${TEST_RATE_BURST + 59}`, "the last answer");
    expect(last).toMatchObject({ type: "error", code: "rate_limited" });
    expect(a.socket.frames.filter((f) => f.type === "ack")).toHaveLength(TEST_RATE_BURST);
    // Still open.
    a.socket.send({ type: "typing", typing: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(a.socket.closed).toBeNull();
    a.socket.close();
  });

  it("rate-limits a sender with an error frame that says when to retry, then accepts the retry", async () => {
    const { alice, bob, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    for (let i = 0; i < TEST_RATE_BURST; i++) expect((await a.socket.sendMessage(`m${i}`, `r${i}`)).type).toBe("ack");
    const refused = await a.socket.sendMessage("one too many", "over");
    expect(refused).toMatchObject({ type: "error", code: "rate_limited", clientId: "over" });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
    // Bob is not limited by alice's burst.
    expect((await b.socket.sendMessage("bob", "b0")).type).toBe("ack");
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 50));
    const retried = await a.socket.sendMessage("one too many", "over");
    expect(retried).toMatchObject({ type: "ack", seq: TEST_RATE_BURST + 2, duplicate: false });
  });

  it("refuses connections past the room's cap with 503 room_full, keeping the open ones", async () => {
    const { alice, room } = await twoUsersInRoom();
    const open: TestSocket[] = [];
    for (let i = 0; i < 8; i++) open.push((await connect(alice, room.id)).socket);
    const res = await upgrade(`/api/rooms/${room.id}/ws`, bearerProtocols(alice));
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error.code).toBe("room_full");
    const ack = await open[0]!.sendMessage("still working", "cap-1");
    expect(ack.type).toBe("ack");
    await open[7]!.nextOfType("message");
  });
});

describe("statistics", () => {
  it("admits sockets up to the server-wide cap, and again after one is released", async () => {
    const stats = env.STATS.getByName("admission-test");
    expect(await stats.admit("r_a", 2)).toBe(true);
    expect(await stats.admit("r_b", 2)).toBe(true);
    expect(await stats.admit("r_c", 2)).toBe(false);
    await stats.release("r_a");
    expect(await stats.admit("r_c", 2)).toBe(true);
    // A room's report replaces its count with the truth (heals a lost release).
    await stats.report("r_b", { websocket: 0 }, 0);
    expect(await stats.admit("r_d", 2)).toBe(true);
    expect((await stats.snapshot()).connections).toBe(2);
  });

  it("counts open connections, active rooms and accepted messages", async () => {
    const before = (await api("/stats")).json;
    const { alice, room } = await twoUsersInRoom();
    const a = await connect(alice, room.id);
    await a.socket.sendMessage("count me", "st-1");
    await a.socket.sendMessage("and me", "st-2");
    const stub = env.ROOMS.getByName(room.id) as unknown as DurableObjectStub;
    await runInDurableObject<DurableObject, void>(stub, (instance) => instance.alarm?.());
    const after = (await api("/stats")).json;
    expect(after.messagesAccepted - before.messagesAccepted).toBe(2);
    expect(after.connections).toBeGreaterThanOrEqual(1);
    expect(after.activeRooms).toBeGreaterThanOrEqual(1);
    a.socket.close();
  });
});
