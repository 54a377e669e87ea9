import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/app";
import { jsonResponse } from "../schemas";

/** Health and statistics: public, like the seed's (they reveal counts only). */
export const systemRoutes = createRouter();

systemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["system"],
    summary: "Liveness",
    responses: {
      200: jsonResponse(z.object({ status: z.literal("healthy"), service: z.literal("hearth"), timestamp: z.string() }), "Healthy"),
    },
  }),
  (c) => c.json({ status: "healthy" as const, service: "hearth" as const, timestamp: new Date().toISOString() }, 200),
);

systemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/stats",
    tags: ["system"],
    summary: "Open connections, active rooms, messages accepted (connections lag ~2 s, message counters up to 10 s)",
    responses: {
      200: jsonResponse(
        z.object({
          connections: z.number(),
          activeRooms: z.number(),
          messagesAccepted: z.number(),
          since: z.string(),
          protocols: z.array(
            z.object({
              protocol: z.enum(["websocket", "signalr", "connect", "rest"]),
              connections: z.number().openapi({ description: "open room subscriptions through this protocol" }),
              messagesIn: z.number(),
              messagesOut: z.number().openapi({ description: "message deliveries to clients of this protocol" }),
            }),
          ),
        }),
        "Counters",
      ),
    },
  }),
  async (c) => c.json(await c.env.STATS.getByName("global").snapshot(), 200),
);
