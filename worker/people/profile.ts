/**
 * What everyone sees of a person besides the username (issue #18 "People"): turns a profile as
 * D1 keeps it (a display name, an avatar version) into the REST shapes' Profile, whose
 * `avatarUrl` is a signed URL. Every route that returns a User, Member or Room.dmWith passes its
 * people through here.
 *
 * @example
 * const signer = avatarSigner(c);
 * return c.json({ ...(await presentRoom(signer, room)), members: await presentAll(signer, members) });
 */
import type { Context } from "hono";
import type { DmPartner, Profile, Room, User } from "../contract/rest";
import { storedProfile, type ProfileColumns, type Stored } from "../db/users";
import type { StoredRoom } from "../db/rooms";
import type { AppEnv } from "../lib/app";
import { signAvatar } from "../media/signing";

/**
 * Avatar URLs expire at the end of the week after this one: every URL issued within one week is
 * the same text (so browsers and proxies cache it), and each stays valid 7 to 14 days.
 */
export const AVATAR_URL_BUCKET_SECONDS = 7 * 24 * 3600;
/** How long a browser keeps an avatar: its bytes never change under one URL (the version is their hash). */
export const AVATAR_MAX_AGE_SECONDS = AVATAR_URL_BUCKET_SECONDS;

/** What signing an avatar URL needs from the request that shows it. */
export interface AvatarSigner {
  secret: string;
  origin: string;
  /** Seconds since the epoch. */
  now: number;
}

export function avatarSigner(c: Context<AppEnv>): AvatarSigner {
  return { secret: c.env.JWT_SECRET, origin: new URL(c.req.url).origin, now: Math.floor(Date.now() / 1000) };
}

/** The expiry of every avatar URL issued at `now`: the end of the bucket after the current one. */
export function avatarExpiry(now: number): number {
  return (Math.floor(now / AVATAR_URL_BUCKET_SECONDS) + 2) * AVATAR_URL_BUCKET_SECONDS;
}

// Signatures repeat for a week (the bucketed expiry): a member list of a big room signs each once.
const signatures = new Map<string, Promise<string>>();
const MAX_REMEMBERED = 5000;

/** The signed URL of a user's avatar (GET /api/users/{id}/avatar/{version}). */
export async function avatarUrl(s: AvatarSigner, userId: string, version: string): Promise<string> {
  const exp = avatarExpiry(s.now);
  const key = `${userId}/${version}/${exp}`;
  let sig = signatures.get(key);
  if (!sig) {
    if (signatures.size >= MAX_REMEMBERED) signatures.clear();
    sig = signAvatar(s.secret, { userId, version, exp });
    signatures.set(key, sig);
  }
  return `${s.origin}/api/users/${encodeURIComponent(userId)}/avatar/${version}?exp=${exp}&sig=${await sig}`;
}

/** A person as the REST API shows them: `avatarVersion` replaced by its signed `avatarUrl`. */
export async function present<T extends { id: string } & Profile>(s: AvatarSigner, person: Stored<T>): Promise<T> {
  const { avatarVersion, ...rest } = person;
  // Stored<T> is T without avatarUrl: putting it back (or leaving it out) gives T.
  const shown = avatarVersion ? { ...rest, avatarUrl: await avatarUrl(s, person.id, avatarVersion) } : rest;
  return shown as unknown as T;
}

export function presentAll<T extends { id: string } & Profile>(s: AvatarSigner, people: Stored<T>[]): Promise<T[]> {
  return Promise.all(people.map((p) => present<T>(s, p)));
}

/** A room as a member sees it, its DM partner's avatar signed. */
export async function presentRoom(s: AvatarSigner, room: StoredRoom): Promise<Room> {
  const { dmWith, ...rest } = room;
  return dmWith ? { ...rest, dmWith: await present<DmPartner>(s, dmWith) } : rest;
}

/** Someone's account as others see it (no settings): GET /api/users/{id}, and the avatar routes' answer. */
export function presentUser(s: AvatarSigner, row: { id: string; username: string; created_at: number } & ProfileColumns): Promise<User> {
  return present<User>(s, { id: row.id, username: row.username, ...storedProfile(row), createdAt: new Date(row.created_at).toISOString() });
}
