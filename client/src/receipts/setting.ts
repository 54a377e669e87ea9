/**
 * My read-receipts setting (`PATCH /api/me {"readReceipts"}`), on by default. Off, my reads
 * are no receipts and, as in Signal, I see no one else's (docs/protocol.md "Read receipts").
 */
import { computed } from "@preact/signals";
import { api } from "../api";
import { currentUser } from "../session";

/** Whether I send read receipts, and so see others'. An account that never said otherwise does. */
export const receiptsOn = computed(() => currentUser.value?.readReceipts !== false);

/** Turns my read receipts on or off; the account the server answers with becomes the current user. */
export async function setReceipts(on: boolean): Promise<void> {
  const { user } = await api.updateMe({ readReceipts: on });
  if (currentUser.value?.id === user.id) currentUser.value = user;
}

/**
 * A log-in's answer does not carry the setting (only `GET /api/me` does): asks for it once
 * when it is unknown, so that an account that turned receipts off elsewhere shows them off.
 */
export async function learnReceipts(): Promise<void> {
  if (!currentUser.value || currentUser.value.readReceipts !== undefined) return;
  const { user } = await api.me();
  if (currentUser.value?.id === user.id) currentUser.value = user;
}
