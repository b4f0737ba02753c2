/**
 * Sorting and filtering for every [data-mt] table on the page. State lives in the URL
 * (?scope=Enterprise&q=audit&sort=-tier; prefixed with "<id>." when a page holds several tables),
 * so a filtered view can be shared. Sorting cycles ascending → descending → data order.
 */
const FIELDS = ["scope", "tier", "status", "domain", "q"] as const;

export function initMasterTables(): void {
  const roots = document.querySelectorAll<HTMLElement>("[data-mt]");
  const updaters: (() => void)[] = [];
  for (const root of roots) updaters.push(init(root, roots.length > 1));
  window.addEventListener("popstate", () => updaters.forEach((u) => u()));
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
    const d = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
    return d * dir || rows.indexOf(a) - rows.indexOf(b);
  };

  const apply = () => {
    const want = inputs.map((el) => el?.value ?? "");
    const words = (want[4] ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    const order = sortCol < 0 ? rows : [...rows].sort(compare);
    for (const r of order) {
      const ok =
        FIELDS.slice(0, 4).every((f, i) => !want[i] || (r.dataset[f] ?? "").split("|").includes(want[i]!)) &&
        words.every((w) => r.dataset.q!.includes(w));
      r.hidden = !ok;
      if (ok) shown++;
      tbody.append(r);
    }
    heads.forEach((th, i) => {
      if (i === sortCol) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    const text = shown === rows.length ? `${shown} ${shown === 1 ? nounOne : noun}` : `Showing ${shown} of ${rows.length} ${noun}`;
    if (count.textContent !== text) count.textContent = text;
  };

  const write = () => {
    const u = new URLSearchParams(location.search);
    FIELDS.forEach((f, i) => {
      const v = inputs[i]?.value;
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
  heads.forEach((th, i) =>
    th.querySelector("button")?.addEventListener("click", () => {
      if (sortCol !== i) [sortCol, dir] = [i, 1];
      else if (dir > 0) dir = -1;
      else sortCol = -1;
      apply();
      write();
    }),
  );
  read();
  return read;
}
