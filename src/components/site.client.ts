/**
 * Page-wide behaviour, loaded on every page: theme select, phone menu, copy buttons on code blocks, and the
 * search opener. The search UI and Pagefind itself are imported only when the reader opens search.
 */
export function initSite(): void {
  copyButtons();
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

/**
 * One "Copy" button per code block of the page's content: a native button (keyboard reachable), named by its
 * text, copying the block's text; a polite live region announces the result ("Copied to clipboard").
 */
function copyButtons(): void {
  const blocks = document.querySelectorAll<HTMLPreElement>("main pre");
  if (!blocks.length) return;
  const status = document.createElement("p");
  status.className = "sr-only";
  status.setAttribute("role", "status");
  document.body.append(status);
  blocks.forEach((pre, i) => {
    const wrap = document.createElement("div");
    wrap.className = "code";
    pre.replaceWith(wrap);
    wrap.append(pre);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    // The visible word, then (for screen readers) which block: the name always starts with what is shown.
    const word = document.createElement("span");
    word.textContent = "Copy";
    const which = document.createElement("span");
    which.className = "sr-only";
    which.textContent = blocks.length > 1 ? ` code block ${i + 1}` : " code";
    button.append(word, which);
    button.dataset.pagefindIgnore = "";
    let timer = 0;
    button.addEventListener("click", async () => {
      const text = codeText(pre.querySelector("code") ?? pre);
      let ok = true;
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        ok = false;
      }
      word.textContent = ok ? "Copied" : "Copy failed";
      status.textContent = "";
      // A fresh text node each time, so the same message is announced again on a second copy.
      requestAnimationFrame(() => (status.textContent = ok ? "Copied to clipboard" : "Could not copy: select the text and copy it"));
      clearTimeout(timer);
      timer = window.setTimeout(() => (word.textContent = "Copy"), 2000);
    });
    wrap.append(button);
  });
}

/**
 * The code of a block as a reader would paste it: gutters (line numbers, the ">" marker: aria-hidden) and notes
 * (data-no-copy) left out; lines drawn as blocks (code frames) joined with newlines.
 */
function codeText(code: HTMLElement): string {
  const clean = (el: Element) => {
    const copy = el.cloneNode(true) as Element;
    for (const x of copy.querySelectorAll('[aria-hidden="true"], [data-no-copy]')) x.remove();
    return copy.textContent ?? "";
  };
  const lines = [...code.children].filter((el) => getComputedStyle(el).display === "block");
  if (!lines.length) return clean(code);
  return lines
    .filter((el) => !el.hasAttribute("data-no-copy"))
    .map(clean)
    .join("\n");
}
