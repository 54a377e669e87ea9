/** The client's entry point: mounts the app. */
import { render } from "preact";
import { App } from "./components/App";
import { registerWhenLoaded } from "./offline/service-worker";
import { wipeWhenSignedOut } from "./offline/wipe";
import "./styles.css";

// Signed out, nothing of the last user stays here (offline/wipe.ts).
wipeWhenSignedOut();
render(<App />, document.getElementById("app")!);
// The app shell kept for offline use, and web push (client/public/sw.js).
registerWhenLoaded();
