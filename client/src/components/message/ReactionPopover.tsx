/**
 * The toolbar's reaction chooser, floating by the button that opened it. It is fixed to the
 * viewport (the scrollback would clip it), below the button or above it when there is no room.
 */
import type { RefObject } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { useDismiss } from "../../ui/useDismiss";
import { ReactionChooser } from "./ReactionChooser";

const GAP_PX = 6;
const MARGIN_PX = 8;

export function ReactionPopover({
  anchor,
  isMine,
  onPick,
  onClose,
}: {
  anchor: RefObject<HTMLElement>;
  isMine: (emoji: string) => boolean;
  onPick: (emoji: string) => void;
  /** `escape`: the keyboard goes back to the anchor. */
  onClose: (how: "escape" | "outside" | "picked") => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  useDismiss(true, [box, anchor], onClose);

  useLayoutEffect(() => {
    const el = box.current;
    const at = anchor.current?.getBoundingClientRect();
    if (!el || !at) return;
    const place = () => {
      const { width, height } = el.getBoundingClientRect();
      const below = at.bottom + GAP_PX;
      const top = below + height <= innerHeight - MARGIN_PX ? below : Math.max(MARGIN_PX, at.top - GAP_PX - height);
      const left = Math.min(Math.max(MARGIN_PX, at.right - width), innerWidth - MARGIN_PX - width);
      el.style.top = `${top}px`;
      el.style.left = `${Math.max(MARGIN_PX, left)}px`;
    };
    place();
    // The full picker makes it taller: place it again.
    const observer = new ResizeObserver(place);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  return (
    <div ref={box} class="react-pop" role="dialog" aria-label="Add a reaction" data-testid="reaction-popover">
      <ReactionChooser
        autoFocus
        isMine={isMine}
        onPick={(emoji) => {
          onPick(emoji);
          onClose("picked");
        }}
      />
    </div>
  );
}
