/**
 * The message a reply answers, quoted above it (author and excerpt): a click brings the
 * original into view. Above the composer while a reply is written it is plain text.
 */
import type { ReplyRef } from "../../types";
import { Icon } from "../../ui/Icon";

export function ReplyQuote({ reply, onOpen, tabbable = true }: { reply: ReplyRef; onOpen?: () => void; tabbable?: boolean }) {
  const content = reply.deleted ? (
    <span class="quote__text quote__text--gone">original message deleted</span>
  ) : (
    <>
      <span class="quote__author">{reply.username}</span>
      <span class="quote__text">{reply.excerpt || "(no text)"}</span>
    </>
  );
  if (!onOpen || reply.deleted) {
    return (
      <div class="quote" data-testid="reply-quote">
        <Icon name="reply" size={14} />
        <span class="sr-only">In reply to </span>
        {content}
      </div>
    );
  }
  return (
    <button type="button" tabIndex={tabbable ? 0 : -1} class="quote quote--link" title="Show the original message" onClick={onOpen} data-testid="reply-quote">
      <Icon name="reply" size={14} />
      <span class="sr-only">In reply to </span>
      {content}
    </button>
  );
}

