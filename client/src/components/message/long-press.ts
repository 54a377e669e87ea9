/**
 * A long press on a touch screen (phones): a finger held still for LONG_PRESS_MS. The click
 * that the lifted finger would send afterwards is swallowed, so a long press on a reaction chip
 * opens the sheet without also toggling the reaction. Mouse and pen presses are left alone.
 */
import { useRef } from "preact/hooks";

const LONG_PRESS_MS = 500;
/** A finger that moves farther than this is scrolling, not pressing. */
const SLOP_PX = 10;

/**
 * Handlers to spread on the element that can be long-pressed.
 * @example <li {...useLongPress(() => openSheet(message))}>…</li>
 */
export function useLongPress(onLongPress: () => void) {
  const press = useRef<{ x: number; y: number; timer: number } | null>(null);
  const fired = useRef(false);
  const latest = useRef(onLongPress);
  latest.current = onLongPress;

  const cancel = () => {
    if (press.current) clearTimeout(press.current.timer);
    press.current = null;
  };

  return {
    onPointerDown(event: PointerEvent) {
      if (event.pointerType !== "touch") return;
      cancel();
      fired.current = false;
      const timer = window.setTimeout(() => {
        press.current = null;
        fired.current = true;
        latest.current();
      }, LONG_PRESS_MS);
      press.current = { x: event.clientX, y: event.clientY, timer };
    },
    onPointerMove(event: PointerEvent) {
      const start = press.current;
      if (start && Math.hypot(event.clientX - start.x, event.clientY - start.y) > SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onClickCapture(event: MouseEvent) {
      if (!fired.current) return;
      fired.current = false;
      event.preventDefault();
      event.stopPropagation();
    },
    onContextMenu(event: MouseEvent) {
      // A touch screen's own long-press menu (text selection, "copy") would cover ours.
      if (press.current || fired.current) event.preventDefault();
    },
  };
}
