/**
 * One stored message in the scrollback: author and time (first of a group), the quote it
 * replies to, its attachment and text (the text comes from MessageList as `children`), "(edited)",
 * reaction chips, the read receipts under it, and its actions: the toolbar on hover or focus, the long-press sheet on phones.
 * A deleted message shows as a tombstone.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { formatFull, formatTime } from "../../format";
import { AttachmentView } from "../../media/Attachment";
import { ReadReceipts } from "../../receipts/ReadReceipts";
import type { Message } from "../../types";
import { Avatar } from "../../ui/Avatar";
import { PersonName } from "../../ui/PersonName";
import type { MessageActions } from "./actions";
import { useLongPress } from "./long-press";
import { Reactions } from "./Reactions";
import { ReplyQuote } from "./ReplyQuote";
import { Tombstone } from "./Tombstone";
import { Toolbar } from "./Toolbar";
import "./message.css";

export interface MessageItemProps {
  message: Message;
  /** The first of a group by one author: avatar, name and time shown. */
  first: boolean;
  mine: boolean;
  roomId: string;
  actions: MessageActions;
  /** The keyboard's stop in the list (roving tabindex): Tab reaches this message and its buttons. */
  tabStop: boolean;
  /** Just jumped to: marked for a moment. */
  highlighted: boolean;
  /** The message's text (MessageList's MessageBody). */
  children: ComponentChildren;
}

export function MessageItem({ message, first, mine, roomId, actions, tabStop, highlighted, children }: MessageItemProps) {
  const [reacting, setReacting] = useState(false);
  const longPress = useLongPress(() => {
    if (!message.deleted) actions.sheet.value = message;
  });
  const iso = new Date(message.ts).toISOString();
  // Messages keep the username; the display name and avatar come from the member list.
  const author = { username: message.username, ...actions.profiles.value.get(message.userId) };
  const media = message.attachment !== undefined;
  const editing = actions.editing.value?.seq === message.seq;
  const classes = [
    "msg",
    first && "msg--first",
    mine && "msg--mine",
    message.deleted && "msg--deleted",
    editing && "msg--editing",
    highlighted && "msg--highlight",
    reacting && "msg--engaged",
  ];
  return (
    <li
      class={classes.filter(Boolean).join(" ")}
      tabIndex={tabStop ? 0 : -1}
      data-testid="message"
      data-seq={message.seq}
      data-author={message.username}
      data-kind={message.kind ?? "text"}
      data-deleted={message.deleted ? "true" : undefined}
      {...longPress}
    >
      {/* First, so that Tab from the message reaches its actions before its quote and chips. */}
      {!message.deleted && (
        <Toolbar message={message} actions={actions} reacting={reacting} onReacting={setReacting} tabbable={tabStop} />
      )}
      <div class="msg__gutter">
        {first ? (
          <Avatar name={author.displayName ?? author.username} url={author.avatarUrl} />
        ) : (
          <time class="msg__hover-time" dateTime={iso} title={formatFull(message.ts)}>
            {formatTime(message.ts)}
          </time>
        )}
      </div>
      <div class="msg__content">
        {first ? (
          <div class="msg__meta">
            <PersonName person={author} class="msg__author" />
            {/* A bot or an integration: never taken for the person whose name it may carry. */}
            {message.bot && (
              <span class="msg__bot" title="Written by a bot or an integration (webhook)">
                bot
              </span>
            )}
            <time dateTime={iso} title={formatFull(message.ts)}>
              {formatTime(message.ts)}
            </time>
          </div>
        ) : (
          <span class="sr-only">{message.username}: </span>
        )}
        {message.deleted ? (
          <Tombstone />
        ) : (
          <>
            {message.replyTo && (
              <ReplyQuote reply={message.replyTo} onOpen={() => actions.jumpTo(message.replyTo!.seq)} tabbable={tabStop} />
            )}
            {media && (
              <div class="msg__media">
                <AttachmentView roomId={roomId} message={message} />
              </div>
            )}
            <div class="msg__text">
              {children}
              {message.editedAt !== undefined && (
                <span class="msg__edited" title={`Edited ${formatFull(message.editedAt)}`} data-testid="edited">
                  (edited)
                </span>
              )}
            </div>
            <Reactions message={message} actions={actions} tabbable={tabStop} />
          </>
        )}
        <ReadReceipts receipts={actions.receipts} seq={message.seq} />
      </div>
    </li>
  );
}
