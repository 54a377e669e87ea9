import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { createRouter } from "../../lib/app";
import { errorBody } from "../../lib/errors";
import { ChatService } from "./gen/hearth/v1/chat_pb";
import { handleConnect } from "./service";

/**
 * Connect and gRPC-Web: /hearth.v1.ChatService/<Method> (see proto/hearth/v1/chat.proto).
 * One route per method, with the HTTP methods connect-es accepts for it (GET only for methods
 * marked free of side effects), so that they are in the app's route table (405s name them).
 */
export const connectRoutes = createRouter();

for (const method of ChatService.methods) {
  const verbs = method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ? ["POST", "GET"] : ["POST"];
  connectRoutes.on(verbs, `/${ChatService.typeName}/${method.name}`, async (c) => {
    const res = await handleConnect(c.env, c.req.raw);
    return res ?? c.json(errorBody("not_found", `no method ${c.req.path}`), 404);
  });
}
