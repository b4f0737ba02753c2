/** axe-core on every other page type, light theme (2 of 2). Zero violations allowed; see a11y.ts. */
import { setDefaultTimeout } from "bun:test";
import { lightPages, PAGES } from "./a11y.ts";

setDefaultTimeout(60_000);

lightPages(PAGES.filter((_, i) => i % 2 === 1));
