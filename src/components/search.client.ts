/**
 * The search dialog, loaded on first open. Uses Pagefind's JS API (/pagefind/pagefind.js, fetched now and
 * not before). Result text is inserted with textContent; only Pagefind's <mark> highlighting is rebuilt
 * as elements.
 */
import { plural } from "../core/text/plural.ts";

interface PagefindResultData {
  url: string;
  excerpt: string;
  meta: { title?: string };
}
interface Pagefind {
  options(o: Record<string, unknown>): Promise<void>;
  init(): Promise<void>;
  debouncedSearch(q: string, o?: object, ms?: number): Promise<{ results: { data(): Promise<PagefindResultData> }[] } | null>;
}

let dialog: HTMLDialogElement | undefined;
let input: HTMLInputElement;
let list: HTMLUListElement;
let status: HTMLElement;
let pagefind: Promise<Pagefind> | undefined;
let returnFocus: HTMLElement | null = null;

function load(): Promise<Pagefind> {
  const url = "/pagefind/pagefind.js";
  pagefind ??= (import(/* @vite-ignore */ url) as Promise<Pagefind>).then(async (pf) => {
    await pf.options({ excerptLength: 24 });
    await pf.init();
    return pf;
  });
  return pagefind;
}

/** Pagefind excerpts are HTML-escaped text with <mark> around hits: rebuild them as nodes, never as HTML. */
function excerptNodes(excerpt: string): Node[] {
  const decode = document.createElement("textarea");
  return excerpt.split(/(<mark>[\s\S]*?<\/mark>)/).map((part) => {
    const hit = /^<mark>([\s\S]*)<\/mark>$/.exec(part);
    decode.innerHTML = (hit ? hit[1]! : part).replace(/<[^>]*>/g, "");
    if (!hit) return document.createTextNode(decode.value);
    const mark = document.createElement("mark");
    mark.textContent = decode.value;
    return mark;
  });
}

function build(): HTMLDialogElement {
  const d = document.createElement("dialog");
  d.className = "search";
  d.setAttribute("aria-labelledby", "search-title");
  d.innerHTML =
    '<div class="search-head"><h2 id="search-title">Search</h2><button type="button" class="search-close">Close</button></div>' +
    '<form role="search"><label for="search-input" class="sr-only">Search pages and records</label>' +
    '<input id="search-input" type="search" autocomplete="off" spellcheck="false" placeholder="Search pages and records"></form>' +
    '<p class="search-status" role="status" aria-live="polite"></p><ul class="search-results"></ul>';
  input = d.querySelector("input")!;
  list = d.querySelector("ul")!;
  status = d.querySelector("p")!;
  d.querySelector("form")!.addEventListener("submit", (e) => {
    e.preventDefault();
    list.querySelector("a")?.click();
  });
  d.querySelector(".search-close")!.addEventListener("click", () => d.close());
  d.addEventListener("click", (e) => {
    if (e.target === d) d.close();
  });
  // Escape in a search box would first just clear it: close the dialog at once instead.
  d.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      d.close();
    }
  });
  d.addEventListener("close", () => returnFocus?.focus());
  input.addEventListener("input", () => void run(input.value));
  document.body.append(d);
  return d;
}

async function run(q: string): Promise<void> {
  const query = q.trim();
  if (!query) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  let search;
  try {
    search = await (await load()).debouncedSearch(query, {}, 120);
  } catch {
    status.textContent = "Search is unavailable: the index was not built (run npm run build).";
    return;
  }
  if (!search || input.value.trim() !== query) return;
  const data = await Promise.all(search.results.slice(0, 12).map((r) => r.data()));
  if (input.value.trim() !== query) return;
  list.replaceChildren(
    ...data.map((r) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = r.url;
      a.className = "search-title";
      a.textContent = r.meta.title ?? r.url;
      const p = document.createElement("p");
      p.append(...excerptNodes(r.excerpt));
      li.append(a, p);
      return li;
    }),
  );
  const n = search.results.length;
  status.textContent = n === 0 ? `No results for “${query}”` : `${plural(n, "result")} for “${query}”${n > 12 ? ", showing 12" : ""}`;
}

export function openSearch(from: HTMLElement | null): void {
  returnFocus = from;
  dialog ??= build();
  if (!dialog.open) dialog.showModal();
  input.focus();
  input.select();
  void load().catch(() => {});
}
