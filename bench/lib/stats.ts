/** Small numeric helpers: a growable sample buffer, percentiles, medians. */

export class Samples {
  private buf = new Float64Array(1024);
  length = 0;

  push(v: number) {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  /** A buffer holding `values` (samples collected elsewhere, e.g. a probe's timings). */
  static of(values: Iterable<number>): Samples {
    const s = new Samples();
    for (const v of values) s.push(v);
    return s;
  }

  /** Nearest-rank percentiles (q in 0..1) of everything pushed; NaN when empty. */
  percentiles(...qs: number[]): number[] {
    if (this.length === 0) return qs.map(() => NaN);
    const sorted = this.buf.slice(0, this.length).sort();
    return qs.map((q) => sorted[Math.min(this.length - 1, Math.max(0, Math.ceil(q * this.length) - 1))]!);
  }
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export const round = (x: number, digits = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Waits until `cond()` holds, polling every `everyMs`, for at most `timeoutMs`. Returns whether it held. */
export async function until(cond: () => boolean, timeoutMs: number, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
