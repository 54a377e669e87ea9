/** The bar across the top of the app while the server cannot be reached. */
import { Icon } from "../ui/Icon";
import { offline } from "./status";
import "./offline.css";

/** Says the app is offline, that what it shows is this device's copy, and what happens to what is written. */
export function OfflineBanner() {
  if (!offline.value) return null;
  return (
    <div class="offline-banner" role="status" data-testid="offline-banner">
      <Icon name="wifiOff" size={18} />
      <p>
        <strong>You're offline.</strong>{" "}
        <span>Showing messages saved on this device; what you write is sent when you're back online.</span>
      </p>
    </div>
  );
}
