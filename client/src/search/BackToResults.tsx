/** In a room opened from a hit: the way back to the results (search, mentions) it came from. */
import { Icon } from "../ui/Icon";
import { resultsPlace } from "./nav";
import "./nav.css";

export function BackToResults() {
  const place = resultsPlace.value;
  if (!place) return null;
  return (
    <a href={place.path} class="back-to-results" data-testid="back-to-results">
      <Icon name="back" size={16} />
      Back to {place.label}
    </a>
  );
}
