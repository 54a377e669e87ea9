import type { SessionUser } from "../../lib/session-user";
import type { Env } from "../../env";
import type { ChatMessage } from "../../contract/wire";
import type { ChangeInput } from "../../gateway/change";
import { changeMessage } from "../../gateway/change-message";
import { postMessage } from "../../gateway/post";
import { hubRefusal } from "./errors";

/**
 * The hub methods that write messages (SendMessage, SendReply, EditMessage, DeleteMessage,
 * React), through the room core like every protocol. Each returns the message in its new state,
 * the same object ReceiveMessage and MessageUpdated carry, or throws the refusal as a HubError.
 * Arguments arrive type-checked (methods.ts); the rules of messages are the gateway's.
 */

/** A clientId the client left out (absent, null or ""): none. */
const given = (clientId: string | null | undefined) => (clientId ? { clientId } : {});

/** Stores a message, a reply when `replyTo` is a seq; without a clientId one is made up (each call is then a new message). */
export async function send(env: Env, user: SessionUser, roomId: string, body: string, clientId: string | null | undefined, replyTo?: number): Promise<ChatMessage> {
  const input = { clientId: clientId || `sr-${crypto.randomUUID()}`, body, ...(replyTo === undefined ? {} : { replyTo }) };
  const result = await postMessage(env, roomId, user, input, "signalr");
  if (result.ok) return result.message;
  throw hubRefusal(result);
}

/** Edits, deletes or reacts (gateway/change-message.ts); with a clientId a retry is answered, not applied again. */
export async function change(env: Env, user: SessionUser, roomId: string, input: ChangeInput, clientId: string | null | undefined): Promise<ChatMessage> {
  const result = await changeMessage(env, roomId, user, { ...input, ...given(clientId) }, "signalr");
  if (result.ok) return result.message;
  throw hubRefusal(result);
}
