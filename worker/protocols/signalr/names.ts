/**
 * Names the SignalR protocol compares as ASP.NET Core does: case-insensitively
 * (StringComparer.OrdinalIgnoreCase) — hub method names (DefaultHubDispatcher's method
 * dictionary), hub protocol names in the handshake (DefaultHubProtocolResolver) and query
 * string keys (`id`, `negotiateVersion`, `access_token`; ASP.NET Core's query collection).
 * Only ASCII letters are folded, so no non-ASCII name can stand for an ASCII one.
 */

export function foldName(name: string): string {
  return name.replace(/[a-z]/g, (c) => c.toUpperCase());
}

export function sameName(a: unknown, b: string): boolean {
  return typeof a === "string" && foldName(a) === foldName(b);
}

/** A case-insensitive view of a table: the entry for a name however it is cased, with its own spelling. */
export function caseInsensitive<T>(table: Record<string, T>): (name: unknown) => { name: string; value: T } | undefined {
  const byFolded = new Map(Object.entries(table).map(([name, value]) => [foldName(name), { name, value }]));
  return (name) => (typeof name === "string" ? byFolded.get(foldName(name)) : undefined);
}

/** A query string parameter by a case-insensitive key (the first one given). */
export function queryParam(url: string | URL, key: string): string | undefined {
  const folded = foldName(key);
  for (const [k, v] of new URL(url).searchParams) if (foldName(k) === folded) return v;
  return undefined;
}
