/**
 * The worker's bindings and variables (see wrangler.toml), except the Durable Object
 * namespaces, which env.ts adds. The Durable Objects type their own env from this file and the
 * namespaces they call, so that no object imports env.ts (which imports the objects).
 */
export interface Bindings {
  DB: D1Database;
  MEDIA: R2Bucket;
  ASSETS: Fetcher;
  /** ICE servers for calls, none by default: a JSON array of RTCIceServer (wins over the four below). */
  ICE_SERVERS?: string;
  /** STUN URLs, separated by commas or spaces. */
  STUN_URLS?: string;
  /** TURN URLs, separated by commas or spaces, used with TURN_USERNAME and TURN_CREDENTIAL. */
  TURN_URLS?: string;
  TURN_USERNAME?: string;
  TURN_CREDENTIAL?: string;
  /** Cloudflare's TURN service: a TURN key id and its API token mint short-lived credentials per peer. */
  TURN_KEY_ID?: string;
  TURN_KEY_API_TOKEN?: string;
  /** Seconds the minted TURN credentials last (default 86400, at most 172800). */
  TURN_CREDENTIAL_TTL?: string;
  /** HMAC secret for session JWTs and socket tickets. Required; see README. */
  JWT_SECRET: string;
  RATE_LIMIT_BURST?: string;
  RATE_LIMIT_PER_SECOND?: string;
  /** Sockets a room's own object holds (default 1000); past it, a big room's sockets go to its shards. */
  MAX_ROOM_CONNECTIONS?: string;
  /** Sockets one shard of a big room holds (default 1000; docs/architecture.md "Big rooms"). */
  ROOM_SHARD_CONNECTIONS?: string;
  /** Shards a room may have (default 32; "0": none, a room holds only MAX_ROOM_CONNECTIONS). */
  MAX_ROOM_SHARDS?: string;
  /** Open sockets across all rooms (one `wrangler dev` runs out of file descriptors near 5000). */
  MAX_CONNECTIONS?: string;
  /** Largest upload in bytes (default 25 MiB). */
  MAX_UPLOAD_BYTES?: string;
  /** Seconds after which an upload never attached to a message is deleted (default 3600). */
  UPLOAD_ORPHAN_SECONDS?: string;
  /** R2's S3 API credentials: when all four are set, uploads go straight to R2 with presigned URLs. */
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_ACCOUNT_ID?: string;
  R2_BUCKET_NAME?: string;
  /** Web push (VAPID) keys; `npm run vapid` makes a pair. Without them push is off. */
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  /** A contact for push services, e.g. mailto:admin@example.com. */
  VAPID_SUBJECT?: string;
  /** Optional service binding that carries pushes instead of the public internet (tests, proxies). */
  PUSH_TRANSPORT?: Fetcher;
  /** First retry delay for a failed push in ms (doubles each time; default 500). */
  PUSH_RETRY_MS?: string;
  /** At most one push per device per room in this many ms (default 10000). */
  PUSH_MIN_INTERVAL_MS?: string;
  /** Optional service binding that carries bots' webhook calls instead of the public internet (tests, proxies). */
  WEBHOOK_TRANSPORT?: Fetcher;
  /** Milliseconds a bot's webhook has to answer, its reply included (default 7000; docs/bots.md). */
  WEBHOOK_TIMEOUT_MS?: string;
  /** First retry delay of a failed webhook call in ms (doubles each time; default 1000). */
  WEBHOOK_RETRY_MS?: string;
  /** Milliseconds between the SignalR hub's pings (default 10000; the client gives up after 30 s of silence). */
  SIGNALR_PING_MS?: string;
  /** Milliseconds a SignalR connection has to complete its handshake (default 15000, ASP.NET Core's HandshakeTimeout). */
  SIGNALR_HANDSHAKE_TIMEOUT_MS?: string;
  /** Milliseconds between a quiet room's message being stored and its copy to D1 (default 2000; at once past 1000 waiting). */
  D1_FLUSH_DELAY_MS?: string;
  /** Copy interval to D1 while a room stays busy (a copy ran within this time); default 10000. */
  D1_FLUSH_BUSY_MS?: string;
  /** Copy to D1 at once when this many messages wait (default 1000). */
  D1_FLUSH_ROWS?: string;
  /** "off": the copy to D1 writes no search index (for the bench's A/B; search then finds only older messages). */
  SEARCH_INDEX?: string;
  /** Comma-separated usernames that are administrators (docs/admin.md); unset: the first account is. */
  ADMIN_USERNAMES?: string;
  /** Who may sign up until an administrator decides: "open", "invite" (the default) or "closed". */
  SIGNUP_MODE?: string;
}
