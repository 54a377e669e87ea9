/**
 * Mentions in a message's text as chips: `@username` highlighted, my own in a colour of their
 * own (as Slack does), with the display name as the title when the member has one. Only the
 * room's members are chips, and `@room` only in a message the server marked `mentionsRoom`;
 * any other `@name` stays text. Everything shown is a text node.
 */
import type { ComponentChildren } from "preact";
import { ROOM_MENTION } from "../../../worker/contract/mentions";
import type { Member } from "../types";
import { chipPieces } from "./chips";
import "./mentions.css";

/** Who can be mentioned in the open room, by lower-cased username, and who I am. */
export interface MentionScope {
  me: string;
  members: ReadonlyMap<string, Pick<Member, "username" | "displayName">>;
}

/**
 * The scope of a room: its members (from its details) and me, a member even before those load.
 * @example mentionScope(details.members, me.username)
 */
export function mentionScope(members: readonly Pick<Member, "username" | "displayName">[], me: string): MentionScope {
  const byName = new Map(members.map((m) => [m.username.toLowerCase(), m]));
  const mine = me.toLowerCase();
  if (!byName.has(mine)) byName.set(mine, { username: me });
  return { me: mine, members: byName };
}

function Chip({ username, title, mine, everyone }: { username: string; title?: string; mine: boolean; everyone?: boolean }) {
  const classes = ["mention", mine && "mention--me", everyone && "mention--room"].filter(Boolean).join(" ");
  return (
    <span class={classes} title={title} data-testid="mention" data-mention={username}>
      @{username}
    </span>
  );
}

/**
 * A function that shows a run of a message's text with its mentions as chips, for
 * MessageText's `decorate`. `@room` mentions me too, so it looks like my own.
 * @example <MessageText text={m.body} decorate={mentionChips(scope, m.mentionsRoom === true)} />
 */
export function mentionChips(scope: MentionScope, mentionsRoom: boolean): (text: string) => ComponentChildren {
  const isChip = (name: string) => (name === ROOM_MENTION ? mentionsRoom : scope.members.has(name));
  return (text) =>
    chipPieces(text, isChip).map((piece) => {
      if (typeof piece === "string") return piece;
      if (piece.name === ROOM_MENTION) {
        return <Chip key={piece.start} username={ROOM_MENTION} title="Everyone in the room" mine everyone />;
      }
      const member = scope.members.get(piece.name)!;
      return <Chip key={piece.start} username={member.username} title={member.displayName} mine={piece.name === scope.me} />;
    });
}
