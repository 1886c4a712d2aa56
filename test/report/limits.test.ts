/**
 * Every platform limit, enforced in src/report: a report with thousands of findings (and huge
 * logs) stays under each one and says how much it left out and where the rest is.
 */
import { finding, type Finding } from "../../src/core/finding.js";
import type { BundleResult, CheckResult } from "../../src/core/result.js";
import {
  annotationFor,
  checkRunSummary,
  checkRunText,
  checkRunTitle,
  githubLink,
  nothingCheckedOutput,
  outsideOutput,
  runAnnotations,
} from "../../src/report/github-check-run.js";
import {
  gitlabLink,
  renderProgressNote,
  renderResultNote,
  statusText,
} from "../../src/report/gitlab-note.js";
import { fitToLimit, LIMITS, truncateBytes } from "../../src/report/limits.js";
import { bundleReport, reportModel } from "../../src/report/report-model.js";

const BUNDLE = "executors/encoders/Foo";
const link = githubLink("https://github.com/o/r", "c".repeat(40));
const ctx = { iid: 3, sha: "a".repeat(40), headWebUrl: "https://gitlab.example.com/g/p" };

const many = (n: number, file = `${BUNDLE}/manifest.yml`, text = "x".repeat(120)): Finding[] =>
  Array.from({ length: n }, (_, i) =>
    finding(file, "error", "manifest/schema", `problem ${i} ${text}`, {
      line: i + 1,
      column: 1,
      endLine: i + 1,
      endColumn: 2,
    }),
  );

const bundle = (over: Partial<BundleResult> = {}): BundleResult => ({
  path: BUNDLE,
  conclusion: "failure",
  findings: [],
  smoke: [],
  ...over,
});

/** The number a "… and N more findings not shown here" line gives. */
const leftOut = (text: string) => {
  const m = /… and ([\d,]+) more findings? not shown here/.exec(text);
  return m ? Number(m[1]!.replace(/,/g, "")) : 0;
};
const listed = (text: string) => text.split("\n").filter((l) => /^- ❌ error \[/.test(l)).length;

describe("GitHub: summary and text ≤ 65,535 characters, honest about what is left out", () => {
  it.each([100, 5_000, 50_000])("a bundle with %i findings", (n) => {
    const report = bundleReport(bundle({ findings: many(n) }));
    const { annotations, notAnnotated } = runAnnotations(report.bundle.findings, BUNDLE);
    const summary = checkRunSummary(report, link, notAnnotated);
    expect(summary.length).toBeLessThanOrEqual(LIMITS.github.outputChars);
    // Every finding is either listed or counted, and the count points to the full list.
    expect(listed(summary) + leftOut(summary)).toBe(n);
    if (leftOut(summary)) expect(summary).toContain(`run \`npx hubgate check ${BUNDLE}\` to see them all`);
    expect(annotations.length).toBe(Math.min(n, LIMITS.github.annotationsPerRun));
    expect(notAnnotated).toBe(Math.max(0, n - LIMITS.github.annotationsPerRun));
    if (notAnnotated)
      expect(summary).toContain(`${notAnnotated.toLocaleString("en-US")} more findings are not annotated`);
  });

  it("findings outside any bundle, and a change without bundles, fit too", () => {
    const outside = many(20_000, "executors/stray.py");
    const placed = outsideOutput(outside, link).summary;
    expect(placed.length).toBeLessThanOrEqual(LIMITS.github.outputChars);
    expect(listed(placed) + leftOut(placed)).toBe(20_000);
    const nothing = nothingCheckedOutput(
      reportModel({
        conclusion: "failure",
        bundles: [],
        findings: outside,
        nothingChecked: { reason: "no-bundle-changed", message: "0 bundles checked: no bundle changed." },
      }),
      link,
    );
    expect(nothing.failed).toBe(true);
    expect(nothing.summary.length).toBeLessThanOrEqual(LIMITS.github.outputChars);
    expect(listed(nothing.summary) + leftOut(nothing.summary)).toBe(20_000);
  });

  it("one huge message (a finding's, an engine's) is quoted cut, and pushes nothing else out", () => {
    const huge = "q".repeat(1_000_000);
    const report = bundleReport(
      bundle({
        findings: [finding(`${BUNDLE}/manifest.yml`, "error", "manifest/schema", huge), ...many(3)],
        infrastructureError: huge,
      }),
    );
    const summary = checkRunSummary(report, link);
    expect(summary.length).toBeLessThanOrEqual(LIMITS.github.outputChars);
    expect(listed(summary)).toBe(4);
    expect(leftOut(summary)).toBe(0);
    const note = renderResultNote(
      ctx,
      reportModel({ conclusion: "failure", findings: [], bundles: [report.bundle] }),
    );
    expect(note.length).toBeLessThanOrEqual(LIMITS.gitlab.noteChars);
    expect(listed(note)).toBe(4);
  });

  it("a huge log is cut to the last lines that fit, each line bounded", () => {
    const logTail = Array.from({ length: 5_000 }, (_, i) => `line ${i} ${"y".repeat(5_000)}`);
    const report = bundleReport(
      bundle({
        build: { imageId: "sha256:1", durationMs: 1, tags: [], logTail },
        findings: [finding(`${BUNDLE}/Dockerfile`, "error", "build/failed", "RUN failed")],
        smoke: (["run", "pod", "replicas"] as const).map((name) => ({
          name,
          passed: false,
          durationMs: 1,
          reason: "exit 1",
          logTail,
        })),
      }),
    );
    const text = checkRunText(report)!;
    expect(text.length).toBeLessThanOrEqual(LIMITS.github.outputChars);
    expect(text).toContain("line 4999");
    expect(text).not.toContain("line 4900 ");
  });

  it("annotation title ≤ 255 characters, message ≤ 64 KB in UTF-8, no control characters", () => {
    const f = finding(
      `${BUNDLE}/manifest.yml`,
      "error",
      "manifest/schema",
      `\u001b[31m${"é".repeat(70_000)}`,
    );
    const a = annotationFor(f, BUNDLE)!;
    expect(Buffer.byteLength(a.message, "utf8")).toBeLessThanOrEqual(LIMITS.github.annotationMessageBytes);
    expect(a.message).not.toContain("\u001b");
    expect(a.message.endsWith("…")).toBe(true);
    expect(a.title.length).toBeLessThanOrEqual(LIMITS.github.annotationTitleChars);
    expect(truncateBytes("😀😀", 5)).toBe("…"); // never half a character
  });

  it("a check-run title stays one line of at most 255 characters", () => {
    const image = `jinahub/pod.encoder.${"a".repeat(400)}\n:1.0.0`;
    const title = checkRunTitle(bundleReport(bundle({ conclusion: "success", image, smoke: [] })));
    expect(title).toBe("Manifest and files are valid");
    const built = checkRunTitle(
      bundleReport(
        bundle({ conclusion: "success", image, smoke: [{ name: "run", passed: true, durationMs: 1 }] }),
      ),
    );
    expect(built.length).toBeLessThanOrEqual(LIMITS.github.titleChars);
    expect(built).not.toContain("\n");
  });
});

describe("GitLab: note ≤ 1,000,000 characters, status text ≤ 255", () => {
  it("thousands of bundles with thousands of findings each: whole sections left out and counted", () => {
    const bundles = Array.from({ length: 3_000 }, (_, i) =>
      bundle({
        path: `executors/encoders/B${i}`,
        findings: many(50, `executors/encoders/B${i}/manifest.yml`),
      }),
    );
    const result: CheckResult = { conclusion: "failure", bundles, findings: many(3_000, "executors/x.py") };
    const note = renderResultNote(ctx, reportModel(result));
    expect(note.length).toBeLessThanOrEqual(LIMITS.gitlab.noteChars);
    const m = /cut to fit GitLab's limit of 1,000,000 characters: ([\d,]+) more sections? not shown/.exec(
      note,
    );
    expect(m).not.toBeNull();
    const sections = note.split("\n").filter((l) => /^### /.test(l)).length;
    expect(sections + Number(m![1]!.replace(/,/g, ""))).toBe(3_001);
  });

  it("one bundle with 20,000 findings: the list shrinks and says how many more and where", () => {
    const findings = many(20_000);
    const note = renderResultNote(
      ctx,
      reportModel({ conclusion: "failure", findings: [], bundles: [bundle({ findings })] }),
    );
    expect(note.length).toBeLessThanOrEqual(LIMITS.gitlab.noteChars);
    expect(listed(note) + leftOut(note)).toBe(20_000);
    expect(note).toContain(`run \`npx hubgate check ${BUNDLE}\` to see them all`);
  });

  it("the progress note lists 200 bundles and counts the rest", () => {
    const bundles = Array.from({ length: 50_000 }, (_, i) => ({ root: `executors/encoders/B${i}` }));
    const note = renderProgressNote(ctx, bundles as never, []);
    expect(note.length).toBeLessThanOrEqual(LIMITS.gitlab.noteChars);
    expect(note).toContain("- … and 49,800 more bundles");
  });

  it("status names and descriptions: one line, at most 255 characters", () => {
    const text = statusText(`\u001b[31mfailed:\nline two ${"z".repeat(1_000)}`);
    expect(text.length).toBeLessThanOrEqual(LIMITS.gitlab.statusChars);
    expect(text).not.toContain("\n");
    expect(text).not.toContain("\u001b");
    expect(text.startsWith("failed: line two zzz")).toBe(true);
  });

  it("links encode every path segment", () => {
    expect(gitlabLink(ctx)("a/b c)/d", 3, false)).toBe(`${ctx.headWebUrl}/-/blob/${ctx.sha}/a/b%20c%29/d#L3`);
  });
});

describe("fitToLimit", () => {
  it("keeps the head and whole items, and counts those left out", () => {
    const items = Array.from({ length: 100 }, (_, i) => `item ${i} ${"x".repeat(90)}`);
    const text = fitToLimit(
      () => ({ head: "HEAD", items }),
      2_000,
      (n) => `${n} left out`,
    );
    expect(text.length).toBeLessThanOrEqual(2_000);
    const kept = text.split("\n").filter((l) => l.startsWith("item ")).length;
    expect(text).toContain(`${100 - kept} left out`);
    expect(text.startsWith("HEAD\n")).toBe(true);
  });
});
