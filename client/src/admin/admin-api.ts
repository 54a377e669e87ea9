/** The administrator's REST calls (docs/admin.md), used only by the lazy admin page. */
import { request } from "../api";

export type SignupMode = "open" | "invite" | "closed";

export interface AdminUser {
  id: string;
  username: string;
  role: "admin" | "member" | "bot";
  createdAt: string;
  deactivated: boolean;
}

export interface Invite {
  code: string;
  url: string;
  createdAt: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
}

const user = (id: string) => `/api/admin/users/${encodeURIComponent(id)}`;

export const adminApi = {
  users: (after = "") => request<{ users: AdminUser[] }>("GET", `/api/admin/users?limit=200&after=${encodeURIComponent(after)}`),
  setRole: (id: string, role: "admin" | "member") => request<{ role: string }>("PUT", `${user(id)}/role`, { role }),
  deactivate: (id: string) => request<void>("POST", `${user(id)}/deactivate`),
  reactivate: (id: string) => request<void>("POST", `${user(id)}/reactivate`),
  settings: () => request<{ signupMode: SignupMode }>("GET", "/api/admin/settings"),
  setSignupMode: (signupMode: SignupMode) => request<{ signupMode: SignupMode }>("PUT", "/api/admin/settings", { signupMode }),
  invites: () => request<{ invites: Invite[] }>("GET", "/api/admin/invites"),
  createInvite: (expiresAt: string, maxUses: number) => request<Invite>("POST", "/api/admin/invites", { expiresAt, maxUses }),
  revokeInvite: (code: string) => request<void>("DELETE", `/api/admin/invites/${encodeURIComponent(code)}`),
};

export interface Bot {
  id: string;
  username: string;
  createdAt: string;
  webhookUrl: string | null;
  deactivated: boolean;
}

const bot = (id: string) => `/api/admin/bots/${encodeURIComponent(id)}`;

/** Bots (docs/bots.md): a token or signing secret is in an answer once, never again. */
export const botsApi = {
  list: () => request<{ bots: Bot[] }>("GET", "/api/admin/bots"),
  create: (name: string) => request<{ bot: Bot; token: string }>("POST", "/api/admin/bots", { name }),
  revoke: (id: string) => request<void>("DELETE", bot(id)),
  rotate: (id: string) => request<{ token: string }>("POST", `${bot(id)}/token`),
  setWebhook: (id: string, url: string | null) => request<{ url: string | null; secret?: string }>("PUT", `${bot(id)}/webhook`, { url }),
};
