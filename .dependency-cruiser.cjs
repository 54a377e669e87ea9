// Structure rules for Hearth, checked by `npm run check:deps` (part of `npm test`).
// Written against the worker's target layout (README, "Run all tests", says the same):
//   floor    worker/contract/ worker/db/ worker/lib/ worker/sockets/ worker/gateway/
//            worker/config.ts worker/env.ts worker/schemas.ts      (anyone may import them)
//   features worker/auth worker/admin worker/bots worker/calls worker/media worker/push worker/room worker/rooms-http
//            worker/protocols/signalr worker/protocols/connect worker/stats worker/docs worker/users worker/search
//            worker/people
//   entry    worker/index.ts                                     (mounts every feature)
// A feature imports another feature only through the files listed in PUBLIC below.
// Generated code (any gen/ folder) is exempt. Type-only imports count (tsPreCompilationDeps).

/** Each feature's public files: what another feature may import. Paths inside the feature. */
const PUBLIC = {
  auth: ["middleware.ts", "tokens.ts", "bearer.ts", "account.ts", "bot-tokens.ts"],
  admin: ["signup-policy.ts"],
  bots: ["webhook-send.ts", "signing.ts"],
  calls: ["CallObject.ts"],
  docs: ["render.ts"],
  media: ["sniff.ts", "signing.ts"],
  people: ["profile.ts"],
  push: ["send.ts"],
  search: ["terms.ts"],
  room: ["RoomObject.ts", "RoomShard.ts"],
  "rooms-http": [],
  "protocols/signalr": [],
  "protocols/connect": [],
  stats: ["StatsObject.ts"],
  users: ["UserObject.ts"],
};
/** What worker/index.ts may import from a feature besides its PUBLIC files: its routers. */
const ENTRY = ["routes.ts", "[a-z-]+-routes.ts"];
const FLOOR_DIRS = ["contract", "db", "lib", "sockets", "gateway"];
const FLOOR_FILES = ["bindings.ts", "config.ts", "env.ts", "schemas.ts"];
const CLIENT_FEATURES = ["media", "push", "calls", "components", "markdown", "mentions", "receipts", "offline", "user-channel", "people", "search"];

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const FEATURES = Object.keys(PUBLIC);
const featureRe = `^worker/(${FEATURES.map(esc).join("|")})/`;
const publicRe = `^worker/(${FEATURES.flatMap((f) => PUBLIC[f].map((p) => esc(`${f}/${p}`))).join("|")})$`;
const entryRe = `^worker/(${FEATURES.map(esc).join("|")})/(${ENTRY.map((e) => e.replace(/\./g, "\\.")).join("|")})$`;
const floorRe = `^worker/((${FLOOR_DIRS.join("|")})/|(${FLOOR_FILES.map(esc).join("|")})$)`;
const GEN = "(^|/)gen/";
// env.ts is the one floor file that names the Durable Object classes: it types the namespaces
// (ROOMS, ROOM_SHARDS, STATS, CALLS, USERS) every area calls. The objects themselves never import env.ts
// (they type their env from bindings.ts), so this makes no cycle.
const DURABLE_OBJECTS_FOR_ENV = "^worker/(room/RoomObject|room/RoomShard|stats/StatsObject|calls/CallObject|users/UserObject)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle (type-only imports count). Move the shared part down to a floor module.",
      from: { path: "^(worker|client/src)/", pathNot: GEN },
      to: { circular: true },
    },
    {
      name: "client-imports-only-contract",
      severity: "error",
      comment: "The client may import from worker/ only worker/contract/**, the modules both sides share.",
      from: { path: "^client/src/" },
      to: { path: "^worker/", pathNot: "^worker/contract/" },
    },
    {
      name: "worker-not-client",
      severity: "error",
      comment: "The worker never imports the client.",
      from: { path: "^worker/" },
      to: { path: "^client/" },
    },
    {
      name: "feature-internals",
      severity: "error",
      comment:
        "A feature imports another feature only through its public files (PUBLIC in .dependency-cruiser.cjs). " +
        "Use a public file, move the shared code to a floor folder, or make the file public on purpose.",
      from: { path: featureRe, pathNot: GEN },
      to: { path: featureRe, pathNot: [`^worker/$1/`, publicRe] },
    },
    {
      name: "entry-imports-public-or-routes",
      severity: "error",
      comment: "worker/index.ts mounts features through their routes.ts and exports their Durable Objects (PUBLIC files).",
      from: { path: "^worker/index\\.ts$" },
      to: { path: featureRe, pathNot: [publicRe, entryRe] },
    },
    {
      name: "floor-not-features",
      severity: "error",
      comment:
        "Floor modules (contract, db, lib, sockets, gateway, config.ts, env.ts, schemas.ts) are imported by features, never the other way round.",
      from: { path: floorRe, pathNot: [GEN, "^worker/env\\.ts$"] },
      to: { path: [featureRe, "^worker/index\\.ts$"] },
    },
    {
      name: "env-names-only-durable-objects",
      severity: "error",
      comment: "worker/env.ts names the Durable Object classes for the namespaces' types, and nothing else of the features.",
      from: { path: "^worker/env\\.ts$" },
      to: { path: [featureRe, "^worker/index\\.ts$"], pathNot: DURABLE_OBJECTS_FOR_ENV },
    },
    {
      name: "contract-self-contained",
      severity: "error",
      comment: "worker/contract/ is shared with the client: it imports nothing else from worker/.",
      from: { path: "^worker/contract/" },
      to: { path: "^worker/", pathNot: "^worker/contract/" },
    },
    {
      name: "client-ui-not-features",
      severity: "error",
      comment: `client/src/ui/ (Icon, Avatar, Modal) is shared: it imports no client feature folder (${CLIENT_FEATURES.join(", ")}).`,
      from: { path: "^client/src/ui/" },
      to: { path: `^client/src/(${CLIENT_FEATURES.join("|")})/` },
    },
    {
      name: "client-markdown-through-index",
      severity: "error",
      comment:
        "The client reaches message formatting only through client/src/markdown/index.ts: the parser " +
        "(markdown-it) must stay in its lazy chunk, which a static import of parse.ts would undo.",
      from: { path: "^client/src/", pathNot: "^client/src/markdown/" },
      to: { path: "^client/src/markdown/", pathNot: "^client/src/markdown/index\\.ts$" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to no file.",
      from: {},
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  required: [
    {
      // One line per module, not per import: a "required" rule whose target never matches
      // (the regex (?!) matches nothing) flags every module it selects.
      name: "worker-layout",
      severity: "warn",
      comment:
        "A worker module outside the layout above, which the feature rules cannot see. Move it, or add its folder to .dependency-cruiser.cjs.",
      module: { path: "^worker/", pathNot: [GEN, featureRe, floorRe, "^worker/index\\.ts$"] },
      to: { path: "(?!)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
