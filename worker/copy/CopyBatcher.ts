import { DurableObject } from "cloudflare:workers";
import { numberVar, numberVarOrZero } from "../config";
import { copyChangesStatements, copyRowsStatements } from "../db/messages";

/**
 * One D1 transaction for many rooms' copies (docs/architecture.md, "The write path"). Each
 * room's alarm hands the rows it copies here instead of writing them to D1 itself; the batcher
 * writes everything that arrived within COPY_BATCH_MS (or sooner, past COPY_BATCH_BYTES) as one
 * `db.batch`: a few statements over one JSON array of every room's rows, then answers each room.
 * SQLite and FTS5 pay per transaction (FTS5 writes a new segment at every commit and merges
 * them later): with the index's settings, 150 rows per transaction cost about twice as much per
 * row as 1,500 (BENCHMARKS.md, "Speed"), and a busy deployment's rooms each copied ~150 rows
 * every 10 s in a transaction of their own. The batcher holds nothing durable: a failed batch
 * fails every call in it, and each room copies again from its own watermark later (a repeated
 * copy is harmless). Batches are written one at a time, in arrival order, so a room's rows
 * always reach D1 before the changes it sends after them.
 */

/** Rows of one room's copy, as JSON text of `CopiedRow[]` (new rows) or `ChangedRow[]` (changes; db/messages.ts). */
export interface CopyPart {
  kind: "rows" | "changes";
  json: string;
  /** How many rows `json` holds. */
  rows: number;
}

/** A D1 statement takes one bound value of at most 2 MB: one JSON array stays under this. */
const MAX_JSON_BYTES = 1_500_000;

/**
 * The batcher stops pausing between transactions (COPY_PACE) while the batch it writes was
 * closed longer ago than this: the copy then catches up at full speed.
 */
const PACED_LAG_MS = 5000;

interface Batch {
  parts: CopyPart[];
  bytes: number;
  /** When the batch stopped taking parts (0 while open). */
  closedAt: number;
  timer: ReturnType<typeof setTimeout> | null;
  done: Settled;
}

export interface CopyEnv {
  DB: D1Database;
  /** How long a batch collects rooms' rows before it is written (ms, default 500). */
  COPY_BATCH_MS?: string;
  /** A batch is written at once when it holds this many bytes of JSON (default 1,000,000). */
  COPY_BATCH_BYTES?: string;
  /** Rows per D1 transaction at most: a bigger batch is written as several, one after the other (default 300). */
  COPY_TRANSACTION_ROWS?: string;
  /** After each transaction the batcher waits this many times as long as it took before the next (default 2; "0": no wait). */
  COPY_PACE?: string;
  SEARCH_INDEX?: string;
}

export class CopyBatcher extends DurableObject<CopyEnv> {
  private open: Batch | null = null;
  /** The batch being written (batches are written one after the other). */
  private writing: Promise<void> = Promise.resolve();

  /** Copies these rows (and changes) of one room to D1; resolves once D1 has them (rejects if the batch failed). */
  async copy(parts: CopyPart[]): Promise<void> {
    if (parts.length === 0) return;
    const batch = (this.open ??= this.newBatch());
    for (const p of parts) {
      batch.parts.push(p);
      batch.bytes += p.json.length;
    }
    const done = batch.done.promise;
    if (batch.bytes >= numberVar(this.env.COPY_BATCH_BYTES, 1_000_000)) this.close(batch);
    return done;
  }

  private newBatch(): Batch {
    const batch: Batch = { parts: [], bytes: 0, closedAt: 0, timer: null, done: settled() };
    batch.timer = setTimeout(() => this.close(batch), numberVar(this.env.COPY_BATCH_MS, 500));
    return batch;
  }

  private close(batch: Batch): void {
    if (this.open === batch) this.open = null;
    batch.closedAt = Date.now();
    if (batch.timer) clearTimeout(batch.timer);
    batch.timer = null;
    this.writing = this.writing.then(() => this.write(batch));
  }

  /**
   * Writes the batch as transactions of at most COPY_TRANSACTION_ROWS rows, one after the
   * other: a transaction's SQLite work runs in one piece, and under `wrangler dev` on the same
   * thread as every room, so its size is the longest the rooms wait for it (BENCHMARKS.md,
   * "Speed"). After each, the batcher waits COPY_PACE times as long as it took (unless the
   * copy is more than PACED_LAG_MS behind): a burst of rows (every busy room's copy at once)
   * is written at a third of the thread at most, not all of it for as long as it takes, which
   * put the whole burst into the rooms' latency tail. A room's parts are never split across
   * transactions out of order.
   */
  private async write(batch: Batch): Promise<void> {
    const index = this.env.SEARCH_INDEX !== "off";
    const db = this.env.DB;
    const most = numberVar(this.env.COPY_TRANSACTION_ROWS, 300);
    const pace = numberVarOrZero(this.env.COPY_PACE, 2);
    try {
      for (const parts of transactions(batch.parts, most)) {
        const start = Date.now();
        await db.batch([
          ...joined(parts, "rows").flatMap((json) => copyRowsStatements(db, json, index)),
          ...joined(parts, "changes").flatMap((json) => copyChangesStatements(db, json, index)),
        ]);
        const took = Date.now() - start;
        if (pace > 0 && took > 0 && Date.now() - batch.closedAt < PACED_LAG_MS) await new Promise((ok) => setTimeout(ok, took * pace));
      }
      batch.done.resolve();
    } catch (err) {
      batch.done.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

interface Settled {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function settled(): Settled {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Each caller awaits it; a batch whose callers went away must not count as unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** The parts in groups of at most `most` rows (a part bigger than that alone), in order. */
function transactions(parts: CopyPart[], most: number): CopyPart[][] {
  const out: CopyPart[][] = [];
  let group: CopyPart[] = [];
  let rows = 0;
  for (const p of parts) {
    if (group.length > 0 && rows + p.rows > most) {
      out.push(group);
      group = [];
      rows = 0;
    }
    group.push(p);
    rows += p.rows;
  }
  if (group.length > 0) out.push(group);
  return out;
}

/** The parts of one kind as few JSON arrays as fit a bound value, in arrival order (text joined: nothing parsed). */
function joined(parts: CopyPart[], kind: CopyPart["kind"]): string[] {
  const out: string[] = [];
  let items: string[] = [];
  let bytes = 0;
  for (const p of parts) {
    if (p.kind !== kind || p.json.length <= 2) continue;
    if (items.length > 0 && bytes + p.json.length > MAX_JSON_BYTES) {
      out.push(`[${items.join(",")}]`);
      items = [];
      bytes = 0;
    }
    items.push(p.json.slice(1, -1));
    bytes += p.json.length;
  }
  if (items.length > 0) out.push(`[${items.join(",")}]`);
  return out;
}
