/** The composer's emoji button: the picker's code and data load the first time it opens. */
import { useEffect, useRef, useState } from "preact/hooks";
import { Icon } from "../ui/Icon";

/**
 * A button that opens the emoji picker. The picker's code and data are fetched the first
 * time it opens, so they never weigh on the initial page load.
 */
export function EmojiButton({ onPick }: { onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<"idle" | "loading" | "ready" | "error">("idle");
  const host = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const picker = useRef<HTMLElement | null>(null);
  const latestOnPick = useRef(onPick);
  latestOnPick.current = onPick;

  useEffect(() => {
    if (!open || picker.current) return;
    setStatus("loading");
    import("../emoji").then(
      ({ createPicker }) => {
        const element = createPicker((emoji) => {
          setOpen(false);
          latestOnPick.current(emoji);
        });
        picker.current = element;
        host.current?.appendChild(element);
        setStatus("ready");
      },
      () => setStatus("error"),
    );
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!host.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  useEffect(() => {
    // Put the keyboard in the picker's search box once it is on screen.
    if (!open || status !== "ready") return;
    const timer = setTimeout(() => {
      picker.current?.shadowRoot?.querySelector<HTMLInputElement>("input")?.focus();
    }, 50);
    return () => clearTimeout(timer);
  }, [open, status]);

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
        {status === "loading" && <p class="emoji__status">Loading emoji…</p>}
        {status === "error" && <p class="emoji__status">Could not load the emoji picker.</p>}
      </div>
    </div>
  );
}
