import "./push.css";
import { disablePush, enablePush, pushError, pushState } from "./push";

/** The opt-in for notifications on this device (never a prompt on page load). */
export function PushToggle() {
  const state = pushState.value;
  if (state === "unsupported" || state === "unavailable") return null;
  const on = state === "on";
  return (
    <div class="push-toggle">
      <button
        type="button"
        class="side-btn side-btn--small"
        aria-pressed={on}
        disabled={state === "busy"}
        data-testid="push-toggle"
        onClick={() => void (on ? disablePush() : enablePush())}
      >
        {state === "busy" ? "Notifications…" : on ? "🔔 Notifications on" : state === "denied" ? "🔕 Notifications blocked" : "🔕 Turn on notifications"}
      </button>
      {pushError.value && (
        <p class="push-toggle__error" role="alert">
          {pushError.value}
        </p>
      )}
    </div>
  );
}
