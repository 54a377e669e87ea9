/**
 * D1 queries for accounts (the `users` table), so the auth routes hold the rules and not the
 * SQL. Every value is a bound parameter.
 */
import type { Profile } from "../contract/rest";

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  salt: string;
  created_at: number;
  /** 1: sends (and sees) read receipts; read, never written by insertUser (the column's default is 1). */
  read_receipts?: number;
  /** "admin", "member" or "bot" (migrations/0011_admin.sql); insertUser writes "member" when absent. */
  role?: "admin" | "member" | "bot";
  /** When an administrator deactivated the account; null: active. */
  deactivated_at?: number | null;
}

/**
 * A REST shape with a profile as D1 keeps it: the avatar's version instead of its URL, which
 * worker/people/profile.ts signs for the request that shows it.
 */
export type Stored<T extends Profile> = Omit<T, "avatarUrl"> & { avatarVersion?: string };

/** A person with their profile, as stored. */
export type StoredPerson = Stored<{ id: string; username: string } & Profile>;

/** The profile columns of a users row. */
export interface ProfileColumns {
  display_name: string | null;
  avatar_version: string | null;
}

/** The profile fields of a row: absent when unset, as the REST shapes have them. */
export function storedProfile(row: ProfileColumns): { displayName?: string; avatarVersion?: string } {
  return {
    ...(row.display_name ? { displayName: row.display_name } : {}),
    ...(row.avatar_version ? { avatarVersion: row.avatar_version } : {}),
  };
}

/** A display name or a query as the people search compares them (display_key). */
export function searchKey(text: string): string {
  return text.normalize("NFC").toLowerCase();
}

/** Inserts an account; false when the username is taken (usernames are unique ignoring case). */
export async function insertUser(db: D1Database, u: UserRow): Promise<boolean> {
  const res = await db
    .prepare(
      "INSERT INTO users (id, username, password_hash, salt, created_at, role) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING",
    )
    .bind(u.id, u.username, u.password_hash, u.salt, u.created_at, u.role ?? "member")
    .run();
  return res.meta.changes === 1;
}

/** The account with its password hash, for a log-in. */
export async function userByName(db: D1Database, username: string): Promise<(UserRow & ProfileColumns) | null> {
  return db
    .prepare("SELECT id, username, password_hash, salt, created_at, read_receipts, display_name, avatar_version, role, deactivated_at FROM users WHERE username = ?")
    .bind(username)
    .first<UserRow & ProfileColumns>();
}

export type AccountRow = Pick<UserRow, "id" | "username" | "created_at" | "role"> & { read_receipts: number } & ProfileColumns;

/** The account's public fields, profile and settings, or null when it no longer exists. */
export async function userById(db: D1Database, id: string): Promise<AccountRow | null> {
  return db
    .prepare("SELECT id, username, created_at, read_receipts, display_name, avatar_version, role FROM users WHERE id = ?")
    .bind(id)
    .first<AccountRow>();
}

/** Turns the user's read receipts on or off. */
export async function setReadReceipts(db: D1Database, id: string, on: boolean): Promise<void> {
  await db.prepare("UPDATE users SET read_receipts = ? WHERE id = ?").bind(on ? 1 : 0, id).run();
}

/** Sets (or with null clears) the user's display name, and the key the people search matches. */
export async function setDisplayName(db: D1Database, id: string, name: string | null): Promise<void> {
  await db
    .prepare("UPDATE users SET display_name = ?, display_key = ? WHERE id = ?")
    .bind(name, name === null ? null : searchKey(name), id)
    .run();
}

/**
 * Makes `version` the user's avatar (null: none). Returns the version it replaced (null when
 * there was none), or undefined when the account no longer exists. Compare-and-set, so of two
 * changes at once each learns the version it really replaced (whose file it may delete).
 */
export async function swapAvatar(db: D1Database, id: string, version: string | null): Promise<string | null | undefined> {
  for (;;) {
    const row = await db.prepare("SELECT avatar_version FROM users WHERE id = ?").bind(id).first<{ avatar_version: string | null }>();
    if (!row) return undefined;
    const res = await db
      .prepare("UPDATE users SET avatar_version = ? WHERE id = ? AND avatar_version IS ?")
      .bind(version, id, row.avatar_version)
      .run();
    if (res.meta.changes === 1) return row.avatar_version;
  }
}

/** At most this many people answer one search. */
export const SEARCH_LIMIT = 20;

/** ?1, ?2: the range of keys that start with the query; ?3: SEARCH_LIMIT. Exported for its query-plan test. */
export const SEARCH_PEOPLE = `
  SELECT * FROM (
    SELECT 0 AS rank, username AS k, id, username, display_name, avatar_version FROM users
    WHERE username >= ?1 AND username < ?2 ORDER BY username LIMIT ?3)
  UNION ALL
  SELECT * FROM (
    SELECT 1 AS rank, display_key AS k, id, username, display_name, avatar_version FROM users
    WHERE display_key >= ?1 AND display_key < ?2 ORDER BY display_key LIMIT ?3)
  ORDER BY rank, k`;

/**
 * People whose username or display name starts with `query` (compared as searchKey), at most
 * SEARCH_LIMIT: username matches first, then display-name matches, each in order. Each half is
 * a range over an index (the username's unique index, users_display_key) that stops after
 * SEARCH_LIMIT rows, so a one-letter query reads at most 40 rows however many users match.
 */
export async function searchPeople(db: D1Database, query: string): Promise<StoredPerson[]> {
  const low = searchKey(query);
  // Every string that starts with `low` sorts from `low` up to `low` followed by the highest code point.
  const high = `${low}\u{10FFFF}`;
  const { results } = await db
    .prepare(SEARCH_PEOPLE)
    .bind(low, high, SEARCH_LIMIT)
    .all<{ id: string; username: string } & ProfileColumns>();
  // Someone whose username and display name both match is listed once, as a username match.
  const people = new Map<string, StoredPerson>();
  for (const r of results) if (!people.has(r.id)) people.set(r.id, { id: r.id, username: r.username, ...storedProfile(r) });
  return [...people.values()].slice(0, SEARCH_LIMIT);
}
