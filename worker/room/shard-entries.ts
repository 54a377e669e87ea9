import type { Protocol } from "../contract/protocols";
import type { ForwardedTexts } from "./message-frames";

/**
 * What a big room's object and its shards (RoomShard) say to each other over RPC. The room
 * sends each shard an ordered stream of entries, in batches (shard-fanout.ts); a shard tells
 * the room about its sockets (coalesced reports), asks it for each new socket's greeting, and
 * hands it every frame its sockets send.
 */

/** One entry of the room's stream to a shard, applied in order. */
export type ShardEntry =
  /**
   * A frame for every greeted socket of the shard but `skip` (the sender, which got its ack).
   * `seq` (a message) or `changeSeq` (an update) lets the shard drop what a socket's greeting
   * already held, and a batch sent twice. `text` is the frame for version 1 sockets, `v2` its
   * compact texts for version 2 sockets (message-frames.ts).
   */
  | ({ op: "all"; seq?: number; changeSeq?: number; skip?: string } & ForwardedTexts)
  /** A frame for one socket (an ack, an error, a pong). */
  | { op: "to"; sid: string; text: string }
  | { op: "close"; sid: string; code: number; reason: string }
  /** Every socket of a user (left, removed, banned, session ended). */
  | { op: "closeUser"; userId: string; code: number; reason: string }
  /** Every socket (the room was deleted). */
  | { op: "closeAll"; code: number; reason: string };

/** One user of a shard's sockets (however many sockets they have there). */
export interface ShardUser {
  userId: string;
  username: string;
  /** Every socket of theirs on the shard is hidden (away, for pushes). */
  hidden: boolean;
}

/** A shard's sockets, as it reports them to the room (coalesced; RoomObject.shardReport). */
export interface ShardReport {
  sockets: number;
  byProtocol: [Protocol, number][];
  users: ShardUser[];
}

/** The first frames of a new shard socket, computed by the room (Greeting), or why it may not stay. */
export type ShardGreeting =
  | { ok: true; frames: string[]; lastSeq: number; lastChangeSeq: number }
  | { ok: false; code: number; reason: string };

/** What the room object calls on a shard (declared here so that the room needs no import of RoomShard, which calls it). */
export interface ShardRpc extends Rpc.DurableObjectBranded {
  deliver(roomId: string, k: number, batch: ShardEntry[]): Promise<void>;
}
