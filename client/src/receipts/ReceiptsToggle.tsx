/** The sidebar's "Send read receipts" switch (an account setting, on every device). */
import "./receipts.css";
import "../ui/switch.css";
import { useEffect } from "preact/hooks";
import { Icon } from "../ui/Icon";
import { useSubmit } from "../ui/useSubmit";
import { learnReceipts, receiptsOn, setReceipts } from "./setting";

/** On: others see how far I have read, and I see theirs. Off: neither (as in Signal). */
export function ReceiptsToggle() {
  const submit = useSubmit();
  const on = receiptsOn.value;
  useEffect(() => void learnReceipts().catch(() => {}), []);

  return (
    <div class="receipts-toggle">
      <button
        type="button"
        role="switch"
        class="side-btn receipts-toggle__btn"
        aria-checked={on}
        disabled={submit.busy}
        title={on ? "Others see how far you have read, and you see theirs" : "No one sees how far you have read, and you see no one's"}
        data-testid="receipts-toggle"
        onClick={() => {
          submit.setError(null);
          void submit.run(() => setReceipts(!on), { release: true, fallback: "Could not change read receipts." });
        }}
      >
        <Icon name={on ? "eye" : "eyeOff"} size={18} />
        <span class="receipts-toggle__label">Send read receipts</span>
        <span class="switch" aria-hidden="true" />
      </button>
      {submit.error && (
        <p class="receipts-toggle__error" role="alert">
          {submit.error}
        </p>
      )}
    </div>
  );
}
