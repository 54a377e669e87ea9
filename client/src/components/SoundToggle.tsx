/** The sidebar's switch for Hearth's sounds (rings, mentions, direct messages), kept per browser. */
import { setSounds, soundsOn } from "../user-channel";
import { Icon } from "../ui/Icon";
import "./live.css";
import "../ui/switch.css";

export function SoundToggle() {
  const on = soundsOn.value;
  return (
    <div class="sound-toggle">
      <button
        type="button"
        class="side-btn sound-toggle__btn"
        aria-pressed={on}
        data-testid="sound-toggle"
        onClick={() => setSounds(!on)}
      >
        <Icon name={on ? "volume" : "volumeOff"} size={18} />
        <span class="sound-toggle__label">Sounds</span>
        <span class="switch" aria-hidden="true" />
      </button>
    </div>
  );
}
