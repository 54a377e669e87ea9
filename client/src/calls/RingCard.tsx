/**
 * An incoming call, with Accept (video), Audio only and Decline: the room's own banner
 * (CallArea) and the app-wide one of the per-user channel (components/RingBanner) both show it.
 */
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";
import type { CallKind } from "./controller";
import { CallIcon } from "./icons";

export interface RingCardProps {
  /** Who calls. */
  caller: string;
  /** Where: the room's label, and anything more to say. */
  where: ComponentChildren;
  /** The call is full: it cannot be accepted. */
  full?: boolean;
  onAnswer(kind: CallKind): void;
  onDecline(): void;
  /** App-wide: an alertdialog over whatever screen is open; in the room: a region whose title is an alert. */
  appWide?: boolean;
  testId: string;
}

export function RingCard({ caller, where, full = false, onAnswer, onDecline, appWide = false, testId }: RingCardProps) {
  const id = useId();
  return (
    <section
      class={appWide ? "ring ring--app" : "ring"}
      data-testid={testId}
      role={appWide ? "alertdialog" : undefined}
      aria-modal={appWide ? false : undefined}
      aria-labelledby={appWide ? `${id}-title` : undefined}
      aria-describedby={appWide ? `${id}-where` : undefined}
      aria-label={appWide ? undefined : "Incoming call"}
    >
      <span class="ring__icon" aria-hidden="true">
        <CallIcon name="phone" size={22} />
      </span>
      <div class="ring__text">
        <p class="ring__title" id={`${id}-title`} role={appWide ? undefined : "alert"}>
          <strong>{caller}</strong> is calling
        </p>
        <p class="ring__sub" id={`${id}-where`}>
          {where}
        </p>
      </div>
      <div class="ring__actions">
        <button type="button" class="call-btn call-btn--accept" onClick={() => onAnswer("video")} disabled={full} data-ring-accept>
          <CallIcon name="video" />
          <span class="call-btn__label">Accept</span>
        </button>
        <button type="button" class="call-btn call-btn--quiet" onClick={() => onAnswer("audio")} disabled={full}>
          <CallIcon name="phone" />
          <span class="call-btn__label">Audio only</span>
        </button>
        <button type="button" class="call-btn call-btn--hangup" onClick={onDecline}>
          <CallIcon name="hangUp" />
          <span class="call-btn__label">Decline</span>
        </button>
      </div>
    </section>
  );
}
