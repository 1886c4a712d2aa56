import { finding, type Finding, type RuleId } from "../../src/core/finding.js";
import type { BundleResult, CheckResult } from "../../src/core/result.js";
import { checklistItems } from "../../src/report/checklist.js";
import { NOTE_MARKER, renderResultNote } from "../../src/report/gitlab-note.js";
import { LIMITS } from "../../src/report/limits.js";
import { smokeTable } from "../../src/report/markdown-blocks.js";
import { bundleReport, reportModel } from "../../src/report/report-model.js";
import { codeBlock, escapeMarkdown, inlineCode, stripControl, truncateText } from "../../src/report/index.js";

const bundle = (over: Partial<BundleResult> = {}): BundleResult => ({
  path: "executors/encoders/Foo",
  conclusion: "success",
  findings: [],
  smoke: [],
  ...over,
});

describe("escapeMarkdown: contributor text stays inert in a GitLab note", () => {
  const hostile =
    "@root #12 !3 ~bug %v1 $4 &5 group/project#9 <img src=x onerror=alert(1)> [x](http://evil.example) **b** | c | `code` https://phish.example\n# heading";
  const out = escapeMarkdown(hostile);

  it("breaks every reference sigil with a zero-width joiner", () => {
    for (const sigil of ["@", "#", "!", "~", "%", "$"]) {
      expect(out).not.toMatch(new RegExp(`\\${sigil}[A-Za-z0-9]`));
    }
    // Our own entities aside, no & starts an epic reference.
    expect(out).not.toMatch(/&(?!(amp|lt|gt);)[A-Za-z0-9]/);
    expect(out).toContain("@\u200droot");
    expect(out).toContain("https:\u200d//phish");
  });

  it("leaves no HTML, link, emphasis, table or heading syntax", () => {
    expect(out).not.toMatch(/<|>/);
    expect(out).toContain("&lt;img");
    expect(out).not.toMatch(/(^|[^\\])[[\]()*`|]/);
    expect(out).not.toContain("\n");
  });

  it("strips terminal escapes, control and bidi characters", () => {
    expect(stripControl("a\u001b[31mred\u001b[0m\u0007\u202eb\tc\nd")).toBe("aredb\tc\nd");
  });
});

describe("code spans and blocks", () => {
  it("a fence the content cannot close", () => {
    const block = codeBlock("line\n````\nstill inside");
    expect(block.startsWith("`````text\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
  });

  it("inline code around backticks", () => {
    expect(inlineCode("a`b")).toBe("``a`b``");
    expect(inlineCode("`x`")).toBe("`` `x` ``");
  });

  it("cuts without splitting a surrogate pair", () => {
    expect(truncateText("ab😀cd", 4)).toBe("ab…");
    expect(truncateText("short", 10)).toBe("short");
  });
});

describe("checklistItems: the seed's causes, ticked, crossed or not run", () => {
  const at = (rule: RuleId): Finding => finding("executors/encoders/Foo/manifest.yml", "error", rule, "x");

  it("maps rules to the five causes", () => {
    const items = checklistItems(
      bundle({
        conclusion: "failure",
        findings: [
          at("bundle/missing-file"),
          at("manifest/yaml"),
          at("manifest/version"),
          at("manifest/kind-folder"),
        ],
      }),
    );
    expect(items.map((i) => [i.key, i.state, i.problems.length])).toEqual([
      ["files", "failed", 1],
      ["fields", "failed", 1],
      ["values", "failed", 1],
      ["placement", "failed", 1],
      ["build", "not-run", 0],
    ]);
  });

  it("passes the build line only when the image was built and every smoke test passed", () => {
    const build = { imageId: "sha256:1", durationMs: 1000, tags: [], logTail: [] };
    const smoke = (passed: boolean) =>
      (["run", "pod", "replicas"] as const).map((name) => ({
        name,
        passed,
        durationMs: 10,
        reason: passed ? undefined : "timeout",
      }));
    expect(checklistItems(bundle({ build, smoke: smoke(true) }))[4]!.state).toBe("passed");
    const failed = checklistItems(bundle({ conclusion: "failure", build, smoke: smoke(false) }))[4]!;
    expect(failed.state).toBe("failed");
    expect(failed.detail).toContain("run (timeout)");
    expect(checklistItems(bundle({ infrastructureError: "docker down" }))[4]!.state).toBe("not-run");
  });

  it("renders the smoke table in run, pod, replicas order with escaped reasons", () => {
    const table = smokeTable(
      bundleReport(
        bundle({
          smoke: [
            { name: "replicas", passed: true, durationMs: 2500 },
            { name: "run", passed: false, durationMs: 800, reason: "exit code 1 <@admin>" },
          ],
        }),
      ),
    );
    const rows = table.split("\n");
    expect(rows[2]).toContain("`run`");
    expect(rows[2]).toContain("exit code 1 &lt;@\u200dadmin&gt;");
    expect(rows[3]).toContain("`replicas`");
    expect(rows[3]).toContain("2.5 s");
  });
});

describe("renderResultNote: GitLab's note limit", () => {
  it("stays under 1,000,000 characters by listing fewer findings, and says so", () => {
    const findings = Array.from({ length: 20_000 }, (_, i) =>
      finding(
        "executors/encoders/Foo/manifest.yml",
        "error",
        "manifest/schema",
        `problem ${i} ${"x".repeat(80)}`,
        {
          line: i + 1,
          column: 1,
          endLine: i + 1,
          endColumn: 2,
        },
      ),
    );
    const result: CheckResult = {
      conclusion: "failure",
      findings: [],
      bundles: [bundle({ conclusion: "failure", findings })],
    };
    const note = renderResultNote(
      { iid: 3, sha: "a".repeat(40), headWebUrl: "https://gitlab.example.com/g/p" },
      reportModel(result),
    );
    expect(note.length).toBeLessThanOrEqual(LIMITS.gitlab.noteChars);
    expect(note.startsWith(NOTE_MARKER)).toBe(true);
    expect(note).toMatch(/… and [\d,]+ more findings not shown here/);
  });
});
