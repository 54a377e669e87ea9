/** The device's notifications switch (the permission is asked only when pressed). */
import "./push.css";
import "../ui/switch.css";
import { Icon } from "../ui/Icon";
import { disablePush, enablePush, pushError, pushState } from "./push";

/** The opt-in for notifications on this device (never a prompt on page load). */
export function PushToggle() {
  const state = pushState.value;
  if (state === "checking" || state === "unsupported" || state === "unavailable") return null;
  const on = state === "on";
  const label =
    state === "busy" ? "Notifications…" : on ? "Notifications on" : state === "denied" ? "Notifications blocked" : "Turn on notifications";
  return (
    <div class="push-toggle">
      <button
        type="button"
        class="side-btn push-toggle__btn"
        aria-pressed={on}
        disabled={state === "busy"}
        data-testid="push-toggle"
        data-state={state}
        onClick={() => void (on ? disablePush() : enablePush())}
      >
        <Icon name={on ? "bell" : "bellOff"} size={18} />
        <span class="push-toggle__label">{label}</span>
        <span class="switch" aria-hidden="true" />
      </button>
      {pushError.value && (
        <p class="push-toggle__error" role="alert">
          {pushError.value}
        </p>
      )}
    </div>
  );
}
