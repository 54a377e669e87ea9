import { caseInsensitive } from "./names";

/**
 * The hub methods a client may invoke, and the JSON types of their arguments (docs/protocols.md
 * has the table for people). Arguments are checked here before a method runs, strictly, as
 * ASP.NET Core binds them to a typed hub method: a wrong type or count is a Completion error
 * `Failed to invoke 'X': it takes (…) arguments.`, and the connection stays open.
 */

/** `integer`: a JSON number that is a whole number; `string?`: a string or null. */
export type ArgType = "string" | "string?" | "boolean" | "number" | "integer";

export interface Signature {
  args: ArgType[];
  /** Trailing arguments a client may leave out. */
  optional?: ArgType[];
}

/**
 * Every method's signature. The optional arguments: JoinRoom's `sinceSeq` replays what was
 * missed; a `clientId` makes a retry safe, as on Hearth's own socket (SendReply takes one
 * always, null or "" for none).
 */
const HUB_METHODS: Record<string, Signature> = {
  JoinRoom: { args: ["string"], optional: ["number"] },
  LeaveRoom: { args: ["string"] },
  SendMessage: { args: ["string", "string"], optional: ["string"] },
  // (roomId, text, clientId, replyTo)
  SendReply: { args: ["string", "string", "string?", "integer"] },
  // (roomId, seq, text[, clientId])
  EditMessage: { args: ["string", "integer", "string"], optional: ["string?"] },
  // (roomId, seq[, clientId])
  DeleteMessage: { args: ["string", "integer"], optional: ["string?"] },
  // (roomId, seq, emoji, on[, clientId])
  React: { args: ["string", "integer", "string", "boolean"], optional: ["string?"] },
  Typing: { args: ["string", "boolean"] },
};

/** A method by name, however it is cased (as in ASP.NET Core), with its own spelling. */
export const findMethod = caseInsensitive(HUB_METHODS);

function fits(type: ArgType, value: unknown): boolean {
  switch (type) {
    case "string?":
      return value === null || typeof value === "string";
    case "integer":
      return Number.isSafeInteger(value);
    default:
      return typeof value === type;
  }
}

/** Null when `args` fit the signature, or the Completion error that says how they do not. */
export function argumentsError(target: string, signature: Signature, args: unknown): string | null {
  const types = [...signature.args, ...(signature.optional ?? [])];
  if (Array.isArray(args) && args.length >= signature.args.length && args.length <= types.length && args.every((a, i) => fits(types[i]!, a))) return null;
  const described = signature.args.join(", ") + (signature.optional ?? []).map((t) => `[, ${t}]`).join("");
  return `Failed to invoke '${target}': it takes (${described}) arguments.`;
}
