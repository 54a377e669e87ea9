/** The app shell and its routes: the sign-in form, or the sidebar beside the open room. */
import { useEffect, useState } from "preact/hooks";
import { LocationProvider, Route, Router, lazy, useLocation } from "preact-iso";
import { api, ApiError } from "../api";
import { currentUser, endSession, token, userFromToken } from "../session";
import { forgetRooms, refreshRooms } from "../rooms";
import { initPush } from "../push/push";
import { OfflineBanner } from "../offline/OfflineBanner";
import { keepRooms } from "../offline/rooms-copy";
import { drainWhenReachable } from "../offline/drain";
import { startUserChannel, totalUnread } from "../user-channel";
import { AuthView } from "./AuthView";
import { Sidebar } from "./Sidebar";
import { RingBanner } from "./RingBanner";
import { RoomView } from "./RoomView";
import { Welcome } from "./Welcome";

// The protocol console loads the SignalR and Connect clients: fetched only when /console opens.
const ConsolePage = lazy(() => import("../console/ConsolePage"));
// Search and the mentions view: their own chunks, fetched when first opened.
const SearchPage = lazy(() => import("../search/views").then((m) => m.SearchPage));
const MentionsPage = lazy(() => import("../search/views").then((m) => m.MentionsPage));
// The administration page, for administrators only (docs/admin.md): its own chunk too.
const AdminPage = lazy(() => import("../admin/AdminPage"));

/** Signed out: the log-in form. Signed in: the chat shell. */
export function App() {
  return (
    <LocationProvider>
      {token.value ? <SignedIn /> : <AuthView />}
    </LocationProvider>
  );
}

function SignedIn() {
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (currentUser.value) return;
    let cancelled = false;
    api.me().then(
      ({ user }) => {
        if (!cancelled) currentUser.value = user;
      },
      (err: unknown) => {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) endSession();
        // Offline: the session's own user, with what this device kept (offline/store.ts).
        else if (err instanceof ApiError && err.status === 0 && userFromToken()) currentUser.value = userFromToken();
        else setError(err instanceof ApiError ? err.message : "Could not load your account.");
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  if (!currentUser.value) {
    return (
      <div class="splash" role="status">
        {error ? (
          <>
            <p>{error}</p>
            <button
              type="button"
              class="btn btn--primary"
              onClick={() => {
                setError(null);
                setAttempt(attempt + 1);
              }}
            >
              Try again
            </button>
            <button type="button" class="btn" onClick={endSession}>
              Log out
            </button>
          </>
        ) : (
          <p>Loading…</p>
        )}
      </div>
    );
  }
  return <Shell />;
}

function Shell() {
  const { path, route } = useLocation();
  // At phone width the sidebar gives way to the main area for a room, the console, search,
  // mentions or administration.
  const roomOpen = path.startsWith("/rooms/") || ["/console", "/search", "/mentions", "/admin"].includes(path);

  // Kept on this device for offline use; its stop runs before the list's, which empties it.
  useEffect(() => keepRooms(currentUser.value!.id), []);
  // The room list is loaded once; the per-user channel keeps it (and its badges) current.
  useEffect(() => {
    void refreshRooms();
    const stop = startUserChannel(currentUser.value!);
    return () => {
      stop();
      forgetRooms();
    };
  }, []);
  // Messages written offline in rooms not on screen go out once the server answers.
  useEffect(() => drainWhenReachable(currentUser.value!.id), []);
  // The service worker (web push); a notification click routes here.
  useEffect(() => void initPush((url) => route(url)), []);

  const unread = totalUnread.value;
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Hearth` : "Hearth";
  }, [unread]);

  return (
    <div class="shell" data-view={roomOpen ? "room" : "list"}>
      <OfflineBanner />
      <Sidebar />
      <main class="main" id="main">
        <Router>
          <Route path="/" component={Welcome} />
          <Route path="/rooms/:id" component={RoomView} />
          <Route path="/console" component={ConsolePage} />
          <Route path="/search" component={SearchPage} />
          <Route path="/mentions" component={MentionsPage} />
          <Route path="/admin" component={AdminPage} />
          <Route default component={Welcome} />
        </Router>
      </main>
      <RingBanner />
    </div>
  );
}
