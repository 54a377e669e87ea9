import { HTTPException } from "hono/http-exception";
import { adminRoutes } from "./admin/routes";
import { authRoutes } from "./auth/routes";
import { callRoutes } from "./calls/routes";
import { renderDocs } from "./docs/render";
import { createRouter } from "./lib/app";
import { ApiError, errorBody } from "./lib/errors";
import { jsonErrors, lazyRouteTable, methodGuard, methodNotAllowed } from "./lib/routing";
import { securityHeaders } from "./lib/security-headers";
import { mediaRoutes } from "./media/routes";
import { avatarRoutes } from "./people/avatar-routes";
import { peopleRoutes } from "./people/routes";
import { pushRoutes } from "./push/routes";
import { roomRoutes } from "./rooms-http/routes";
import { socketRoutes } from "./rooms-http/socket-routes";
import { systemRoutes } from "./stats/routes";
import { connectRoutes } from "./protocols/connect/routes";
import { signalrRoutes } from "./protocols/signalr/routes";
import { userChannelRoutes } from "./users/routes";
import { searchRoutes } from "./search/routes";

export { RoomObject } from "./room/RoomObject";
export { RoomShard } from "./room/RoomShard";
export { StatsObject } from "./stats/StatsObject";
export { CallObject } from "./calls/CallObject";
export { UserObject } from "./users/UserObject";
export { CopyBatcher } from "./copy/CopyBatcher";

const app = createRouter();

app.use("*", securityHeaders);
// Every 4xx/5xx is JSON, and a known path with a method it does not serve is 405 with Allow;
// both read one route table, built from app.routes on first use (every route below is registered by then).
const routes = lazyRouteTable(() => app.routes);
app.use("*", jsonErrors(routes));
app.use("*", methodGuard(routes));

const api = createRouter();
api.route("/", authRoutes);
api.route("/", adminRoutes);
api.route("/", socketRoutes);
api.route("/", userChannelRoutes);
api.route("/", mediaRoutes); // before roomRoutes: its signed routes take no bearer token
api.route("/", avatarRoutes); // its signed routes take no bearer token either
api.route("/", peopleRoutes);
api.route("/", roomRoutes);
api.route("/", pushRoutes);
api.route("/", searchRoutes);
app.route("/api", api);
app.route("/", systemRoutes);
app.route("/", signalrRoutes);
app.route("/", connectRoutes); // Connect and gRPC-Web: /hearth.v1.ChatService/<Method>
app.route("/", callRoutes); // /api/rooms/:id/calls* and the PeerJS server under /peerjs

app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
const OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "Hearth",
    version: "0.1.0",
    description:
      "Self-hosted real-time chat. Errors are {\"error\":{\"code\",\"message\"}} on every path; a method a path does not serve is 405 `method_not_allowed` with an Allow header. The WebSocket protocol is in docs/protocol.md.",
  },
};
app.doc31("/api/openapi.json", OPENAPI);
app.get("/api/docs", (c) => c.html(renderDocs(app.getOpenAPI31Document(OPENAPI) as unknown as Record<string, unknown>)));

// Unknown paths under the server's prefixes (/api, /peerjs, /hubs, /signalr, the Connect
// service) answer 404 JSON; every other GET is the client (single-page app), which serves
// GET and HEAD only.
app.all("*", (c) => {
  if (routes().isServerPath(c.req.path)) return c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`), 404);
  if (c.req.method !== "GET" && c.req.method !== "HEAD") return methodNotAllowed(c.req.method, c.req.path, ["GET", "HEAD"]);
  return c.env.ASSETS.fetch(c.req.raw);
});
app.notFound((c) => c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`), 404));

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.status);
  if (err instanceof HTTPException) {
    // Raised by Hono's body validator: a body that is not JSON, or not declared as JSON.
    if (err.status === 400) return c.json(errorBody("bad_request", "the body is not valid JSON"), 400);
    if (err.status === 415) {
      return c.json(errorBody("unsupported_media_type", "send the body as JSON with `content-type: application/json`"), 415);
    }
    return c.json(errorBody("http_error", err.message || "request refused"), err.status);
  }
  console.error("unhandled error", err);
  return c.json(errorBody("internal", "something went wrong on our side"), 500);
});

export default app;
