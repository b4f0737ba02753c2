/**
 * Sorting and filtering for every [data-mt] table on the page. State lives in the URL
 * (?scope=Enterprise&variant=prod&overdue=1&q=audit&sort=-tier; prefixed with "<id>." when a page holds
 * several tables), so a filtered view can be shared. Sorting cycles ascending → descending → data order.
 * The header row stays in view while the page scrolls past the table (stickyHeads).
 */
import { plural } from "../core/text/plural.ts";

/** Select filters (row data-* holds "|"-separated values), then the Overdue checkbox, then the text box. */
const SELECTS = ["scope", "tier", "status", "domain", "variant"] as const;
const FIELDS = [...SELECTS, "overdue", "q"] as const;
const OVERDUE = SELECTS.length;
const TEXT = OVERDUE + 1;

/** A checkbox's value counts only when it is checked. */
const controlValue = (el: HTMLInputElement | HTMLSelectElement | null) =>
  !el ? "" : el instanceof HTMLInputElement && el.type === "checkbox" ? (el.checked ? el.value : "") : el.value;

export function initMasterTables(): void {
  const roots = document.querySelectorAll<HTMLElement>("[data-mt]");
  const updaters: (() => void)[] = [];
  for (const root of roots) updaters.push(init(root, roots.length > 1));
  window.addEventListener("popstate", () => {
    for (const u of updaters) u();
  });
  stickyHeads(roots);
}

/**
 * A table that fits its column scrolls with the page, its header stuck under the page header by CSS
 * (class mt-fits: no scroll box of its own). A wider one scrolls sideways in its box; a box that scrolls
 * sideways also clips vertically, so CSS sticky cannot reach the page there, and the header cells are moved
 * down by the distance the table's top has passed under the page header instead.
 */
function stickyHeads(roots: NodeListOf<HTMLElement>): void {
  const tables = [...roots].map((root) => ({
    root,
    box: root.querySelector<HTMLElement>(".mt-scroll")!,
    heads: [...root.querySelectorAll<HTMLElement>("thead th")],
  }));
  const top = () => document.querySelector<HTMLElement>("header.top")?.getBoundingClientRect().bottom ?? 0;
  let frame = 0;
  const place = () => {
    frame = 0;
    const below = top();
    for (const t of tables) {
      if (t.root.classList.contains("mt-fits")) continue;
      const r = t.box.getBoundingClientRect();
      const head = t.heads[0]?.offsetHeight ?? 0;
      const shift = Math.max(0, Math.min(below - r.top, r.height - head * 2));
      const value = shift > 0 ? `translateY(${Math.round(shift)}px)` : "";
      for (const th of t.heads) if (th.style.transform !== value) th.style.transform = value;
    }
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(place);
  };
  const fit = () => {
    for (const t of tables) {
      // Measured with the box as a scroll box: does the table need more width than the column gives it?
      t.root.classList.remove("mt-fits");
      const fits = t.box.scrollWidth <= t.box.clientWidth + 1;
      t.root.classList.toggle("mt-fits", fits);
      if (fits) for (const th of t.heads) th.style.transform = "";
    }
    place();
  };
  fit();
  new ResizeObserver(() => fit()).observe(document.documentElement);
  window.addEventListener("scroll", schedule, { passive: true });
}

function init(root: HTMLElement, prefixed: boolean): () => void {
  const param = (k: string) => (prefixed ? `${root.dataset.mt}.${k}` : k);
  const form = root.querySelector("form")!;
  const tbody = root.querySelector("tbody")!;
  const count = root.querySelector<HTMLElement>("[data-count]")!;
  const heads = [...root.querySelectorAll<HTMLTableCellElement>("thead th")];
  const rows = [...tbody.rows];
  const noun = root.dataset.noun!;
  const nounOne = root.dataset.nounOne!;
  const inputs = FIELDS.map((f) => form.elements.namedItem(f) as HTMLInputElement | HTMLSelectElement | null);
  let sortCol = -1;
  let dir = 1;
  form.hidden = false;

  const key = (r: HTMLTableRowElement) => {
    const c = r.cells[sortCol]!;
    return c.dataset.v ?? c.textContent!.trim();
  };
  const compare = (a: HTMLTableRowElement, b: HTMLTableRowElement) => {
    const x = key(a);
    const y = key(b);
    const nx = Number(x);
    const ny = Number(y);
    const d =
      x !== "" && y !== "" && !Number.isNaN(nx) && !Number.isNaN(ny)
        ? nx - ny
        : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
    return d * dir || rows.indexOf(a) - rows.indexOf(b);
  };

  const apply = () => {
    const want = inputs.map(controlValue);
    const words = (want[TEXT] ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    const order = sortCol < 0 ? rows : [...rows].sort(compare);
    for (const r of order) {
      const ok =
        SELECTS.every((f, i) => !want[i] || (r.dataset[f] ?? "").split("|").includes(want[i]!)) &&
        (!want[OVERDUE] || r.dataset.overdue === "1") &&
        words.every((w) => r.dataset.q!.includes(w));
      r.hidden = !ok;
      if (ok) shown++;
      tbody.append(r);
    }
    heads.forEach((th, i) => {
      if (i === sortCol) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    const text = shown === rows.length ? plural(shown, nounOne, noun) : `Showing ${shown} of ${rows.length} ${noun}`;
    if (count.textContent !== text) count.textContent = text;
  };

  const write = () => {
    const u = new URLSearchParams(location.search);
    FIELDS.forEach((f, i) => {
      const v = controlValue(inputs[i] ?? null);
      if (v) u.set(param(f), v);
      else u.delete(param(f));
    });
    if (sortCol < 0) u.delete(param("sort"));
    else u.set(param("sort"), (dir < 0 ? "-" : "") + heads[sortCol]!.dataset.col);
    const qs = u.toString();
    history.replaceState(history.state, "", `${location.pathname}${qs ? `?${qs}` : ""}${location.hash}`);
  };

  const read = () => {
    const u = new URLSearchParams(location.search);
    FIELDS.forEach((f, i) => {
      const el = inputs[i];
      if (!el) return;
      if (el instanceof HTMLInputElement && el.type === "checkbox") {
        el.checked = u.get(param(f)) === el.value;
        return;
      }
      el.value = u.get(param(f)) ?? "";
      if (el.value !== (u.get(param(f)) ?? "")) el.value = ""; // a select without that option
    });
    const s = u.get(param("sort")) ?? "";
    dir = s.startsWith("-") ? -1 : 1;
    sortCol = heads.findIndex((th) => th.dataset.col === s.replace(/^-/, ""));
    apply();
  };

  form.addEventListener("input", () => {
    apply();
    write();
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("reset", () =>
    setTimeout(() => {
      apply();
      write();
    }),
  );
  for (const [i, th] of heads.entries()) {
    th.querySelector("button")?.addEventListener("click", () => {
      if (sortCol !== i) [sortCol, dir] = [i, 1];
      else if (dir > 0) dir = -1;
      else sortCol = -1;
      apply();
      write();
    });
  }
  read();
  return read;
}
