/**
 * The last branch of a switch over a union: compiling fails when a member is left unhandled.
 * Data from outside (a server's frames) must be narrowed to the known members before it
 * reaches such a switch.
 */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`hearth: unhandled ${what}: ${JSON.stringify(value)}`);
}
