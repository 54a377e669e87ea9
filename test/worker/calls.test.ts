import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { CallObject } from "../../worker/calls/CallObject";
import { CLOUDFLARE_TURN_API, configuredIceServers, iceServersFor } from "../../worker/calls/ice";
import { REFUSALS } from "../../worker/calls/peerjs";
import { api, connect, createRoom, join, signup, type TestUser } from "./helpers";
import {
  STOCK_ID_PATTERN,
  expectRefusal,
  grantPeer,
  joinCall,
  openPath,
  openPeer,
  sleep,
  stockSocketPath,
  stockToken,
} from "./calls-helpers";

async function roomWith(...prefixes: string[]) {
  const users: TestUser[] = [];
  for (const p of prefixes) users.push(await signup(p));
  const room = await createRoom(users[0]!);
  for (const u of users.slice(1)) await join(u, room.id);
  return { users, room };
}

const callOf = (roomId: string) => env.CALLS.getByName(roomId);

/** A media OFFER as the stock client's Negotiator sends it (`_makeOffer`): sdp, type, connectionId. */
function offerFrom(dst: string) {
  return {
    type: "OFFER",
    payload: {
      sdp: { type: "offer", sdp: "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" },
      type: "media",
      connectionId: "mc_k2l3m4n5o6",
    },
    dst,
  };
}

describe("peer ids over REST", () => {
  it("gives a member an unguessable peer id the stock client accepts, with the PeerJS options and no ICE servers by default", async () => {
    const { users, room } = await roomWith("alice");
    const before = Date.now();
    const a = await grantPeer(users[0]!, room.id);
    const b = await grantPeer(users[0]!, room.id);
    expect(a).toMatchObject({ key: "peerjs", path: "/peerjs", iceServers: [], maxPeers: 4 });
    expect(a.peerId).toMatch(STOCK_ID_PATTERN);
    expect(a.peerId.startsWith(`${room.id}-p_`)).toBe(true);
    expect(a.peerId.length - room.id.length).toBeGreaterThanOrEqual(25);
    expect(b.peerId).not.toBe(a.peerId);
    const expires = Date.parse(a.expiresAt) - before;
    expect(expires).toBeGreaterThan(9 * 60_000);
    expect(expires).toBeLessThanOrEqual(10 * 60_000 + 1000);
  });

  it("refuses a peer id and the participant list without a session (401), with a bad token (401), to a non-member (403), for no room (404)", async () => {
    const { room } = await roomWith("alice");
    const mallory = await signup("mallory");
    for (const [method, path] of [
      ["POST", `/api/rooms/${room.id}/calls/peer`],
      ["GET", `/api/rooms/${room.id}/calls`],
    ] as const) {
      const none = await api(path, { method });
      expect(none.status, path).toBe(401);
      expect(none.json.error.code).toBe("unauthorized");
      const bad = await api(path, { method, token: "not.a.jwt" });
      expect(bad.status).toBe(401);
      expect(bad.json.error.code).toBe("invalid_token");
      const outsider = await api(path, { method, token: mallory.token });
      expect(outsider.status).toBe(403);
      expect(outsider.json.error).toEqual({ code: "not_a_member", message: "you are not a member of this room" });
      const missing = await api(path.replace(room.id, "r_doesnotexist"), { method, token: mallory.token });
      expect(missing.status).toBe(404);
      expect(missing.json.error.code).toBe("room_not_found");
    }
  });

  it("never hands out anonymous ids: the stock GET {path}{key}/id is 403 and /peers is 401, as JSON errors", async () => {
    // lib/api.ts: `${path}${key}/${method}?ts=…&version=…`
    const id = await api(`/peerjs/peerjs/id?ts=${Date.now()}${Math.random()}&version=1.5.5`);
    expect(id.status).toBe(403);
    expect(id.json.error.code).toBe("peer_id_required");
    const peers = await api(`/peerjs/peerjs/peers?ts=1&version=1.5.5`);
    expect(peers.status).toBe(401);
    expect(peers.json.error.code).toBe("discovery_disabled");
    expect((await api("/peerjs")).json.name).toMatch(/PeerJS/);
  });
});

describe("the signaling socket", () => {
  it("opens with exactly {\"type\":\"OPEN\"} for an issued id", async () => {
    const { users, room } = await roomWith("alice");
    const grant = await grantPeer(users[0]!, room.id);
    const socket = await openPeer(grant.peerId, stockToken());
    await socket.nextOfType("OPEN");
    expect(socket.raw).toEqual(['{"type":"OPEN"}']);
  });

  it("relays OFFER, ANSWER and CANDIDATE between the room's peers with src set by the server", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const bob = await joinCall(users[1]!, room.id);

    alice.socket.send(offerFrom(bob.id));
    await bob.socket.nextOfType("OFFER");
    const offer = offerFrom(bob.id);
    expect(bob.socket.raw[1]).toBe(JSON.stringify({ type: "OFFER", src: alice.id, dst: bob.id, payload: offer.payload }));

    const answer = { type: "ANSWER", payload: { sdp: { type: "answer", sdp: "v=0\r\n" }, type: "media", connectionId: "mc_k2l3m4n5o6" }, dst: alice.id };
    bob.socket.send(answer);
    expect(await alice.socket.nextOfType("ANSWER")).toEqual({ type: "ANSWER", src: bob.id, dst: alice.id, payload: answer.payload });

    // Negotiator's onicecandidate: the RTCIceCandidate serialises to its JSON form.
    const candidate = {
      candidate: { candidate: "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host", sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "a1b2" },
      type: "media",
      connectionId: "mc_k2l3m4n5o6",
    };
    alice.socket.send({ type: "CANDIDATE", payload: candidate, dst: bob.id });
    bob.socket.send({ type: "CANDIDATE", payload: candidate, dst: alice.id });
    expect(await bob.socket.nextOfType("CANDIDATE")).toEqual({ type: "CANDIDATE", src: alice.id, dst: bob.id, payload: candidate });
    expect(await alice.socket.nextOfType("CANDIDATE")).toEqual({ type: "CANDIDATE", src: bob.id, dst: alice.id, payload: candidate });

    // A client cannot pretend to be someone else: src is always the sender's own id.
    alice.socket.send({ ...offerFrom(bob.id), src: "someone-else" });
    expect((await bob.socket.nextOfType("OFFER")).src).toBe(alice.id);
    // LEAVE to a connected peer is relayed too.
    alice.socket.send({ type: "LEAVE", dst: bob.id });
    expect(await bob.socket.nextOfType("LEAVE")).toEqual({ type: "LEAVE", src: alice.id, dst: bob.id });
    // A dst is a peer id: naming bob's user id (sockets are also tagged with it) reaches nobody.
    alice.socket.send(offerFrom(users[1]!.id));
    alice.socket.send({ ...offerFrom(bob.id), payload: { ...offerFrom(bob.id).payload, connectionId: "mc_marker" } });
    // Relayed in order: had the first reached bob, it would be here before the marker.
    await bob.socket.next((f) => f.type === "OFFER" && f.payload?.connectionId === "mc_marker", "the marker offer");
    expect(bob.socket.raw.filter((text) => text.includes(`"dst":"${users[1]!.id}"`))).toEqual([]);
  });

  it("queues messages for an issued peer that has not connected yet and delivers them in order after its OPEN", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const bobGrant = await grantPeer(users[1]!, room.id);
    alice.socket.send(offerFrom(bobGrant.peerId));
    alice.socket.send({ type: "CANDIDATE", payload: { candidate: { candidate: "c1" }, type: "media", connectionId: "mc_k2l3m4n5o6" }, dst: bobGrant.peerId });
    await sleep(100);

    const bob = await openPeer(bobGrant.peerId, stockToken());
    expect(await bob.nextOfType("OPEN")).toEqual({ type: "OPEN" });
    expect(await bob.nextOfType("OFFER")).toMatchObject({ src: alice.id, dst: bobGrant.peerId });
    expect(await bob.nextOfType("CANDIDATE")).toMatchObject({ src: alice.id, payload: { candidate: { candidate: "c1" } } });
    expect(bob.frames.map((f) => f.type)).toEqual(["OPEN", "OFFER", "CANDIDATE"]);
    // Delivered means not expired: the sweep sends alice nothing.
    await runDurableObjectAlarm(callOf(room.id));
    await sleep(50);
    expect(alice.socket.frames.map((f) => f.type)).toEqual(["OPEN"]);
  });

  it("EXPIREs back to the sender after 5 s, once per unreachable peer, and never delivers to a peer of another room", async () => {
    const { users, room } = await roomWith("alice", "carol");
    const other = await roomWith("bob");
    const alice = await joinCall(users[0]!, room.id);
    const carolGrant = await grantPeer(users[1]!, room.id); // never connects
    const bob = await joinCall(other.users[0]!, other.room.id); // connected, but in another room

    const sent = Date.now();
    alice.socket.send(offerFrom(carolGrant.peerId));
    alice.socket.send({ type: "CANDIDATE", payload: { candidate: { candidate: "c1" } }, dst: carolGrant.peerId });
    alice.socket.send(offerFrom(bob.id));

    const first = await alice.socket.nextOfType("EXPIRE", 8000);
    const elapsed = Date.now() - sent;
    const second = await alice.socket.nextOfType("EXPIRE", 2000);
    expect(elapsed).toBeGreaterThanOrEqual(5000);
    expect(elapsed).toBeLessThan(7500);
    // The reference server's frame: the unreachable peer as src, no payload.
    expect([first, second].sort((x, y) => x.src.localeCompare(y.src))).toEqual(
      [
        { type: "EXPIRE", src: carolGrant.peerId, dst: alice.id },
        { type: "EXPIRE", src: bob.id, dst: alice.id },
      ].sort((x, y) => x.src.localeCompare(y.src)),
    );
    await sleep(200);
    expect(alice.socket.frames.filter((f) => f.type === "EXPIRE")).toHaveLength(2);
    expect(bob.socket.frames).toEqual([{ type: "OPEN" }]);
    // Expired messages are gone: carol connecting later gets only her OPEN.
    const carol = await openPeer(carolGrant.peerId, stockToken());
    await carol.nextOfType("OPEN");
    await sleep(100);
    expect(carol.frames).toEqual([{ type: "OPEN" }]);
  }, 15_000);

  it("answers ID-TAKEN to another client (other token) while the id is open and after it closes; the same client may reconnect", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const thief = await openPeer(alice.id, stockToken());
    await expectRefusal(thief, "ID-TAKEN", "ID is taken");
    expect(thief.raw[0]).toBe('{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}');
    expect(alice.socket.closed).toBeNull();

    alice.socket.close();
    await alice.socket.waitClose();
    await sleep(50);
    await expectRefusal(await openPeer(alice.id, stockToken()), "ID-TAKEN", "ID is taken");

    // peer.reconnect(): same id, same token.
    const again = await openPeer(alice.id, alice.token);
    expect(await again.nextOfType("OPEN")).toEqual({ type: "OPEN" });
    const bob = await joinCall(users[1]!, room.id);
    bob.socket.send(offerFrom(alice.id));
    expect((await again.nextOfType("OFFER")).src).toBe(bob.id);
  });

  it("lets the same client (same token) replace a stale socket: the new one gets OPEN, the old one is closed", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const fresh = await openPeer(alice.id, alice.token);
    expect(await fresh.nextOfType("OPEN")).toEqual({ type: "OPEN" });
    expect((await alice.socket.waitClose()).code).toBe(1000);
    const bob = await joinCall(users[1]!, room.id);
    bob.socket.send(offerFrom(alice.id));
    expect((await fresh.nextOfType("OFFER")).src).toBe(bob.id);
    const { json } = await api(`/api/rooms/${room.id}/calls`, { token: users[0]!.token });
    expect(json.participants.map((p: { peerId: string }) => p.peerId)).toEqual([alice.id, bob.id]);
  });

  it("refuses a bad key, and a missing key, id or token, with the reference server's ERROR frame and a close", async () => {
    const { users, room } = await roomWith("alice");
    const grant = await grantPeer(users[0]!, room.id);
    const token = stockToken();

    const badKey = await openPeer(grant.peerId, token, "not-the-key");
    await expectRefusal(badKey, "ERROR", "Invalid key provided");
    expect(badKey.raw[0]).toBe('{"type":"ERROR","payload":{"msg":"Invalid key provided"}}');

    for (const path of [
      `/peerjs/peerjs?id=${grant.peerId}&token=${token}&version=1.5.5`,
      `/peerjs/peerjs?key=peerjs&token=${token}&version=1.5.5`,
      `/peerjs/peerjs?key=peerjs&id=${grant.peerId}&version=1.5.5`,
      `/peerjs/peerjs?key=peerjs&id=&token=${token}&version=1.5.5`,
    ]) {
      await expectRefusal(await openPath(path), "ERROR", "No id, token, or key supplied to websocket server");
    }
    // None of that used up the id.
    const ok = await openPeer(grant.peerId, token);
    expect(await ok.nextOfType("OPEN")).toEqual({ type: "OPEN" });
  });

  it("refuses a made-up peer id, an expired one, and a forged id for a room the caller is not in", async () => {
    const { users, room } = await roomWith("alice");
    const other = await roomWith("bob");
    const made = [
      "hello",
      `${room.id}-p_${"0".repeat(25)}`,
      `${other.room.id}-p_abcdefghijklmnopqrstuvwxy`,
      `r_${"z".repeat(25)}-p_${"1".repeat(25)}`,
    ];
    for (const id of made) await expectRefusal(await openPeer(id, stockToken()), "ERROR", REFUSALS.unknownId);

    const grant = await grantPeer(users[0]!, room.id);
    await runInDurableObject(callOf(room.id), (_instance, state) => {
      state.storage.sql.exec("UPDATE peers SET expires_at = ? WHERE peer_id = ?", Date.now() - 1, grant.peerId);
    });
    await expectRefusal(await openPeer(grant.peerId, stockToken()), "ERROR", REFUSALS.unknownId);
  });

  it("closes a member's call sockets when they leave the room, and refuses their ids afterwards", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const bob = users[1]!;
    const kept = await grantPeer(bob, room.id);
    const inCall = await joinCall(bob, room.id);
    await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: bob.token });
    // The leave route tells the call object: the socket closes and the member's ids are forgotten.
    expect((await inCall.socket.waitClose()).code).toBe(1008);
    await expectRefusal(await openPeer(kept.peerId, stockToken()), "ERROR", REFUSALS.unknownId);
    expect((await api(`/api/rooms/${room.id}/calls/peer`, { method: "POST", token: bob.token })).status).toBe(403);
    await join(bob, room.id);
    await expectRefusal(await openPeer(inCall.id, inCall.token), "ERROR", REFUSALS.unknownId);
  });

  it("refuses an id whose owner left without the call object being told", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const bob = users[1]!;
    const kept = await grantPeer(bob, room.id);
    // Membership is re-checked in D1 when the socket opens.
    await env.DB.prepare("DELETE FROM memberships WHERE room_id = ? AND user_id = ?").bind(room.id, bob.id).run();
    await expectRefusal(await openPeer(kept.peerId, stockToken()), "ERROR", REFUSALS.notAMember);
  });

  it("is described in the OpenAPI document: the REST routes and the PeerJS endpoints", async () => {
    const doc = (await api("/api/openapi.json")).json;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/rooms/{id}/calls/peer", "/api/rooms/{id}/calls", "/peerjs", "/peerjs/{key}/id", "/peerjs/peerjs"]),
    );
  });

  it("refuses a plain GET on the socket path with a JSON 400", async () => {
    const res = await api(stockSocketPath("x", "y"));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("bad_request");
  });

  it("ignores frames it cannot parse or route, like the reference server, and closes on binary (1003) or oversize (1009) frames", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const bob = await joinCall(users[1]!, room.id);
    for (const junk of ["{not json", "[1,2]", '{"type":"SHOUT","dst":"x"}', '{"type":"OFFER"}', "null"]) alice.socket.send(junk);
    alice.socket.send(offerFrom(bob.id));
    expect((await bob.socket.nextOfType("OFFER")).src).toBe(alice.id);
    expect(alice.socket.frames).toEqual([{ type: "OPEN" }]);

    alice.socket.ws.send(new Uint8Array([1, 2, 3]));
    expect((await alice.socket.waitClose()).code).toBe(1003);
    bob.socket.send({ ...offerFrom(bob.id), payload: { sdp: "x".repeat(70 * 1024) } });
    expect((await bob.socket.waitClose()).code).toBe(1009);
  });
});

describe("heartbeat and liveness", () => {
  it("answers the stock client's heartbeat by auto-response, without running the object's message handler", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const bob = await joinCall(users[1]!, room.id);
    const stub = callOf(room.id);
    await runInDurableObject(stub, (instance: CallObject) => {
      const handled: string[] = [];
      const original = instance.webSocketMessage.bind(instance);
      instance.webSocketMessage = (ws, data) => {
        handled.push(String(data));
        return original(ws, data);
      };
      (globalThis as unknown as { __handled: string[] }).__handled = handled;
    });

    // lib/socket.ts `_sendHeartbeat`: JSON.stringify({ type: ServerMessageType.Heartbeat }).
    alice.socket.send(JSON.stringify({ type: "HEARTBEAT" }));
    expect(await alice.socket.nextOfType("HEARTBEAT")).toEqual({ type: "HEARTBEAT" });
    alice.socket.send(offerFrom(bob.id));
    await bob.socket.nextOfType("OFFER");

    const handled = (globalThis as unknown as { __handled: string[] }).__handled;
    expect(handled.map((d) => JSON.parse(d).type)).toEqual(["OFFER"]);
    const stamps = await runInDurableObject(stub, (_i, state) =>
      state.getWebSockets(alice.id).map((ws) => state.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null),
    );
    expect(stamps).toHaveLength(1);
    expect(Date.now() - stamps[0]!).toBeLessThan(5000);
    // The heartbeat is not relayed to anyone.
    expect(bob.socket.frames.map((f) => f.type)).toEqual(["OPEN", "OFFER"]);
  });

  it("drops a peer silent for 90 s at the alarm sweep, and keeps one whose heartbeats the runtime answered", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const bob = await joinCall(users[1]!, room.id);
    const stub = callOf(room.id);
    // Both were last heard of 100 s ago...
    await runInDurableObject(stub, (_i, state) => {
      for (const ws of state.getWebSockets()) {
        const att = ws.deserializeAttachment() as { lastSeen: number };
        att.lastSeen -= 100_000;
        ws.serializeAttachment(att);
      }
    });
    // ...but alice's heartbeat has just been answered by the runtime.
    alice.socket.send('{"type":"HEARTBEAT"}');
    await alice.socket.nextOfType("HEARTBEAT");

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await bob.socket.waitClose()).toMatchObject({ code: 1001 });
    expect(alice.socket.closed).toBeNull();
    const { json } = await api(`/api/rooms/${room.id}/calls`, { token: users[0]!.token });
    expect(json.participants.map((p: { peerId: string }) => p.peerId)).toEqual([alice.id]);
    // The sweep set the next alarm for alice's deadline; bob may come back with his own token.
    const back = await openPeer(bob.id, bob.token);
    expect(await back.nextOfType("OPEN")).toEqual({ type: "OPEN" });
  });

  it("keeps peers connected, identified and relaying after the call object hibernates", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const alice = await joinCall(users[0]!, room.id);
    const bob = await joinCall(users[1]!, room.id);
    const stub = callOf(room.id);
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { marker: string }).marker = "old instance";
    });
    await evictDurableObject(stub, { webSockets: "hibernate" });
    expect(await runInDurableObject(stub, (instance) => (instance as unknown as { marker?: string }).marker)).toBeUndefined();

    alice.socket.send('{"type":"HEARTBEAT"}');
    await alice.socket.nextOfType("HEARTBEAT");
    bob.socket.send(offerFrom(alice.id));
    expect(await alice.socket.nextOfType("OFFER")).toMatchObject({ src: bob.id, dst: alice.id });
    const { json } = await api(`/api/rooms/${room.id}/calls`, { token: users[1]!.token });
    expect(json.participants).toEqual([
      { peerId: alice.id, userId: users[0]!.id, username: users[0]!.username, joinedAt: expect.any(String) },
      { peerId: bob.id, userId: users[1]!.id, username: users[1]!.username, joinedAt: expect.any(String) },
    ]);
  });
});

describe("who is in the call", () => {
  it("rings when a call starts, not again when its lone caller's socket reconnects", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const [alice, bob] = users as [TestUser, TestUser];
    const watcher = await connect(bob, room.id);
    const a = await joinCall(alice, room.id);
    const started = await watcher.socket.next((f) => f.type === "call" && f.participants.length === 1, "the call starting");
    expect(started.ringing).toBe(true);
    // Alice's signaling socket blips: the call is empty for a moment, then she is back.
    a.socket.close();
    await watcher.socket.next((f) => f.type === "call" && f.participants.length === 0, "the call emptying");
    const again = await openPeer(a.id, a.token);
    expect(await again.nextOfType("OPEN")).toEqual({ type: "OPEN" });
    const back = await watcher.socket.next((f) => f.type === "call" && f.participants.length === 1, "alice back");
    expect(back.ringing).toBe(false);
    again.close();
    watcher.socket.close();
  });


  it("shows members the connected peers with their usernames, in join order; a peer that hangs up disappears", async () => {
    const { users, room } = await roomWith("alice", "bob", "carol");
    const [alice, bob, carol] = users as [TestUser, TestUser, TestUser];
    const empty = await api(`/api/rooms/${room.id}/calls`, { token: carol.token });
    expect(empty.json).toEqual({ roomId: room.id, maxPeers: 4, participants: [] });

    const a = await joinCall(alice, room.id);
    await grantPeer(carol, room.id); // issued but not connected: not in the call
    const b = await joinCall(bob, room.id);
    const listed = (await api(`/api/rooms/${room.id}/calls`, { token: carol.token })).json;
    expect(listed.participants.map((p: { username: string }) => p.username)).toEqual([alice.username, bob.username]);
    expect(listed.participants[0]).toMatchObject({ peerId: a.id, userId: alice.id });
    expect(Date.parse(listed.participants[0].joinedAt)).toBeLessThanOrEqual(Date.parse(listed.participants[1].joinedAt));
    // The call object's RPC, for the room (ringing, presence) later.
    expect((await callOf(room.id).participants(room.id)).map((p) => p.peerId)).toEqual([a.id, b.id]);

    a.socket.close();
    await a.socket.waitClose();
    await sleep(50);
    const after = (await api(`/api/rooms/${room.id}/calls`, { token: bob.token })).json;
    expect(after.participants.map((p: { peerId: string }) => p.peerId)).toEqual([b.id]);
  });

  it("holds at most 4 peers: a 5th socket gets an ERROR, a grant while full is 409 call_full, and a freed seat can be taken", async () => {
    const { users, room } = await roomWith("alice", "bob");
    const grants = [];
    for (let i = 0; i < 5; i++) grants.push(await grantPeer(users[i % 2]!, room.id));
    const open = [];
    for (const g of grants.slice(0, 4)) {
      const s = await openPeer(g.peerId, stockToken());
      await s.nextOfType("OPEN");
      open.push(s);
    }
    const fifthToken = stockToken();
    await expectRefusal(await openPeer(grants[4]!.peerId, fifthToken), "ERROR", "This call is full (at most 4 people)");
    const full = await api(`/api/rooms/${room.id}/calls/peer`, { method: "POST", token: users[0]!.token });
    expect(full.status).toBe(409);
    expect(full.json.error).toEqual({ code: "call_full", message: "This call is full (at most 4 people)" });

    open[0]!.close();
    await open[0]!.waitClose();
    await sleep(50);
    const fifth = await openPeer(grants[4]!.peerId, fifthToken);
    expect(await fifth.nextOfType("OPEN")).toEqual({ type: "OPEN" });
  });
});

describe("ICE servers", () => {
  it("are none by default, and come from ICE_SERVERS or from STUN_URLS / TURN_URLS with their credentials", () => {
    expect(configuredIceServers({})).toEqual([]);
    expect(
      configuredIceServers({
        STUN_URLS: "stun:stun.example.org:3478, stun:stun2.example.org",
        TURN_URLS: "turn:turn.example.org:3478?transport=udp turns:turn.example.org:5349",
        TURN_USERNAME: "hearth",
        TURN_CREDENTIAL: "s3cret",
      }),
    ).toEqual([
      { urls: ["stun:stun.example.org:3478", "stun:stun2.example.org"] },
      { urls: ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"], username: "hearth", credential: "s3cret" },
    ]);
    const json = [{ urls: "stun:a.example" }, { urls: ["turn:b.example"], username: "u", credential: "c" }];
    expect(configuredIceServers({ ICE_SERVERS: JSON.stringify(json), STUN_URLS: "stun:ignored" })).toEqual(json);
    expect(() => configuredIceServers({ ICE_SERVERS: "[{" })).toThrow(/ICE_SERVERS/);
    expect(() => configuredIceServers({ ICE_SERVERS: '[{"url":"stun:x"}]' })).toThrow(/ICE_SERVERS/);
  });

  it("mint Cloudflare TURN credentials per peer when a TURN key is set, leaving out port 53, and fall back when Cloudflare fails", async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return Response.json(
        {
          iceServers: [
            { urls: ["stun:stun.cloudflare.com:3478", "stun:stun.cloudflare.com:53"] },
            {
              urls: ["turn:turn.cloudflare.com:3478?transport=udp", "turn:turn.cloudflare.com:53?transport=udp", "turns:turn.cloudflare.com:443?transport=tcp"],
              username: "minted-user",
              credential: "minted-pass",
            },
          ],
        },
        { status: 201 },
      );
    }) as unknown as typeof fetch;
    const turnEnv = { TURN_KEY_ID: "key123", TURN_KEY_API_TOKEN: "api-token", STUN_URLS: "stun:own.example" };
    const servers = await iceServersFor(turnEnv, fakeFetch);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${CLOUDFLARE_TURN_API}/key123/credentials/generate-ice-servers`);
    expect(seen[0]!.init.method).toBe("POST");
    expect(new Headers(seen[0]!.init.headers).get("Authorization")).toBe("Bearer api-token");
    expect(JSON.parse(String(seen[0]!.init.body))).toEqual({ ttl: 86400 });
    expect(servers).toEqual([
      { urls: ["stun:stun.cloudflare.com:3478"] },
      { urls: ["turn:turn.cloudflare.com:3478?transport=udp", "turns:turn.cloudflare.com:443?transport=tcp"], username: "minted-user", credential: "minted-pass" },
      { urls: ["stun:own.example"] },
    ]);

    await iceServersFor({ ...turnEnv, TURN_CREDENTIAL_TTL: "999999" }, fakeFetch);
    expect(JSON.parse(String(seen[1]!.init.body))).toEqual({ ttl: 172800 });

    const failing = (async () => new Response("nope", { status: 401 })) as unknown as typeof fetch;
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await iceServersFor(turnEnv, failing)).toEqual([{ urls: ["stun:own.example"] }]);
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/Cloudflare TURN/);
    logged.mockRestore();
  });
});
