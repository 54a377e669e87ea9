/**
 * D1 queries for instance administration (migrations/0011_admin.sql; docs/admin.md): account
 * roles and deactivation, run-time settings, invites. Every value is a bound parameter.
 */

export type AccountRole = "admin" | "member" | "bot";
export type SignupMode = "open" | "invite" | "closed";

/** What a session's account is now: its role, and whether it may still act. */
export interface AccountState {
  role: AccountRole;
  deactivated: boolean;
}

export async function accountState(db: D1Database, userId: string): Promise<AccountState | null> {
  const row = await db.prepare("SELECT role, deactivated_at FROM users WHERE id = ?").bind(userId).first<{ role: AccountRole; deactivated_at: number | null }>();
  return row ? { role: row.role, deactivated: row.deactivated_at !== null } : null;
}

/**
 * Claims "the first account of a fresh deployment" for a sign-up: true once, for the first
 * caller while the deployment has no account at all. One statement: two sign-ups at the same
 * moment cannot both win. A deployment that had accounts before administrators existed has the
 * claim taken by its migration (0011), so no stranger becomes administrator by signing up.
 */
export async function claimFirstAccount(db: D1Database, userId: string): Promise<boolean> {
  const res = await db
    .prepare("INSERT INTO settings (key, value) SELECT 'first_account', ? WHERE NOT EXISTS (SELECT 1 FROM users) ON CONFLICT (key) DO NOTHING")
    .bind(userId)
    .run();
  return res.meta.changes === 1;
}

/** Active administrators, counted (the last one cannot step down). */
export async function activeAdmins(db: D1Database): Promise<number> {
  return (await db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND deactivated_at IS NULL").first<{ n: number }>())!.n;
}

export async function setRole(db: D1Database, userId: string, role: AccountRole): Promise<boolean> {
  return (await db.prepare("UPDATE users SET role = ? WHERE id = ? AND role != 'bot'").bind(role, userId).run()).meta.changes === 1;
}

/** Deactivates (`at`) or reactivates (null) an account; false when there is no such account. */
export async function setDeactivated(db: D1Database, userId: string, at: number | null): Promise<boolean> {
  return (await db.prepare("UPDATE users SET deactivated_at = ? WHERE id = ?").bind(at, userId).run()).meta.changes === 1;
}

export interface AccountRow {
  id: string;
  username: string;
  role: AccountRole;
  created_at: number;
  deactivated_at: number | null;
}

/** Accounts by username, a page after `afterName`. */
export async function listAccounts(db: D1Database, afterName: string, limit: number): Promise<AccountRow[]> {
  const { results } = await db
    .prepare("SELECT id, username, role, created_at, deactivated_at FROM users WHERE username > ? ORDER BY username LIMIT ?")
    .bind(afterName, limit)
    .all<AccountRow>();
  return results;
}

export async function getSetting(db: D1Database, key: string): Promise<string | null> {
  return (await db.prepare("SELECT value FROM settings WHERE key = ?").bind(key).first<{ value: string }>())?.value ?? null;
}

export async function putSetting(db: D1Database, key: string, value: string): Promise<void> {
  await db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").bind(key, value).run();
}

export interface InviteRow {
  code: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  max_uses: number;
  uses: number;
  revoked_at: number | null;
}

export async function insertInvite(db: D1Database, invite: Omit<InviteRow, "uses" | "revoked_at">): Promise<void> {
  await db
    .prepare("INSERT INTO invites (code, created_by, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?)")
    .bind(invite.code, invite.created_by, invite.created_at, invite.expires_at, invite.max_uses)
    .run();
}

export async function listInvites(db: D1Database): Promise<InviteRow[]> {
  const { results } = await db.prepare("SELECT * FROM invites WHERE revoked_at IS NULL ORDER BY created_at DESC LIMIT 500").all<InviteRow>();
  return results;
}

export async function revokeInvite(db: D1Database, code: string, at: number): Promise<boolean> {
  return (await db.prepare("UPDATE invites SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL").bind(at, code).run()).meta.changes === 1;
}

/** Takes one use of an invite, if it is still good at `now`: one statement, so two sign-ups cannot share a last use. */
export async function useInvite(db: D1Database, code: string, now: number): Promise<boolean> {
  const res = await db
    .prepare("UPDATE invites SET uses = uses + 1 WHERE code = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses")
    .bind(code, now)
    .run();
  return res.meta.changes === 1;
}

/** Gives a use back (the sign-up it was taken for failed: the username was taken). */
export async function returnInvite(db: D1Database, code: string): Promise<void> {
  await db.prepare("UPDATE invites SET uses = max(uses - 1, 0) WHERE code = ?").bind(code).run();
}
