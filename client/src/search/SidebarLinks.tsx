/**
 * The sidebar's ways into search and the mentions view, and the search shortcut (Ctrl+K, ⌘K,
 * or "/" while not writing). Small and loaded with the shell; the views are lazy.
 */
import { useEffect } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Icon } from "../ui/Icon";
import { forgetSearch, isSearchShortcut, searchFieldWanted, searchPath } from "./nav";
import "./nav.css";

const MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

export function SidebarLinks() {
  const { path, route } = useLocation();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!isSearchShortcut(event)) return;
      event.preventDefault();
      searchFieldWanted.value++;
      if (location.pathname !== "/search") route(searchPath.value);
    };
    addEventListener("keydown", onKey);
    return () => {
      removeEventListener("keydown", onKey);
      forgetSearch(); // the shell goes: signed out
    };
  }, []);

  return (
    <div class="find-links">
      <a
        href={searchPath.value}
        class="find-links__search"
        aria-current={path === "/search" ? "page" : undefined}
        aria-keyshortcuts={MAC ? "Meta+K /" : "Control+K /"}
        data-testid="search-link"
      >
        <Icon name="search" size={16} />
        <span class="find-links__label">Search messages</span>
        <kbd aria-hidden="true">{MAC ? "⌘K" : "Ctrl K"}</kbd>
      </a>
      <a href="/mentions" class="side-btn find-links__a" aria-current={path === "/mentions" ? "page" : undefined} data-testid="mentions-link">
        <span class="find-links__at" aria-hidden="true">
          @
        </span>
        Mentions
      </a>
    </div>
  );
}
