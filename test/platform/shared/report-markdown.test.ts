import { codeBlock, escapeMarkdown, truncate } from "../../../src/platform/shared/report-markdown.js";

describe("report Markdown", () => {
  it("neutralises HTML, Markdown links, mentions and line breaks", () => {
    const out = escapeMarkdown("<img src=x> [x](http://evil) @octocat **bold**\n# title");
    expect(out).toBe("&lt;img src=x&gt; \\[x\\]\\(http://evil\\) @\u200doctocat \\*\\*bold\\*\\* \\# title");
  });

  it("fences a log so its own backticks cannot close the block", () => {
    const block = codeBlock("a ``` b ```` c");
    expect(block.startsWith("`````text\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
  });

  it("truncates to the limit and says so", () => {
    const out = truncate("x".repeat(100), 50);
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out).toContain("truncated");
  });
});
