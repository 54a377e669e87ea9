/**
 * Changing my profile: the display name (PATCH /api/me), and the avatar (docs/media.md,
 * "Avatars"): resized to 256 px here, then a signed upload URL of my own, then the bytes. Each
 * keeps `currentUser` as the server answered.
 */
import { api, ApiError } from "../api";
import { currentUser } from "../session";
import type { User } from "../types";
import { resizeToAvatar } from "./resize";

/** Makes `file` my avatar; resolves once the server has stored it. */
export async function uploadAvatar(file: Blob): Promise<void> {
  const image = await resizeToAvatar(file);
  const grant = await api.requestAvatarUpload({ type: image.type, size: image.size });
  let response: Response;
  try {
    response = await fetch(grant.uploadUrl, { method: grant.method, headers: grant.headers, body: image });
  } catch {
    throw new ApiError(0, "network_error", "Cannot reach the server. Check your connection.");
  }
  const data = (await response.json().catch(() => null)) as (User & { error?: { code: string; message: string } }) | null;
  if (!response.ok || !data) throw new ApiError(response.status, data?.error?.code ?? "http_error", data?.error?.message ?? "The picture could not be stored.");
  learnProfile(data);
}

export async function removeAvatar(): Promise<void> {
  learnProfile(await api.removeAvatar());
}

/** Sets my display name (null clears it). */
export async function saveDisplayName(name: string | null): Promise<void> {
  learnProfile((await api.updateMe({ displayName: name })).user);
}

/** My display name and avatar as the server answered them, kept with the rest of my account. */
function learnProfile(user: User): void {
  const me = currentUser.value;
  if (!me || me.id !== user.id) return;
  const { displayName: _name, avatarUrl: _url, ...rest } = me;
  currentUser.value = {
    ...rest,
    ...(user.displayName ? { displayName: user.displayName } : {}),
    ...(user.avatarUrl ? { avatarUrl: user.avatarUrl } : {}),
  };
}
