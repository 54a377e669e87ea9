/**
 * The negotiate response (dotnet/aspnetcore src/SignalR/docs/specs/TransportProtocols.md and
 * HttpConnectionDispatcher.ProcessNegotiate). The client asks for a version in the
 * `negotiateVersion` query parameter; without it the version is 0. Version 0 answers a
 * `connectionId`, which the client then sends as `id`; version 1 adds a secret
 * `connectionToken`, sent as `id` instead (the `connectionId` is public). A newer version than
 * the server's gets the server's (1); a version that is not an integer or below 0 gets
 * `{"error": …}` (status 200, as ASP.NET Core answers).
 */

/** The newest negotiate version this server speaks. */
export const NEGOTIATE_VERSION = 1;

const TRANSPORTS = [{ transport: "WebSockets", transferFormats: ["Text"] }];

export type NegotiateVersion = { version: number } | { error: string };

/** The version to answer for the request's `negotiateVersion` (undefined when the client sent none). */
export function negotiateVersion(requested: string | undefined): NegotiateVersion {
  if (requested === undefined) return { version: 0 };
  // int.TryParse: optional whitespace and sign, decimal digits, within Int32.
  const text = requested.trim();
  if (!/^[+-]?\d+$/.test(text) || Math.abs(Number(text)) > 2 ** 31 - 1) return { error: "The client requested a non-integer protocol version." };
  const version = Number(text);
  if (version < 0) return { error: `The client requested version '${version}', but the server does not support this version.` };
  return { version: Math.min(version, NEGOTIATE_VERSION) };
}

/** The negotiate payload for `version`: `connectionToken` only from version 1. */
export function negotiateResponse(version: number, connectionId: string, connectionToken: string) {
  return version >= 1
    ? { negotiateVersion: version, connectionId, connectionToken, availableTransports: TRANSPORTS }
    : { negotiateVersion: version, connectionId, availableTransports: TRANSPORTS };
}
