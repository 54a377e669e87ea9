/**
 * Who a request or socket acts for, once its session token or ticket is verified
 * (auth/tokens.ts issues and checks them). Every area takes it; only auth/ makes it.
 */
export interface SessionUser {
  id: string;
  username: string;
  /** When the session behind this user ends (seconds since the epoch): sockets close then. */
  sessionExp?: number;
  /** The account's role now (read with the session's check; absent for a room's own bookkeeping). */
  role?: "admin" | "member" | "bot";
  /** A bot's token, as its hash (auth/bot-tokens.ts): a connection that outlives a request checks it is still the bot's. */
  credential?: string;
}
