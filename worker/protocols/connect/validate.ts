import { fromBinary, fromJsonString, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * What ChatService checks of a request before its handler runs: that it decodes at all
 * (`refuseUndecodable`), and the seq bounds it names (`seqBound`). The rules of messages and
 * changes are the gateway's, the same for every protocol.
 */

/**
 * Checks that a request's message(s) decode before connect-es sees them. connect-es reports
 * an undecodable request as `internal` (its serialization layer is shared with clients);
 * the Connect and gRPC specs call that `invalid_argument`, which is what clients should see.
 * Returns an error response in the request's own protocol, or null when the body is fine.
 */
export async function refuseUndecodable(method: DescMethod, request: Request): Promise<Response | null> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const json = type.endsWith("json");
  const decode = (bytes: Uint8Array) =>
    json ? fromJsonString(method.input, new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes)) : fromBinary(method.input, bytes);

  if (request.method !== "POST") return null;
  if (type === "application/proto" || type === "application/json") {
    try {
      decode(new Uint8Array(await request.clone().arrayBuffer()));
      return null;
    } catch (err) {
      return Response.json({ code: "invalid_argument", message: `cannot decode the request: ${reason(err)}` }, { status: 400 });
    }
  }
  const enveloped = type.startsWith("application/connect+") || type === "application/grpc-web" || type.startsWith("application/grpc-web+");
  if (!enveloped) return null;
  const problem = checkEnvelopes(new Uint8Array(await request.clone().arrayBuffer()), decode);
  if (problem === null) return null;
  const message = `cannot decode the request: ${problem}`;
  if (type.startsWith("application/connect+")) {
    // Connect streaming: the error travels in an end-of-stream envelope.
    const end = new TextEncoder().encode(JSON.stringify({ error: { code: "invalid_argument", message } }));
    const out = new Uint8Array(5 + end.length);
    out[0] = 0b10;
    new DataView(out.buffer).setUint32(1, end.length);
    out.set(end, 5);
    return new Response(out, { status: 200, headers: { "content-type": type } });
  }
  // gRPC-Web: a trailers-only response.
  return new Response(null, { status: 200, headers: { "content-type": type, "grpc-status": "3", "grpc-message": encodeURIComponent(message) } });
}

function checkEnvelopes(body: Uint8Array, decode: (b: Uint8Array) => unknown): string | null {
  let at = 0;
  while (at < body.length) {
    if (body.length - at < 5) return "truncated envelope";
    const flags = body[at]!;
    const length = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0);
    if (at + 5 + length > body.length) return "truncated envelope";
    // Bit 0 marks a compressed message: leave those to connect-es, which knows the encoding.
    if ((flags & 0b11) === 0) {
      try {
        decode(body.subarray(at + 5, at + 5 + length));
      } catch (err) {
        return reason(err);
      }
    }
    at += 5 + length;
  }
  return null;
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

const MAX_SEQ = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A seq (or change seq) a request names as a bound: unset stays unset, anything else must be
 * an integer from 0 to 2^53 - 1 (the largest seq the worker counts exactly).
 */
export function seqBound(value: bigint | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (value < 0n || value > MAX_SEQ) throw new ConnectError(`${field} must be an integer ≥ 0`, Code.InvalidArgument);
  return Number(value);
}
