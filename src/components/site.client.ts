/**
 * Page-wide behaviour, loaded on every page: theme select, phone menu, and the search opener. The search
 * UI and Pagefind itself are imported only when the reader opens search.
 */
export function initSite(): void {
  const root = document.documentElement;

  const select = document.querySelector<HTMLSelectElement>("[data-theme-select]");
  if (select) {
    select.value = root.dataset.theme ?? "auto";
    select.closest("label")!.hidden = false;
    select.addEventListener("change", () => {
      const v = select.value;
      try {
        if (v === "auto") localStorage.removeItem("theme");
        else localStorage.setItem("theme", v);
      } catch {
        /* storage may be blocked; the choice then lasts for this page only */
      }
      if (v === "auto") delete root.dataset.theme;
      else root.dataset.theme = v;
    });
  }

  const menu = document.querySelector<HTMLButtonElement>("[data-menu]");
  const sidebar = document.getElementById("sidebar");
  if (menu && sidebar) {
    menu.hidden = false;
    const set = (open: boolean) => {
      menu.setAttribute("aria-expanded", String(open));
      sidebar.classList.toggle("open", open);
    };
    menu.addEventListener("click", () => set(menu.getAttribute("aria-expanded") !== "true"));
    window.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && sidebar.classList.contains("open")) {
        set(false);
        menu.focus();
      }
    });
  }

  const opener = document.querySelector<HTMLButtonElement>("[data-search-open]");
  if (opener) {
    opener.hidden = false;
    const open = () => import("./search.client.ts").then((m) => m.openSearch(opener));
    opener.addEventListener("click", open);
    window.addEventListener("keydown", (e) => {
      const t = e.target as HTMLElement;
      const typing = t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName);
      if ((e.key === "/" && !typing) || (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey))) {
        e.preventDefault();
        open();
      }
    });
  }
}
