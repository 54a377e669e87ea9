/**
 * History: a room holding `count` messages; GET /api/rooms/:id/messages for the newest page
 * and for a page `count / 2` messages deep, through the real REST path (session JWT, D1
 * membership check, the room object's RPC, its SQLite), p50/p99 over many requests.
 *
 * Seeding a million messages through the socket would take most of an hour here, so the
 * room is made through the API (signup, room, one real message), the server is stopped, the
 * rest of the rows are bulk-inserted into that room object's own SQLite file in the exact
 * schema RoomObject created (node:sqlite, one transaction), D1's copy watermark and the
 * room's last_seq are set as the flush alarm would leave them, and the server is started
 * again on the same state. Only D1's cross-room copy of the rows is skipped: no history
 * read uses it (pages are served by the room from its own log).
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Profiler, type ProfileSummary } from "./inspector.ts";
import { groupMemory, snapshotLine, startHearthServer } from "./servers.ts";
import { Samples, sleep } from "./stats.ts";
import { findSqlite } from "./state-files.ts";
import { call } from "./rest.ts";

export interface HistoryResult {
  messages: number;
  seedS: number;
  pageSize: number;
  requests: number;
  firstRequestMs: number;
  newest: { p50: number; p95: number; p99: number; max: number; rows: number };
  deep: { p50: number; p95: number; p99: number; max: number; rows: number; before: number };
  /** GET /health on the same server, interleaved: what any request through wrangler dev costs here. */
  health: { p50: number; p95: number; p99: number; max: number };
  dbBytes: number;
  profile?: ProfileSummary;
}

const PASSWORD = "bench-password-1";



export async function runHistory(count: number, requests: number, log: (s: string) => void, profile = false): Promise<HistoryResult> {
  const pageSize = 100;
  const secret = `bench-history-${Date.now()}-0123456789abcdef`;
  let server = await startHearthServer({ JWT_SECRET: secret });
  const stateDir = server.stateDir;
  const users: { id: string; username: string; token: string }[] = [];
  let roomId: string;
  try {
    for (let i = 0; i < 5; i++) {
      const username = `hist_${Date.now().toString(36)}_${i}`;
      const r = await call(server.url, "POST", "/api/auth/signup", undefined, { username, password: PASSWORD });
      if (r.status !== 201) throw new Error(`signup: ${r.status}`);
      users.push({ id: r.json.user.id, username, token: r.json.token });
    }
    const room = await call(server.url, "POST", "/api/rooms", users[0]!.token, { name: "history", visibility: "public" });
    roomId = room.json.id;
    for (const u of users.slice(1)) await call(server.url, "POST", `/api/rooms/${roomId}/join`, u.token, {});
    const first = await call(server.url, "POST", `/api/rooms/${roomId}/messages`, users[0]!.token, { body: "the first message, sent through the API", clientId: "seed-1" });
    if (first.status !== 201) throw new Error(`first message: ${first.status} ${JSON.stringify(first.json)}`);
    await sleep(1500); // let the flush alarm copy it to D1
  } finally {
    await server.stop();
  }

  // Bulk insert into the room's own log, in RoomObject's schema.
  const t0 = performance.now();
  const roomFile = findSqlite(join(stateDir, "v3/do/hearth-RoomObject"), (db) => {
    const row = db.prepare("SELECT name FROM __miniflare_do_name").get() as { name?: string } | undefined;
    return row?.name === roomId;
  });
  const db = new DatabaseSync(roomFile);
  const firstTs = Date.now() - count * 250;
  db.exec("BEGIN");
  const insert = db.prepare("INSERT INTO messages (seq, ts, user_id, username, body, client_id) VALUES (?, ?, ?, ?, ?, ?)");
  const words = "hello there just checking in about the release notes tomorrow lunch meeting sounds good see you at noon thanks".split(" ");
  for (let seq = 2; seq <= count; seq++) {
    const u = users[seq % users.length]!;
    const len = 3 + ((seq * 7919) % 25);
    let body = `#${seq}`;
    for (let w = 0; w < len; w++) body += ` ${words[(seq + w * 31) % words.length]}`;
    insert.run(seq, firstTs + seq * 250, u.id, u.username, body, `seed-${seq}`);
  }
  db.prepare("INSERT INTO meta (key, value) VALUES ('flushed_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(count));
  // As the room's own batches would: every message's (user, clientId) in client_ids, and its watermark.
  db.exec("INSERT OR IGNORE INTO client_ids (user_id, client_id, seq) SELECT user_id, client_id, seq FROM messages");
  db.prepare("INSERT INTO meta (key, value) VALUES ('client_ids_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(count));
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const dbBytes = (db.prepare("SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()").get() as { b: number }).b;
  db.close();
  const d1File = findSqlite(join(stateDir, "v3/d1/miniflare-D1DatabaseObject"), (d) => d.prepare("SELECT id FROM rooms WHERE id = ?").get(roomId) !== undefined);
  const d1 = new DatabaseSync(d1File);
  d1.prepare("UPDATE rooms SET last_seq = ?, last_message_at = ? WHERE id = ?").run(count, firstTs + count * 250, roomId);
  d1.close();
  const seedS = (performance.now() - t0) / 1000;
  log(`    seeded ${count} messages in ${seedS.toFixed(1)} s (${(dbBytes / 2 ** 20).toFixed(0)} MiB)`);

  server = await startHearthServer({ JWT_SECRET: secret }, stateDir);
  try {
    const token = users[1]!.token;
    const newestPath = `/api/rooms/${roomId}/messages?limit=${pageSize}`;
    const before = Math.floor(count / 2) + 1;
    const deepPath = `/api/rooms/${roomId}/messages?limit=${pageSize}&before=${before}`;
    const tf = performance.now();
    const firstRes = await call(server.url, "GET", newestPath, token);
    const firstRequestMs = performance.now() - tf;
    if (firstRes.status !== 200 || firstRes.json.messages[0].seq !== count) throw new Error(`newest page: ${firstRes.status} ${JSON.stringify(firstRes.json).slice(0, 200)}`);
    const newest = new Samples();
    const deep = new Samples();
    const health = new Samples();
    let newestRows = 0;
    let deepRows = 0;
    for (let i = 0; i < 20; i++) {
      await call(server.url, "GET", newestPath, token);
      await call(server.url, "GET", deepPath, token);
    }
    for (let i = 0; i < requests; i++) {
      const th = performance.now();
      await (await fetch(`${server.url}/health`)).text();
      health.push(performance.now() - th);
      for (const [path, samples] of [
        [newestPath, newest],
        [deepPath, deep],
      ] as const) {
        const t = performance.now();
        const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        const json = (await res.json()) as { messages: { seq: number }[] };
        samples.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`history: ${res.status}`);
        if (samples === newest) {
          newestRows = json.messages.length;
          if (json.messages[0]!.seq !== count) throw new Error("newest page does not start at the newest message");
        } else {
          deepRows = json.messages.length;
          if (json.messages[0]!.seq !== before - 1) throw new Error("deep page does not start where asked");
        }
      }
    }
    const [n50, n95, n99, nmax] = newest.percentiles(0.5, 0.95, 0.99, 1);
    const [d50, d95, d99, dmax] = deep.percentiles(0.5, 0.95, 0.99, 1);
    const [h50, h95, h99, hmax] = health.percentiles(0.5, 0.95, 0.99, 1);
    let summary: ProfileSummary | undefined;
    if (profile) {
      // Not scored: the same requests again under the CPU profiler.
      const profiler = await Profiler.attach(groupMemory(server.pgid).processes.map((p) => p.pid));
      await profiler.start();
      for (let i = 0; i < requests; i++) {
        await (await fetch(`${server.url}${newestPath}`, { headers: { authorization: `Bearer ${token}` } })).text();
        await (await fetch(`${server.url}${deepPath}`, { headers: { authorization: `Bearer ${token}` } })).text();
      }
      summary = await profiler.stop(snapshotLine);
    }
    return {
      messages: count,
      seedS,
      pageSize,
      requests,
      firstRequestMs,
      newest: { p50: n50!, p95: n95!, p99: n99!, max: nmax!, rows: newestRows },
      deep: { p50: d50!, p95: d95!, p99: d99!, max: dmax!, rows: deepRows, before },
      health: { p50: h50!, p95: h95!, p99: h99!, max: hmax! },
      dbBytes,
      profile: summary,
    };
  } finally {
    await server.stop();
  }
}
