/** The REST client: one typed function per endpoint, and ApiError for refusals. */
import { humanError } from "./errors";
import { noteReachable, noteUnreachable } from "./offline/status";
import { endSession, token } from "./session";
import type {
  CallParticipant,
  Member,
  Message,
  NotifyMode,
  PeerGrant,
  PublicRoom,
  Room,
  RoomDetails,
  SearchPage,
  User,
} from "./types";

/**
 * A refused API call: the server's `{error:{code,message}}`, or a network failure. `message`
 * is a sentence to show (errors.ts); `raw` is the server's own text, for parsing.
 */
export class ApiError extends Error {
  readonly raw: string;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(humanError(code, message));
    this.raw = message;
    this.name = "ApiError";
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One REST call with the session's token: the JSON answer, or an ApiError. */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const sessionToken = token.value;
  if (sessionToken) headers.Authorization = `Bearer ${sessionToken}`;
  // Signed out (a timer firing while logging out, a read marker flushed): nothing to send.
  else if (!path.startsWith("/api/auth/")) throw new ApiError(401, "signed_out", "You are signed out.");

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    noteUnreachable();
    throw new ApiError(0, "network_error", "Cannot reach the server. Check your connection.");
  }
  noteReachable();

  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    // An expired or revoked session, or a deactivated account: back to the log-in screen.
    const ended = response.status === 401 || error?.code === "account_deactivated";
    if (ended && sessionToken && !path.startsWith("/api/auth/")) endSession();
    throw new ApiError(
      response.status,
      error?.code ?? "http_error",
      error?.message ?? `The server answered ${response.status}.`,
    );
  }
  return data as T;
}

/** Accepts both the socket's `ts` (ms) and an ISO `createdAt`, whichever the server sends. */
export function normalizeMessage(raw: Message & { createdAt?: string | number }): Message {
  if (typeof raw.ts === "number") return raw;
  const created = raw.createdAt;
  const ts = typeof created === "number" ? created : Date.parse(created ?? "") || Date.now();
  return { ...raw, ts };
}

interface AuthResult {
  token: string;
  user: User;
}

const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

export const api = {
  /** `invite`: the code of an invite link, needed when sign-up is by invite (docs/admin.md). */
  signup: (username: string, password: string, invite?: string) =>
    request<AuthResult>("POST", "/api/auth/signup", { username, password, ...(invite ? { invite } : {}) }),
  login: (username: string, password: string) =>
    request<AuthResult>("POST", "/api/auth/login", { username, password }),
  me: () => request<{ user: User }>("GET", "/api/me"),
  /**
   * Changes my profile and settings: `readReceipts` off sends none and shows no one else's;
   * `displayName` null (or blank) clears it.
   */
  updateMe: (settings: { readReceipts?: boolean; displayName?: string | null }) => request<{ user: User }>("PATCH", "/api/me", settings),
  /** One user with their profile. */
  user: (userId: string) => request<User>("GET", `/api/users/${encodeURIComponent(userId)}`),
  /** People whose username or display name starts with `q` (at most 20). */
  findPeople: (q: string) => request<{ users: User[] }>("GET", `/api/users?q=${encodeURIComponent(q)}`),
  /** A signed URL to PUT my new avatar's bytes to (docs/media.md, "Avatars"). */
  requestAvatarUpload: (image: { type: string; size: number }) => request<Omit<UploadGrant, "uploadId">>("POST", "/api/me/avatar", image),
  removeAvatar: () => request<User>("DELETE", "/api/me/avatar"),

  rooms: () => request<{ rooms: Room[] }>("GET", "/api/rooms"),
  publicRooms: () => request<{ rooms: PublicRoom[] }>("GET", "/api/rooms/public"),
  room: (roomId: string) => request<RoomDetails>("GET", roomPath(roomId)),
  createRoom: (input: { name: string; topic: string; visibility: "public" | "private" }) =>
    request<Room>("POST", "/api/rooms", input),
  joinRoom: (roomId: string) => request<Room>("POST", `${roomPath(roomId)}/join`),
  leaveRoom: (roomId: string) => request<void>("POST", `${roomPath(roomId)}/leave`),
  addMember: (roomId: string, username: string) =>
    request<{ member: Member }>(
      "POST",
      `${roomPath(roomId)}/members`,
      { username },
    ),
  openDm: (username: string) => request<Room>("POST", "/api/dms", { username }),

  /**
   * One page of history, returned oldest first (the server sends newest first): the newest,
   * or the one before, after or around a seq (at most one of them).
   */
  async messages(roomId: string, options: { before?: number; after?: number; around?: number; limit?: number } = {}) {
    const query = new URLSearchParams();
    for (const at of ["before", "after", "around"] as const) {
      if (options[at] !== undefined) query.set(at, String(options[at]));
    }
    query.set("limit", String(options.limit ?? 50));
    const page = await request<{ messages: Message[] }>(
      "GET",
      `${roomPath(roomId)}/messages?${query}`,
    );
    return page.messages.map(normalizeMessage).reverse();
  },
  /** Sends a message over REST (a retry with the same clientId is stored once). */
  postMessage: (roomId: string, message: { clientId: string; body: string; kind?: string; attachment?: unknown; replyTo?: number }) =>
    request<Message>("POST", `${roomPath(roomId)}/messages`, message),
  markRead: (roomId: string, seq: number) =>
    request<void>("POST", `${roomPath(roomId)}/read`, { seq }),
  ticket: (roomId: string) =>
    request<{ ticket: string; expiresAt: string }>("POST", `${roomPath(roomId)}/ticket`),
  /** A 60-second ticket for my per-user channel (`GET /api/me/ws?ticket=`). */
  channelTicket: () => request<{ ticket: string; expiresAt: string }>("POST", "/api/me/ticket"),

  /** A peer id for this room's call (docs/calls.md §1); 409 `call_full` past 4 people. */
  callPeer: (roomId: string) => request<PeerGrant>("POST", `${roomPath(roomId)}/calls/peer`),
  /** Who is in this room's call now, in the order they joined. */
  callParticipants: (roomId: string) =>
    request<{ roomId: string; maxPeers: number; participants: CallParticipant[] }>(
      "GET",
      `${roomPath(roomId)}/calls`,
    ),

  /** Web push (docs/push.md): the VAPID key, this device's subscription, a room's setting. */
  pushKey: () => request<{ publicKey: string }>("GET", "/api/push/key"),
  subscribePush: (subscription: PushSubscriptionJSON) =>
    request<{ id: string }>("POST", "/api/push/subscriptions", subscription),
  unsubscribePush: (endpoint: string) => request<void>("DELETE", "/api/push/subscriptions", { endpoint }),
  setNotify: (roomId: string, mode: NotifyMode) =>
    request<{ mode: string }>("PUT", `${roomPath(roomId)}/notifications`, { mode }),

  /** Asks for a signed URL to PUT one file's bytes to (docs/media.md §1). */
  requestUpload: (roomId: string, file: { name: string; type: string; size: number }) =>
    request<UploadGrant>("POST", `${roomPath(roomId)}/uploads`, file),
  /** A signed download URL for an attachment, valid 10 minutes (docs/media.md §4). */
  attachmentUrl: (roomId: string, uploadId: string) =>
    request<AttachmentUrl>(
      "GET",
      `${roomPath(roomId)}/attachments/${encodeURIComponent(uploadId)}`,
    ),

  /** Messages in my rooms that match `query` (q, filters, cursor: client/src/search/query.ts), newest first. */
  search: (query: URLSearchParams) => request<SearchPage>("GET", `/api/search?${query}`),
  /** Recent messages that mention me, newest first; `cursor` null: the first page. */
  mentions: (cursor: string | null) =>
    request<SearchPage>("GET", `/api/mentions${cursor === null ? "" : `?${new URLSearchParams({ cursor })}`}`),
};

export interface UploadGrant {
  uploadId: string;
  uploadUrl: string;
  method: "PUT";
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

export interface AttachmentUrl {
  url: string;
  expiresAt: string;
  type: string;
  inline: boolean;
}
