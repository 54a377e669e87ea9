/**
 * Reading Hearth's settings from the worker's string variables (see env.ts for what each is
 * and the README's limits table for the defaults).
 */

/** Reads a positive number from a string variable, or the default. */
export function numberVar(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** As numberVar, for a setting where "0" means none of it (no shards, no pause) rather than the default. */
export function numberVarOrZero(value: string | undefined, fallback: number): number {
  return value === "0" ? 0 : numberVar(value, fallback);
}
