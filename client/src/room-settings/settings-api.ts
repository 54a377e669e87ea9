/** The REST calls of a room's settings (docs/admin.md "Rooms and moderation"), used only by the lazy dialog. */
import { request } from "../api";
import type { Member, Room } from "../types";

export interface Ban {
  userId: string;
  username: string;
  bannedBy: string;
  createdAt: string;
}

const room = (id: string) => `/api/rooms/${encodeURIComponent(id)}`;
const member = (id: string, userId: string) => `${room(id)}/members/${encodeURIComponent(userId)}`;
const ban = (id: string, userId: string) => `${room(id)}/bans/${encodeURIComponent(userId)}`;

export const roomSettingsApi = {
  update: (id: string, changes: { name?: string; topic?: string; visibility?: "public" | "private" }) => request<Room>("PATCH", room(id), changes),
  archive: (id: string) => request<Room>("POST", `${room(id)}/archive`),
  unarchive: (id: string) => request<Room>("DELETE", `${room(id)}/archive`),
  deleteRoom: (id: string) => request<void>("DELETE", room(id)),
  setRole: (id: string, userId: string, role: Member["role"]) => request<unknown>("PUT", member(id, userId), { role }),
  remove: (id: string, userId: string) => request<void>("DELETE", member(id, userId)),
  ban: (id: string, userId: string) => request<unknown>("PUT", ban(id, userId)),
  unban: (id: string, userId: string) => request<void>("DELETE", ban(id, userId)),
  bans: (id: string) => request<{ bans: Ban[] }>("GET", `${room(id)}/bans`),
};

export interface RoomWebhook {
  id: string;
  name: string;
  createdAt: string;
  createdBy: { id: string; username: string };
}

/** Incoming webhooks (docs/bots.md): the secret URL is in the answer that creates one, never again. */
export const webhooksApi = {
  list: (id: string) => request<{ webhooks: RoomWebhook[] }>("GET", `${room(id)}/webhooks`),
  create: (id: string, name: string) => request<{ id: string; url: string }>("POST", `${room(id)}/webhooks`, { name }),
  remove: (id: string, hookId: string) => request<void>("DELETE", `${room(id)}/webhooks/${encodeURIComponent(hookId)}`),
};
