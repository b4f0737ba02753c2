/** Inline Markdown of record prose: underscores are literal (identifiers), asterisks still emphasize. */
import { describe, expect, test } from "bun:test";
import { inlineMarkdown } from "../../src/site/safe.ts";

describe("inline Markdown of record text", () => {
  test("underscores never make emphasis: __proto__ and snake_case_name show literally", () => {
    expect(inlineMarkdown("drops __proto__, constructor and prototype keys")).toBe("drops __proto__, constructor and prototype keys");
    expect(inlineMarkdown("__proto__")).toBe("__proto__");
    expect(inlineMarkdown("set snake_case_name or _private_ and __dunder__ or ___x___")).toBe(
      "set snake_case_name or _private_ and __dunder__ or ___x___",
    );
    expect(inlineMarkdown("FLAG_NAME_ONE and FLAG_NAME_TWO")).toBe("FLAG_NAME_ONE and FLAG_NAME_TWO");
  });

  test("asterisks still make strong and emphasis, code spans and links keep underscores", () => {
    expect(inlineMarkdown("**bold** and *em*")).toBe("<strong>bold</strong> and <em>em</em>");
    expect(inlineMarkdown("**__proto__** stays bold")).toBe("<strong>__proto__</strong> stays bold");
    expect(inlineMarkdown("`__proto__` in code")).toBe("<code>__proto__</code> in code");
    expect(inlineMarkdown("[snake_case](https://example.com/a_b_c)")).toBe(
      '<a href="https://example.com/a_b_c" rel="nofollow noopener noreferrer">snake_case</a>',
    );
    expect(inlineMarkdown("an escaped \\_ stays")).toBe("an escaped _ stays");
  });
});
