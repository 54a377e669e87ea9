/** A bell (or a struck-out one) drawn inline like the app's other icons: no emoji font needed. */
export function BellIcon({ off = false, size = 16 }: { off?: boolean; size?: number }) {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      stroke-width={2}
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z" />
      <path d="M10 21h4" />
      {off && <path d="M3 3l18 18" />}
    </svg>
  );
}
