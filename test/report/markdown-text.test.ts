import { codeBlock, escapeMarkdown, truncateText } from "../../src/report/markdown-text.js";

describe("report Markdown", () => {
  it("neutralises HTML, Markdown links, mentions and line breaks", () => {
    const out = escapeMarkdown("<img src=x> [x](http://evil) @octocat **bold**\n#1 title");
    expect(out).not.toMatch(/<|>|\[x\]\(|@octocat|\*\*bold\*\*|#1|http:\/\//);
    expect(out).toContain("&lt;img src=x&gt;");
  });

  it("fences a log so its own backticks cannot close the block", () => {
    const block = codeBlock("a ``` b ```` c");
    expect(block.startsWith("`````text\n")).toBe(true); // longer than the longest run inside
    expect(block.endsWith("\n`````")).toBe(true);
  });

  it("truncates to the limit and says so", () => {
    const out = truncateText("x".repeat(100), 50, "… (truncated)");
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out).toContain("truncated");
  });
});
