/**
 * MediaRecorder writes WebM without a Duration (it streams, so it cannot know the length up
 * front): players then report an infinite duration and cannot seek. This writes the measured
 * length into the Segment's Info element. Only the head of the file is rewritten; anything it
 * does not recognise is left exactly as it was.
 */

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const SEEK_HEAD = 0x114d9b74;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const CLUSTER = 0x1f43b675;
const HEAD_BYTES = 64 * 1024;

interface Element {
  id: number;
  /** Where the element's data starts and ends (end is -1 for an unknown size). */
  start: number;
  end: number;
}

function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = bytes[at];
  if (first === undefined || first === 0) throw new Error("bad vint");
  const length = Math.clz32(first) - 23; // 1…8
  if (at + length > bytes.length) throw new Error("truncated");
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i]!;
    value = value * 256 + b;
    allOnes &&= b === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

function readElement(bytes: Uint8Array, at: number): Element {
  const id = vint(bytes, at, true);
  const size = vint(bytes, at + id.length, false);
  const start = at + id.length + size.length;
  return { id: id.value, start, end: size.unknown ? -1 : start + size.value };
}

function readUint(bytes: Uint8Array, el: Element): number {
  let value = 0;
  for (let i = el.start; i < el.end; i++) value = value * 256 + bytes[i]!;
  return value;
}

/** Returns the recording with its duration written in, or unchanged when that is not possible. */
export async function withDuration(blob: Blob, seconds: number): Promise<Blob> {
  try {
    const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
    const ebml = readElement(head, 0);
    if (ebml.id !== EBML || ebml.end < 0) return blob;
    const segment = readElement(head, ebml.end);
    // A sized Segment would need its size changed too; MediaRecorder's never has one.
    if (segment.id !== SEGMENT || segment.end !== -1) return blob;
    let at = segment.start;
    while (at < head.length) {
      const el = readElement(head, at);
      if (el.id === SEEK_HEAD || el.id === CLUSTER || el.end < 0) return blob; // offsets would move
      if (el.end > head.length) return blob;
      if (el.id === INFO) return patchInfo(blob, head, at, el, seconds);
      at = el.end;
    }
  } catch {
    // Not the WebM we expected: send it as recorded.
  }
  return blob;
}

function patchInfo(blob: Blob, head: Uint8Array, infoAt: number, info: Element, seconds: number): Blob {
  let scale = 1_000_000; // nanoseconds per tick, WebM's default
  for (let at = info.start; at < info.end; ) {
    const child = readElement(head, at);
    if (child.end < 0) return blob;
    if (child.id === DURATION) return blob; // already there
    if (child.id === TIMECODE_SCALE) scale = readUint(head, child) || scale;
    at = child.end;
  }
  const duration = new Uint8Array(11);
  duration.set([0x44, 0x89, 0x88]); // Duration, 8-byte float
  new DataView(duration.buffer).setFloat64(3, (seconds * 1e9) / scale);
  const size = info.end - info.start + duration.length;
  const header = new Uint8Array(12);
  header.set([0x15, 0x49, 0xa9, 0x66, 0x01]); // Info, then an 8-byte size
  new DataView(header.buffer).setUint32(8, size); // (sizes here are far below 2^32)
  return new Blob(
    [head.slice(0, infoAt), header, head.slice(info.start, info.end), duration, blob.slice(info.end)],
    { type: blob.type },
  );
}
