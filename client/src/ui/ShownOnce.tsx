/**
 * A secret the server shows only once (a bot's token, a webhook's signing secret, an incoming
 * webhook's URL): the value to copy now, a Copy button, and Done to put it away. Nothing keeps
 * it: once dismissed (or the page left) it cannot be shown again, only replaced. Give it
 * `key={value}` so that a new secret starts with its own Copy state.
 */
import { useState } from "preact/hooks";
import "./shown-once.css";

export function ShownOnce({ label, value, testId, onDone }: { label: string; value: string; testId: string; onDone: () => void }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  async function copy() {
    try {
      // Absent outside a secure context; refused without the page's focus or permission.
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <div class="shown-once" data-testid={testId}>
      <span role="status">
        <strong>{label}</strong> (shown once: copy it now)
      </span>
      <code class="shown-once__value">{value}</code>
      {copied === "failed" && <span class="shown-once__hint">This browser did not let the page copy it: select it and copy it yourself.</span>}
      <span class="shown-once__actions">
        <button type="button" class="btn" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
        <button type="button" class="btn" onClick={onDone}>
          Done
        </button>
      </span>
    </div>
  );
}
