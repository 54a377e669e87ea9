/** The client's entry point: mounts the app. */
import { render } from "preact";
import { App } from "./components/App";
import { registerWhenLoaded } from "./offline/service-worker";
import "./styles.css";

render(<App />, document.getElementById("app")!);
// The app shell kept for offline use, and web push (client/public/sw.js).
registerWhenLoaded();
