/** Media controls' icons: the shared ones, a little larger. */
import { Icon, type IconName } from "../ui/Icon";

/** Media controls use the shared icons a little larger. */
export function MediaIcon({ name, size = 20 }: { name: IconName; size?: number }) {
  return <Icon name={name} size={size} />;
}

/** The paper-plane glyph of the composer's send button. */
export function SendGlyph() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6l-.01 6.53L15 12 3.39 13.87z" />
    </svg>
  );
}
