/**
 * The read receipts under one message: "Seen" in a DM (under my newest message the other
 * person has read), small avatars of the readers in a room, at most MAX_AVATARS then "+N".
 */
import "./receipts.css";
import { Avatar } from "../ui/Avatar";
import type { RoomReceipts } from "./readers";

/** Avatars shown before the rest are counted as "+N". */
const MAX_AVATARS = 5;

export function ReadReceipts({ receipts, seq }: { receipts: RoomReceipts; seq: number }) {
  const receipt = receipts.at(seq);
  if (!receipt) return null;
  const names = receipt.readers.map((r) => r.username).join(", ");
  if (receipt.dm) {
    return (
      <p class="receipts receipts--seen" title={`Seen by ${names}`} data-testid="read-receipt">
        Seen
      </p>
    );
  }
  const shown = receipt.readers.slice(0, MAX_AVATARS);
  const more = receipt.readers.length - shown.length;
  return (
    <p class="receipts" title={`Read by ${names}`} data-testid="read-receipt">
      {shown.map((reader) => (
        <Avatar key={reader.id} name={reader.username} small />
      ))}
      {more > 0 && (
        <span class="receipts__more" aria-hidden="true">
          +{more}
        </span>
      )}
      <span class="sr-only">Read by {names}</span>
    </p>
  );
}
