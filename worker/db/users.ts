/**
 * D1 queries for accounts (the `users` table), so the auth routes hold the rules and not the
 * SQL. Every value is a bound parameter.
 */

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  salt: string;
  created_at: number;
  /** 1: sends (and sees) read receipts; read, never written by insertUser (the column's default is 1). */
  read_receipts?: number;
}

/** Inserts an account; false when the username is taken (usernames are unique ignoring case). */
export async function insertUser(db: D1Database, u: UserRow): Promise<boolean> {
  const res = await db
    .prepare(
      "INSERT INTO users (id, username, password_hash, salt, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING",
    )
    .bind(u.id, u.username, u.password_hash, u.salt, u.created_at)
    .run();
  return res.meta.changes === 1;
}

/** The account with its password hash, for a log-in. */
export async function userByName(db: D1Database, username: string): Promise<UserRow | null> {
  return db
    .prepare("SELECT id, username, password_hash, salt, created_at, read_receipts FROM users WHERE username = ?")
    .bind(username)
    .first<UserRow>();
}

/** The account's public fields and settings, or null when it no longer exists. */
export async function userById(db: D1Database, id: string): Promise<(Pick<UserRow, "id" | "username" | "created_at"> & { read_receipts: number }) | null> {
  return db
    .prepare("SELECT id, username, created_at, read_receipts FROM users WHERE id = ?")
    .bind(id)
    .first<Pick<UserRow, "id" | "username" | "created_at"> & { read_receipts: number }>();
}

/** Turns the user's read receipts on or off. */
export async function setReadReceipts(db: D1Database, id: string, on: boolean): Promise<void> {
  await db.prepare("UPDATE users SET read_receipts = ? WHERE id = ?").bind(on ? 1 : 0, id).run();
}
