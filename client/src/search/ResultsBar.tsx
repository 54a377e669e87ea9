/** The header of the search panel and the mentions view; at phone width, a way back to the rooms. */
import type { ComponentChildren } from "preact";
import { Icon } from "../ui/Icon";

export function ResultsBar({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="results-bar">
      <a href="/" class="icon-btn results-bar__back" aria-label="Back to rooms">
        <Icon name="back" size={22} />
      </a>
      <div class="results-bar__heading">
        <h1 class="results-bar__title" id="results-title">
          {title}
        </h1>
        {children && <p class="results-bar__sub">{children}</p>}
      </div>
    </header>
  );
}
