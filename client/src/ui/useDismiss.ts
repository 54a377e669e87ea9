/** Closing a popover: Escape, or a pointer pressed outside it (ui/: no page-folder imports). */
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/**
 * While `open`, Escape or a press outside every element of `inside` calls `onDismiss`
 * (`escape` says which: focus goes back to the opener only after Escape).
 * @example useDismiss(open, [popover, button], (how) => { setOpen(false); if (how === "escape") button.current?.focus(); });
 */
export function useDismiss(
  open: boolean,
  inside: RefObject<HTMLElement | null>[],
  onDismiss: (how: "escape" | "outside") => void,
): void {
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      onDismiss("escape");
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!inside.some((ref) => ref.current?.contains(target))) onDismiss("outside");
    };
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);
}
