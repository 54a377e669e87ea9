/** Dates, times and the typing line, worded the same everywhere. */
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  month: "long",
  day: "numeric",
});
const dayWithYearFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });

export const formatTime = (ts: number) => timeFormat.format(ts);
export const formatFull = (ts: number) => fullFormat.format(ts);

export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday", "Monday, March 3", or a full date for other years. */
export function formatDay(ts: number): string {
  const now = new Date();
  if (dayKey(ts) === dayKey(now.getTime())) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(ts) === dayKey(yesterday.getTime())) return "Yesterday";
  return new Date(ts).getFullYear() === now.getFullYear()
    ? dayFormat.format(ts)
    : dayWithYearFormat.format(ts);
}

/** "alice is typing…", "alice and bob are typing…", "Several people are typing…" */
export function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}
