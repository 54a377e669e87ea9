/** Line icons drawn inline (no icon font: the glyphs must not depend on installed fonts). Shared by every folder, so it lives in ui/. */
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
  more: ["M5 12h.01", "M12 12h.01", "M19 12h.01"],
  info: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M12 11v5", "M12 8h.01"],
  smile: [
    "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z",
    "M8.5 14.5s1.3 2 3.5 2 3.5-2 3.5-2",
    "M9 9.5h.01",
    "M15 9.5h.01",
  ],
  // messages
  reply: ["M9 14 4 9l5-5", "M4 9h10.5a5.5 5.5 0 0 1 5.5 5.5V20"],
  pencil: ["M16.5 3.5a2.1 2.1 0 0 1 3 3L8 18l-4 1 1-4z", "M14.5 5.5l3 3"],
  copy: ["M9 9h11v11H9z", "M5 15H4V4h11v1"],
  smilePlus: [
    "M20.5 12a8.5 8.5 0 1 1-6-8.1",
    "M8.5 14.5s1.3 2 3.5 2 3.5-2 3.5-2",
    "M9 9.5h.01",
    "M15 9.5h.01",
    "M19 2v6",
    "M16 5h6",
  ],
  arrowDown: ["M12 5v14", "m19 12-7 7-7-7"],
  arrowUp: ["M12 19V5", "m5 12 7-7 7 7"],
  lock: ["M6 11h12v9H6z", "M8.5 11V8a3.5 3.5 0 0 1 7 0v3"],
  hash: ["M5 9h14", "M5 15h14", "M10 4 8 20", "M16 4l-2 16"],
  users: [
    "M9 4a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
    "M2 20c0-3.6 3.1-6 7-6s7 2.4 7 6",
    "M16 4.5a3.5 3.5 0 0 1 0 7",
    "M18 14c2.4.6 4 2.6 4 5",
  ],
  // media
  paperclip: [
    "M21 11.5 12.5 20a5.5 5.5 0 0 1-7.8-7.8l8.9-8.9a3.7 3.7 0 0 1 5.2 5.2l-8.9 8.9a1.8 1.8 0 0 1-2.6-2.6l8.2-8.2",
  ],
  mic: ["M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z", "M5 11a7 7 0 0 0 14 0", "M12 18v3"],
  file: ["M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z", "M14 3v5h5"],
  download: ["M12 4v11", "m7 10 5 5 5-5", "M5 20h14"],
  trash: ["M4 7h16", "M10 11v6", "M14 11v6", "M6 7l1 13h10l1-13", "M9 7V4h6v3"],
  image: ["M4 5h16v14H4z", "m4 16 5-5 4 4 2-2 5 5", "M15.5 9.5h.01"],
  upload: ["M12 20V9", "m7 13 5-5 5 5", "M5 4h14"],
  // notifications
  bell: ["M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z", "M10 21h4"],
  bellOff: ["M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z", "M10 21h4", "M3 3l18 18"],
  // read receipts
  eye: ["M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z", "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z"],
  eyeOff: ["M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z", "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z", "M3 3l18 18"],
  // offline
  wifiOff: ["M12 19h.01", "M8.5 15.5a5 5 0 0 1 7 0", "M5 12a10 10 0 0 1 14 0", "M2 8.5a15 15 0 0 1 20 0", "M3 3l18 18"],
  // sounds
  volume: ["M4 9h4l5-4v14l-5-4H4z", "M16.5 8.5a5 5 0 0 1 0 7", "M19 6a8.5 8.5 0 0 1 0 12"],
  volumeOff: ["M4 9h4l5-4v14l-5-4H4z", "m17 9 5 6", "m22 9-5 6"],
  // calls
  phone: ["M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2"],
  video: ["M3 7h12v10H3z", "m15 10 6-3v10l-6-3"],
  videoOff: ["M3 7h12v10H3z", "m15 10 6-3v10l-6-3", "M2 3l20 18"],
  micOff: ["M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z", "M5 11a7 7 0 0 0 14 0", "M12 18v3", "M3 3l18 18"],
  /** The handset, turned down (drawn rotated below). */
  hangUp: ["M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2"],
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
      <g transform={name === "hangUp" ? "rotate(135 12 12)" : undefined}>
        {PATHS[name].map((d) => (
          <path key={d} d={d} />
        ))}
      </g>
    </svg>
  );
}
