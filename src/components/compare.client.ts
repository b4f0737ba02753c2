/**
 * The compare form, enhanced: on a static host (no src/site/serve.ts to answer ?a=…&b=…) it goes straight
 * to the pair's page, and it says so when A and B are the same. Without JavaScript the form still works
 * with our server; every pair page exists either way.
 */
import { COMPARE_PATH, comparePairOf, comparePairPath } from "../site/compare-url.ts";

export function initCompareForm(): void {
  const form = document.querySelector<HTMLFormElement>("form[data-compare-form]");
  if (!form) return;
  const a = form.elements.namedItem("a") as HTMLSelectElement | null;
  const b = form.elements.namedItem("b") as HTMLSelectElement | null;
  const error = form.querySelector<HTMLElement>("[data-compare-error]");
  if (!a || !b) return;
  const known = (select: HTMLSelectElement, value: string) => [...select.options].some((o) => o.value === value && value !== "");
  const params = new URLSearchParams(location.search);
  if (location.pathname === COMPARE_PATH) {
    const pair = comparePairOf(params);
    if (pair && known(a, pair.a) && known(b, pair.b)) {
      location.replace(comparePairPath(pair.a, pair.b));
      return;
    }
    // ?a=prod alone (or a pair that is not one): keep what is valid preselected.
    for (const [select, key] of [
      [a, "a"],
      [b, "b"],
    ] as const) {
      const v = params.get(key);
      if (v !== null && known(select, v)) select.value = v;
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const pair = comparePairOf(new URLSearchParams({ a: a.value, b: b.value }));
    if (!pair || !known(a, pair.a) || !known(b, pair.b)) {
      if (error) error.textContent = a.value && a.value === b.value ? "Choose two different variants." : "Choose variant A and variant B.";
      return;
    }
    location.assign(comparePairPath(pair.a, pair.b));
  });
}
