/** The empty chat pane shown before a room is picked. */
import { rooms } from "../rooms";

/** The empty chat pane on wide screens, before a room is picked. */
export function Welcome() {
  const count = rooms.value.length;
  return (
    <section class="welcome" aria-label="Welcome">
      <div class="welcome__art" aria-hidden="true">
        💬
      </div>
      <h1>Welcome to Hearth</h1>
      <p>
        {count > 0
          ? "Pick a room on the left to start chatting."
          : "Create a room, browse the public ones, or send someone a direct message."}
      </p>
    </section>
  );
}
