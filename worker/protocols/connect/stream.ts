import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { SessionUser } from "../../lib/session-user";
import type { Env } from "../../env";
import type { ServerFrame } from "../../contract/wire";
import { membershipRefusal } from "../../gateway/membership";
import { subscribeToRoom } from "../../gateway/subscription";
import { closeSocket } from "../../sockets/safe-io";
import { toProto } from "./convert";
import { refusalError, streamEndError, toConnectError } from "./errors";
import { authenticate } from "./session";
import type { StreamMessagesRequest, StreamMessagesResponseSchema } from "./gen/hearth/v1/chat_pb";
import { seqBound } from "./validate";

type StreamItem = MessageInitShape<typeof StreamMessagesResponseSchema>;

/**
 * ChatService.StreamMessages: a subscription socket into the room (gateway/subscription.ts)
 * whose `message` frames, and with `include_updates` its `update` frames, become stream
 * responses in the order the room sent them, until the client goes away or leaves the room.
 * Without `include_updates` an update is dropped: a client written before updates existed
 * sees only responses with `message` set, as it always has.
 */
export async function* streamMessages(
  env: Env,
  req: StreamMessagesRequest,
  ctx: HandlerContext,
): AsyncGenerator<StreamItem> {
  let user: SessionUser;
  try {
    user = await authenticate(env, ctx);
    const refused = await membershipRefusal(env.DB, req.roomId, user.id);
    if (refused) throw refusalError(refused);
  } catch (err) {
    throw toConnectError(err);
  }
  const since = seqBound(req.sinceSeq, "since_seq");
  const sinceChange = seqBound(req.sinceChangeSeq, "since_change_seq");
  if (sinceChange !== undefined && (since === undefined || !req.includeUpdates)) {
    throw new ConnectError("since_change_seq needs since_seq and include_updates", Code.InvalidArgument);
  }
  // Room frames are queued here and yielded in order until the client goes away.
  const queue: StreamItem[] = [];
  let ended: ConnectError | null | undefined;
  let wake: () => void = () => undefined;
  const onFrame = (frame: ServerFrame) => {
    if (frame.type === "message") queue.push({ message: toProto(frame.message) });
    else if (frame.type === "update" && req.includeUpdates) queue.push({ update: { changeSeq: BigInt(frame.changeSeq), message: toProto(frame.message) } });
    else return;
    wake();
  };
  const onClose = (code: number) => {
    ended = streamEndError(code);
    wake();
  };
  const resume = since === undefined ? undefined : { since, ...(sinceChange === undefined ? {} : { sinceChange }) };
  const ws = await subscribeToRoom(env, req.roomId, user, "connect", onFrame, onClose, resume).catch((err) => {
    throw toConnectError(err);
  });
  const abort = () => {
    ended ??= null;
    wake();
  };
  ctx.signal.addEventListener("abort", abort);
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (ended !== undefined) {
        if (ended) throw ended;
        return;
      }
      await new Promise<void>((ok) => (wake = ok));
    }
  } finally {
    ctx.signal.removeEventListener("abort", abort);
    closeSocket(ws, 1000, "stream ended");
  }
}
