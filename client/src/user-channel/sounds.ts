/**
 * Hearth's sounds, drawn with WebAudio (no audio file to fetch): the ring of an incoming call
 * and a short chime for a mention or a direct message. One switch for all of them, kept in
 * localStorage ("hearth.sounds"), on unless turned off.
 *
 * Browsers start an AudioContext suspended until the page has had a user gesture: the first
 * click or key press anywhere resumes it, so a ring that comes later can be heard. Before any
 * gesture a sound is asked for and silently not played.
 */
import { signal } from "@preact/signals";

const KEY = "hearth.sounds";

function stored(): boolean {
  try {
    return localStorage.getItem(KEY) !== "off";
  } catch {
    return true;
  }
}

/** Whether Hearth may play sounds in this browser. */
export const soundsOn = signal(stored());

export function setSounds(on: boolean): void {
  soundsOn.value = on;
  try {
    localStorage.setItem(KEY, on ? "on" : "off");
  } catch {
    // Private mode without storage: the choice lasts until the tab closes.
  }
}

export type SoundName = "ring" | "chime";

/** What was played, for tests and for debugging in the console (`__hearthSounds.played()`). */
const played: SoundName[] = [];
(window as unknown as { __hearthSounds: unknown }).__hearthSounds = { played: () => [...played] };

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  try {
    context ??= new AudioContext();
  } catch {
    return null;
  }
  if (context.state === "suspended") context.resume().catch(() => {});
  return context;
}

for (const type of ["pointerdown", "keydown"] as const) {
  addEventListener(type, () => void audio(), { once: true, capture: true });
}

/** One soft sine note: `at` and `length` in seconds from now. */
function note(ctx: AudioContext, frequency: number, at: number, length: number, volume = 0.18): void {
  const start = ctx.currentTime + at;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "sine";
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0, start);
  gain.gain.linearRampToValueAtTime(volume, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.001, start + length);
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(start + length + 0.05);
}

const TUNES: Record<SoundName, [frequency: number, at: number, length: number][]> = {
  // Two rising pairs, like a phone: played again every few seconds while it rings.
  ring: [
    [660, 0, 0.35],
    [880, 0.12, 0.35],
    [660, 0.6, 0.35],
    [880, 0.72, 0.35],
  ],
  chime: [
    [988, 0, 0.25],
    [1319, 0.09, 0.4],
  ],
};

/** Plays a sound if sounds are on (and the browser lets the page play any). */
export function play(name: SoundName): void {
  if (!soundsOn.value) return;
  played.push(name);
  const ctx = audio();
  if (!ctx) return;
  for (const [frequency, at, length] of TUNES[name]) note(ctx, frequency, at, length);
}
