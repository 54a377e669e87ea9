/**
 * The one rule for addresses Hearth itself sends requests to on a user's word (push endpoints,
 * bots' webhooks): a public host name, never a machine's own loopback or LAN services.
 */

/**
 * Whether `url` names a public host: not an IP literal (v4 or v6), not localhost, not a
 * single-label name, not a name that only resolves inside a network (`.local`, `.internal`,
 * `.lan`, …). Without this any signed-in user could aim Hearth's requests at the Hearth
 * machine's own loopback or LAN services (on `wrangler dev`; Workers on Cloudflare cannot
 * reach private networks at all). Only the name is checked: Workers cannot resolve names, so a
 * public name that resolves to a private address is not caught.
 */
export function isPublicHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.+$/, "");
  } catch {
    return false;
  }
  // The URL parser has already turned every IPv4 spelling (0x7f.1, 2130706433) into 1.2.3.4.
  if (host.startsWith("[") || /^[\d.]+$/.test(host)) return false;
  if (!host.includes(".")) return false;
  return !/(^|\.)(localhost|localdomain|localdomain4|localdomain6|local|internal|intranet|lan|home|corp|private|home\.arpa)$/.test(host);
}

/** An `https:` URL on a public host (isPublicHost), with no user name or password in it. */
export function isPublicHttpsUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === "https:" && parsed.username === "" && parsed.password === "" && isPublicHost(url);
}
