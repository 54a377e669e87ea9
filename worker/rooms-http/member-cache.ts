/**
 * The membership cache moved to gateway/membership.ts. RoomObject still imports DEPARTURE_MS
 * from here; this re-export goes once worker/room/ (being split by its own developer) imports
 * it from the gateway.
 */
export { DEPARTURE_MS } from "../gateway/membership";
