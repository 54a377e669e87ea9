/**
 * Reading hub protocol records from WebSocket frames. A record ends with 0x1E; a frame may hold
 * several records, or only part of one (a client or proxy may split a message across frames),
 * so the unfinished part is kept until its separator arrives. As in ASP.NET Core, what may be
 * buffered is capped by HubOptions.MaximumReceiveMessageSize (32 KB by default): a record
 * that would exceed it ends the connection.
 */

export const RECORD_SEPARATOR = "\u001e";

/** ASP.NET Core's default HubOptions.MaximumReceiveMessageSize: 32 KB (a record with its 0x1E). */
export const MAX_RECEIVE_MESSAGE_BYTES = 32 * 1024;

/** Thrown when a record (or the unfinished start of one) is larger than the cap. */
export class MessageTooLargeError extends Error {
  constructor(readonly limit: number) {
    // ASP.NET Core's own wording (HubConnectionHandler.DispatchMessagesAsync).
    super(`The maximum message size of ${limit}B was exceeded. The message size can be configured in AddHubOptions.`);
  }
}

/** The UTF-8 length of a string, without encoding it. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Splits incoming frames into complete records, keeping an unfinished one for the next frame. */
export class RecordReader {
  private pending = "";
  private pendingBytes = 0;

  constructor(private readonly maxBytes = MAX_RECEIVE_MESSAGE_BYTES) {}

  /** The complete records this frame finishes (without their separators); throws MessageTooLargeError. */
  push(frame: string): string[] {
    const parts = frame.split(RECORD_SEPARATOR);
    const rest = parts.pop()!;
    const records: string[] = [];
    for (const [i, part] of parts.entries()) {
      const record = i === 0 ? this.pending + part : part;
      const bytes = (i === 0 ? this.pendingBytes : 0) + utf8Length(part);
      // A record fits when it and its separator fit.
      if (bytes + 1 > this.maxBytes) throw new MessageTooLargeError(this.maxBytes);
      records.push(record);
    }
    if (parts.length > 0) {
      this.pending = "";
      this.pendingBytes = 0;
    }
    if (rest.length > 0) {
      const bytes = this.pendingBytes + utf8Length(rest);
      // With its separator still to come, this record can no longer fit.
      if (bytes + 1 > this.maxBytes) throw new MessageTooLargeError(this.maxBytes);
      this.pending += rest;
      this.pendingBytes = bytes;
    }
    return records;
  }
}
