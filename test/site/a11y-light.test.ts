/** axe-core on every page type, light theme. Zero violations allowed; see a11y.ts. */
import { setDefaultTimeout } from "bun:test";
import { lightPages, PAGES } from "./a11y.ts";

setDefaultTimeout(60_000);

lightPages(PAGES);
