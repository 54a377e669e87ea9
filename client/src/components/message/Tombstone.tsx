/** What remains of a deleted message in the scrollback: its place, its author and time, no content. */
export function Tombstone() {
  return (
    <p class="msg__tombstone" data-testid="tombstone">
      message deleted
    </p>
  );
}
