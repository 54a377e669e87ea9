import { defineConfig } from "vitest/config";
import { workerdTests } from "./vitest.config.ts";

/**
 * Big rooms (docs/architecture.md "Big rooms") at a small scale: the room object holds 2 sockets
 * itself, each shard 2, and a room has at most 3 shards, so the 9th socket is refused with
 * room_full. A world of its own, because every other test's room is full at 8 sockets.
 */
export default defineConfig(() =>
  workerdTests(["test/shards/**/*.test.ts"], { MAX_ROOM_CONNECTIONS: "2", ROOM_SHARD_CONNECTIONS: "2", MAX_ROOM_SHARDS: "3" }),
);
