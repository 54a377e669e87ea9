/** Line icons drawn inline (no icon font: the glyphs must not depend on installed fonts). */
const PATHS = {
  plus: ["M12 5v14", "M5 12h14"],
  search: ["M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14z", "m20 20-3.5-3.5"],
  message: ["M4 5h16v11H9l-5 4z"],
  userPlus: [
    "M9 4a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
    "M2 20c0-3.6 3.1-6 7-6s7 2.4 7 6",
    "M19 8v6",
    "M16 11h6",
  ],
  leave: ["M14 4h5v16h-5", "M9 16l-4-4 4-4", "M5 12h11"],
  back: ["m15 18-6-6 6-6"],
  close: ["M6 6l12 12", "M18 6 6 18"],
  smile: [
    "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z",
    "M8.5 14.5s1.3 2 3.5 2 3.5-2 3.5-2",
    "M9 9.5h.01",
    "M15 9.5h.01",
  ],
  lock: ["M6 11h12v9H6z", "M8.5 11V8a3.5 3.5 0 0 1 7 0v3"],
  hash: ["M5 9h14", "M5 15h14", "M10 4 8 20", "M16 4l-2 16"],
  users: [
    "M9 4a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
    "M2 20c0-3.6 3.1-6 7-6s7 2.4 7 6",
    "M16 4.5a3.5 3.5 0 0 1 0 7",
    "M18 14c2.4.6 4 2.6 4 5",
  ],
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
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
      {PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
