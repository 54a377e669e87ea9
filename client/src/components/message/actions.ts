/**
 * What a person can do to the messages of the open room, shared by the scrollback (toolbar,
 * long-press sheet, reaction chips, reply quotes) and the composer (reply and edit modes): one
 * object per room screen, holding the state those parts share as signals.
 */
import { batch, computed, signal } from "@preact/signals";
import type { RoomChannel } from "../../room-channel";
import { RoomReceipts } from "../../receipts/readers";
import { currentUser } from "../../session";
import type { Member, Message, Profile, ReplyRef } from "../../types";
import { REPLY_EXCERPT_CHARS } from "../../../../worker/contract/wire";

export class MessageActions {
  /** The message the composer is writing a reply to. */
  readonly replyingTo = signal<Message | null>(null);
  /** The message the composer is editing (its text is in the composer). */
  readonly editing = signal<Message | null>(null);
  /** The message whose deletion waits for a confirmation. */
  readonly deleting = signal<Message | null>(null);
  /** The message whose long-press sheet is open (phones). */
  readonly sheet = signal<Message | null>(null);
  /** The room's members, as its details list them (for reactors' names). */
  readonly members = signal<Member[]>([]);
  /** I own or moderate the room: I may delete anyone's message, and `@room` mentions everyone. */
  readonly mayModerate = signal(false);
  /** Usernames by user id: members, people online, authors of messages shown, and me. */
  readonly names = computed(() => {
    const names = new Map<string, string>();
    for (const m of this.channel.messages.value) names.set(m.userId, m.username);
    for (const u of this.channel.online.value) names.set(u.userId, u.username);
    for (const m of this.members.value) names.set(m.id, m.username);
    names.set(this.channel.me.id, this.channel.me.username);
    return names;
  });

  /**
   * Display names and avatars by user id, for the authors of messages (which carry only the
   * username): the room's members as its details list them, and me as I am now.
   */
  readonly profiles = computed(() => {
    const profiles = new Map<string, Profile>(this.members.value.map((m) => [m.id, m]));
    const me = currentUser.value;
    if (me) profiles.set(me.id, me);
    return profiles;
  });

  /** Who has read how far: "Seen" and readers' avatars under messages. */
  readonly receipts: RoomReceipts;

  constructor(readonly channel: RoomChannel) {
    this.receipts = new RoomReceipts(channel, this.members, this.names);
  }

  get myId(): string {
    return this.channel.me.id;
  }

  canEdit(message: Message): boolean {
    return !message.deleted && message.userId === this.myId;
  }

  canDelete(message: Message): boolean {
    return !message.deleted && (message.userId === this.myId || this.mayModerate.value);
  }

  hasReacted(message: Message, emoji: string): boolean {
    return message.reactions?.some((r) => r.emoji === emoji && r.userIds.includes(this.myId)) ?? false;
  }

  /** Puts my `emoji` on the message, or takes it off if it is there. */
  toggleReaction(message: Message, emoji: string): void {
    this.channel.react(message.seq, emoji, !this.hasReacted(message, emoji));
  }

  reply(message: Message): void {
    batch(() => {
      this.editing.value = null;
      this.replyingTo.value = message;
    });
  }

  edit(message: Message): void {
    if (!this.canEdit(message)) return;
    batch(() => {
      this.replyingTo.value = null;
      this.editing.value = message;
    });
  }

  /** `↑` in an empty composer: edits my newest message still standing; false if there is none. */
  editLast(): boolean {
    const mine = this.channel.messages.value.findLast((m) => this.canEdit(m));
    if (mine) this.edit(mine);
    return mine !== undefined;
  }

  /** Saves the edit under way with `text`; the composer leaves edit mode. */
  saveEdit(text: string): void {
    const message = this.editing.value;
    this.editing.value = null;
    if (message && text.trim() !== message.body) this.channel.edit(message.seq, text);
  }

  askDelete(message: Message): void {
    if (this.canDelete(message)) this.deleting.value = message;
  }

  confirmDelete(): void {
    const message = this.deleting.value;
    if (!message) return;
    batch(() => {
      this.deleting.value = null;
      if (this.editing.value?.seq === message.seq) this.editing.value = null;
      if (this.replyingTo.value?.seq === message.seq) this.replyingTo.value = null;
      this.channel.deleteMessage(message.seq);
    });
  }

  jumpTo(seq: number): void {
    void this.channel.jumpTo(seq);
  }
}

/** The quote a reply to `message` carries until the server sends its own. */
export function quoteOf(message: Message): ReplyRef {
  return {
    seq: message.seq,
    userId: message.userId,
    username: message.username,
    excerpt: [...message.body].slice(0, REPLY_EXCERPT_CHARS).join(""),
    deleted: false,
  };
}
