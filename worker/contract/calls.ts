/**
 * Call facts the worker and the client share. The stock PeerJS client reports a server's
 * refusal by its text alone (an ERROR frame's payload.msg), so these texts are the refusal's
 * identity: Hearth's client finds the refusal by looking its text up here (`callRefusalOf`),
 * never by matching words.
 */

/** People in one call (a mesh: each sends to every other). */
export const MAX_CALL_PEERS = 4;

export const CALL_REFUSALS = {
  missingParameters: "No id, token, or key supplied to websocket server",
  invalidKey: "Invalid key provided",
  invalidToken: "Invalid token provided",
  idTaken: "ID is taken",
  unknownId: "Unknown or expired peer id: get one from POST /api/rooms/{roomId}/calls/peer",
  notAMember: "You are not a member of this room",
  callFull: `This call is full (at most ${MAX_CALL_PEERS} people)`,
} as const;

export type CallRefusal = keyof typeof CALL_REFUSALS;

/** Which refusal a server's message is, or null for any other text. */
export function callRefusalOf(message: string): CallRefusal | null {
  for (const [key, text] of Object.entries(CALL_REFUSALS)) if (text === message) return key as CallRefusal;
  return null;
}
