/** The sidebar's way into the protocol console. Tiny and static: the page itself is lazy. */
import { useLocation } from "preact-iso";
import { Icon } from "../ui/Icon";
import "./console-link.css";

export function ConsoleLink() {
  const { path } = useLocation();
  return (
    <div class="console-link">
      <a
        href="/console"
        class="side-btn console-link__a"
        aria-current={path === "/console" ? "page" : undefined}
        data-testid="console-link"
      >
        <Icon name="message" size={16} /> Protocol console
      </a>
    </div>
  );
}
