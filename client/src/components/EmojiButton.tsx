/** The composer's emoji button, and the picker it opens (also used to react to a message). */
import { useEffect, useRef, useState } from "preact/hooks";
import { Icon } from "../ui/Icon";
import { useDismiss } from "../ui/useDismiss";

type PickerStatus = "idle" | "loading" | "ready" | "error";

/**
 * The emoji picker, put into the element `host` refers to while `open`. Its code and data are
 * fetched the first time it opens, so they never weigh on the initial page load; once on
 * screen, the keyboard goes to its search box.
 */
export function useEmojiPicker(open: boolean, onPick: (emoji: string) => void) {
  const [status, setStatus] = useState<PickerStatus>("idle");
  const host = useRef<HTMLDivElement>(null);
  const picker = useRef<HTMLElement | null>(null);
  const latestOnPick = useRef(onPick);
  latestOnPick.current = onPick;

  useEffect(() => {
    if (!open || picker.current) return;
    setStatus("loading");
    import("../emoji").then(
      ({ createPicker }) => {
        const element = createPicker((emoji) => latestOnPick.current(emoji));
        picker.current = element;
        host.current?.appendChild(element);
        setStatus("ready");
      },
      () => setStatus("error"),
    );
  }, [open]);

  useEffect(() => {
    if (!open || status !== "ready") return;
    const timer = setTimeout(() => {
      picker.current?.shadowRoot?.querySelector<HTMLInputElement>("input")?.focus();
    }, 50);
    return () => clearTimeout(timer);
  }, [open, status]);

  return { host, status };
}

/** What the picker's host shows while the picker loads or when it cannot. */
export function PickerStatusLine({ status }: { status: PickerStatus }) {
  if (status === "loading") return <p class="emoji__status">Loading emoji…</p>;
  if (status === "error") return <p class="emoji__status">Could not load the emoji picker.</p>;
  return null;
}

/** A button that opens the emoji picker above the composer. */
export function EmojiButton({ onPick }: { onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const { host, status } = useEmojiPicker(open, (emoji) => {
    setOpen(false);
    onPick(emoji);
  });
  useDismiss(open, [host, button], (how) => {
    setOpen(false);
    if (how === "escape") button.current?.focus();
  });

  return (
    <div class="emoji">
      <button
        ref={button}
        type="button"
        class="icon-btn composer__emoji"
        aria-label="Insert emoji"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <Icon name="smile" size={22} />
      </button>
      <div
        ref={host}
        class="emoji__popover"
        role="dialog"
        aria-label="Emoji picker"
        hidden={!open}
        data-testid="emoji-popover"
      >
        <PickerStatusLine status={status} />
      </div>
    </div>
  );
}
