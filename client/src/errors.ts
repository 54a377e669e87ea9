/**
 * The server's refusals as sentences a person reads. The server writes terse, lowercase
 * fragments for developers (`no user \`bob\``); the client speaks in whole sentences. Known
 * codes get a sentence of our own; anything else is tidied: backticks gone, first letter
 * capitalised, a full stop at the end.
 */
import { MAX_REACTIONS_PER_MESSAGE } from "../../worker/contract/wire";

/** Sentences for codes whose server text is not fit to show as is. */
const SENTENCES: Record<string, string | ((raw: string) => string)> = {
  user_not_found: (raw) => {
    const name = /`([^`]+)`/.exec(raw)?.[1];
    return name ? `There is no user called “${name}”.` : "There is no user with that name.";
  },
  username_taken: (raw) => {
    const name = /`([^`]+)`/.exec(raw)?.[1];
    return name ? `The username “${name}” is taken. Pick another one.` : "That username is taken. Pick another one.";
  },
  invalid_credentials: "Wrong username or password.",
  invalid_token: "Your session has ended. Log in again.",
  unauthorized: "Your session has ended. Log in again.",
  not_a_member: "You are not a member of this room.",
  room_not_found: "This room does not exist.",
  private_room: "This room is private: you need an invitation to join it.",
  dm_members_fixed: "A direct message is between two people; no one else can be added.",
  too_many_devices: "Notifications are on for too many of your devices. Turn them off on one first.",
  push_not_configured: "This Hearth is not set up to send notifications.",
  upload_gone: "This upload was already sent or has expired. Attach the file again.",
  expired_signature: "This link has expired. Open the file again.",
  rate_limited: "You are sending messages too fast. Wait a moment and try again.",
  not_author: "Only its author can change this message (and the room's owner delete it).",
  message_not_found: "That message is no longer in this room.",
  invalid_emoji: "That is not an emoji Hearth can react with.",
  too_many_reactions: `A message can carry at most ${MAX_REACTIONS_PER_MESSAGE} different reactions.`,
  // Search (docs/search.md): the server's text names the query parameter `q`.
  invalid_query: (raw) => sentence(raw.replace(/^q\b/, "the search")),
  invalid_cursor: "These results are out of date. Search again.",
  internal: "Something went wrong on the server. Try again.",
  account_deactivated: "This account is deactivated. Ask an administrator to reactivate it.",
  signup_closed: "Sign-up is closed on this server. Ask an administrator for an account.",
  invite_required: "Sign-up on this server needs an invite. Open the invite link you were given, or paste its code.",
  invalid_invite: "This invite is unknown, expired, revoked or used up. Ask for a new one.",
  not_admin: "Only an administrator can do this.",
  last_admin: "This is the last administrator. Make someone else an administrator first.",
  bad_frame: "The app sent something the server did not understand. Reload the page.",
  unknown_type: "The app sent something the server did not understand. Reload the page.",
  server_full: "The server is busy. Try again in a moment.",
};

/** A sentence for the server's `code` and `message`. */
export function humanError(code: string, raw: string): string {
  const known = SENTENCES[code];
  if (known) return typeof known === "string" ? known : known(raw);
  return sentence(raw);
}

/** `no such file in this room` → "No such file in this room." */
export function sentence(text: string): string {
  const plain = text.replace(/`([^`]*)`/g, "“$1”").replace(/\s+/g, " ").trim();
  if (!plain) return "Something went wrong. Try again.";
  const capital = plain[0]!.toUpperCase() + plain.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}
