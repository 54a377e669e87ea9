/**
 * How long after a server's close frame the server releases the TCP connection, under
 * `wrangler dev`, for a bare Durable Object (worker.ts beside this file). A raw client answers
 * the close frame at once and keeps its side open, as RFC 6455 §7.1.1 expects (the server closes
 * TCP first). Run from the repo root:
 *   npx node --experimental-strip-types bench/probes/close-delay/probe.ts
 */
import crypto from "node:crypto";
import net from "node:net";
import { spawn } from "node:child_process";
import { freePort, ROOT, WRANGLER, WRANGLER_ENV } from "../../../test/support/wrangler.ts";

const port = await freePort();
const dev = spawn(WRANGLER, ["dev", "-c", "bench/probes/close-delay/wrangler.toml", "--port", String(port), "--ip", "127.0.0.1"], {
  cwd: ROOT,
  env: { ...process.env, ...WRANGLER_ENV },
  stdio: "ignore",
  detached: true,
});
try {
  for (let i = 0; i < 40; i++) {
    if (await fetch(`http://127.0.0.1:${port}/kick`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const how of ["own-event", "rpc", "own-event", "rpc"] as const) {
    const { closeFrameMs, finMs } = await measure(how);
    console.log(`${how.padEnd(9)} close frame after ${closeFrameMs} ms, server FIN after ${finMs} ms`);
  }
} finally {
  process.kill(-dev.pid!, "SIGINT");
}

function masked(opcode: number, payload: Buffer): Buffer {
  const mask = crypto.randomBytes(4);
  const body = Buffer.from(payload.map((b, j) => b ^ mask[j % 4]));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | body.length]), mask, body]);
}

function measure(how: "own-event" | "rpc"): Promise<{ closeFrameMs: number; finMs: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    const key = crypto.randomBytes(16).toString("base64");
    s.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    let t0 = 0;
    let closeFrameMs = -1;
    const timer = setTimeout(() => reject(new Error("no FIN within 30 s")), 30_000);
    s.on("data", (d: Buffer) => {
      if (t0 === 0 && d.toString("latin1").startsWith("HTTP/1.1 101")) {
        t0 = Date.now();
        if (how === "own-event") s.write(masked(0x1, Buffer.from("close me")));
        else void fetch(`http://127.0.0.1:${port}/kick`);
        return;
      }
      if (closeFrameMs < 0 && d.includes(0x88)) {
        closeFrameMs = Date.now() - t0;
        s.write(masked(0x8, Buffer.from([0x03, 0xe8])));
      }
    });
    s.on("end", () => {
      clearTimeout(timer);
      resolve({ closeFrameMs, finMs: Date.now() - t0 });
      s.destroy();
    });
    s.on("error", reject);
  });
}
