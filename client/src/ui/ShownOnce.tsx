/**
 * A secret the server shows only once (a bot's token, a webhook's signing secret, an incoming
 * webhook's URL): the value to copy now, a Copy button, and Done to put it away. Nothing keeps
 * it: once dismissed (or the page left) it cannot be shown again, only replaced.
 */
import { useState } from "preact/hooks";
import "./shown-once.css";

export function ShownOnce({ label, value, testId, onDone }: { label: string; value: string; testId: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard?.writeText(value).catch(() => {});
    setCopied(true);
  }
  return (
    <div class="shown-once" role="status" data-testid={testId}>
      <span>
        <strong>{label}</strong> (shown once: copy it now)
      </span>
      <code class="shown-once__value">{value}</code>
      <span class="shown-once__actions">
        <button type="button" class="btn" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" class="btn" onClick={onDone}>
          Done
        </button>
      </span>
    </div>
  );
}
