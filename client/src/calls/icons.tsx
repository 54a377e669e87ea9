/** Line icons for calls, drawn like components/Icon.tsx (inline, no icon font). */
const PATHS = {
  phone: [
    "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  ],
  video: ["M3 7h12v10H3z", "m15 10 6-3v10l-6-3"],
  videoOff: ["M3 7h12v10H3z", "m15 10 6-3v10l-6-3", "M2 3l20 18"],
  mic: ["M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z", "M5 11a7 7 0 0 0 14 0", "M12 18v3"],
  micOff: [
    "M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z",
    "M5 11a7 7 0 0 0 14 0",
    "M12 18v3",
    "M3 3l18 18",
  ],
  /** The handset, turned down (drawn rotated below). */
  hangUp: [
    "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  ],
} as const;

export type CallIconName = keyof typeof PATHS;

export function CallIcon({ name, size = 18 }: { name: CallIconName; size?: number }) {
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
      <g transform={name === "hangUp" ? "rotate(135 12 12)" : undefined}>
        {PATHS[name].map((d) => (
          <path key={d} d={d} />
        ))}
      </g>
    </svg>
  );
}
