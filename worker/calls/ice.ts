import { z } from "@hono/zod-openapi";
import type { Env } from "../env";
import { numberVar } from "../config";

/** An RTCIceServer, as `new RTCPeerConnection({ iceServers })` (and PeerJS's `config`) takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

const IceServerSchema = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

type IceEnv = Pick<
  Env,
  "ICE_SERVERS" | "STUN_URLS" | "TURN_URLS" | "TURN_USERNAME" | "TURN_CREDENTIAL" | "TURN_KEY_ID" | "TURN_KEY_API_TOKEN" | "TURN_CREDENTIAL_TTL"
>;

/** Cloudflare's TURN service: the credentials endpoint for a TURN key. */
export const CLOUDFLARE_TURN_API = "https://rtc.live.cloudflare.com/v1/turn/keys";
/** Cloudflare refuses a TTL above 48 hours. */
const MAX_TURN_TTL_SECONDS = 172_800;
const DEFAULT_TURN_TTL_SECONDS = 86_400;

function urlList(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter((u) => u.length > 0);
}

/**
 * The ICE servers set in the environment, none by default (two browsers on one machine or
 * one LAN need none). `ICE_SERVERS` (a JSON array of RTCIceServer) wins; otherwise
 * `STUN_URLS`, and `TURN_URLS` with `TURN_USERNAME`/`TURN_CREDENTIAL`. URL lists are
 * separated by commas or spaces. A malformed `ICE_SERVERS` throws: a misconfiguration
 * should be seen, not turn into calls that fail behind firewalls.
 */
export function configuredIceServers(env: IceEnv): IceServer[] {
  if (env.ICE_SERVERS?.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.ICE_SERVERS);
    } catch {
      throw new Error("ICE_SERVERS is not valid JSON (expected an array of RTCIceServer objects)");
    }
    const result = z.array(IceServerSchema).safeParse(parsed);
    if (!result.success) throw new Error(`ICE_SERVERS must be an array of {urls, username?, credential?}: ${result.error.issues[0]?.message}`);
    return result.data;
  }
  const servers: IceServer[] = [];
  const stun = urlList(env.STUN_URLS);
  if (stun.length > 0) servers.push({ urls: stun });
  const turn = urlList(env.TURN_URLS);
  if (turn.length > 0) {
    const server: IceServer = { urls: turn };
    if (env.TURN_USERNAME) server.username = env.TURN_USERNAME;
    if (env.TURN_CREDENTIAL) server.credential = env.TURN_CREDENTIAL;
    servers.push(server);
  }
  return servers;
}

/**
 * Short-lived credentials from Cloudflare's TURN service for one peer: a `POST` to
 * `{CLOUDFLARE_TURN_API}/{TURN_KEY_ID}/credentials/generate-ice-servers` with the key's API
 * token. URLs on port 53 are left out: browsers time out on them (Cloudflare's advice).
 */
export async function cloudflareIceServers(
  keyId: string,
  apiToken: string,
  ttlSeconds: number,
  fetcher: typeof fetch = fetch,
): Promise<IceServer[]> {
  const res = await fetcher(`${CLOUDFLARE_TURN_API}/${encodeURIComponent(keyId)}/credentials/generate-ice-servers`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ ttl: ttlSeconds }),
  });
  if (!res.ok) throw new Error(`Cloudflare TURN answered ${res.status}`);
  const body = z.object({ iceServers: z.array(IceServerSchema) }).safeParse(await res.json());
  if (!body.success) throw new Error("Cloudflare TURN answered without iceServers");
  return body.data.iceServers
    .map((server) => {
      const urls = (Array.isArray(server.urls) ? server.urls : [server.urls]).filter((u) => !/:53(\?|$)/.test(u));
      return { ...server, urls };
    })
    .filter((server) => server.urls.length > 0);
}

/**
 * The ICE servers handed to a peer: Cloudflare TURN credentials minted for it when
 * `TURN_KEY_ID` and `TURN_KEY_API_TOKEN` are set, followed by the configured ones. If
 * Cloudflare cannot be reached the configured servers are still returned (the call may
 * still connect directly) and the failure is logged.
 */
export async function iceServersFor(env: IceEnv, fetcher: typeof fetch = fetch): Promise<IceServer[]> {
  const configured = configuredIceServers(env);
  if (!env.TURN_KEY_ID || !env.TURN_KEY_API_TOKEN) return configured;
  const ttl = Math.min(Math.floor(numberVar(env.TURN_CREDENTIAL_TTL, DEFAULT_TURN_TTL_SECONDS)), MAX_TURN_TTL_SECONDS);
  try {
    return [...(await cloudflareIceServers(env.TURN_KEY_ID, env.TURN_KEY_API_TOKEN, ttl, fetcher)), ...configured];
  } catch (err) {
    console.error("minting Cloudflare TURN credentials failed; answering without them", err);
    return configured;
  }
}
