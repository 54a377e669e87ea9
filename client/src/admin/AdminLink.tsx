/** The sidebar's way into the administration page, for administrators only. The page itself is lazy. */
import { useLocation } from "preact-iso";
import { currentUser } from "../session";
import { Icon } from "../ui/Icon";

export function AdminLink() {
  const { path } = useLocation();
  if (currentUser.value?.role !== "admin") return null;
  return (
    <div class="console-link">
      <a href="/admin" class="side-btn console-link__a" aria-current={path === "/admin" ? "page" : undefined} data-testid="admin-link">
        <Icon name="lock" size={16} /> Administration
      </a>
    </div>
  );
}
