/**
 * Markdown pieces both platforms' dialects share (GitHub check runs, GitLab notes): finding
 * lines with links, the smoke-test table and log tails. Every contributor string goes through
 * the escaping in markdown-text.ts here, paths included.
 */
import type { Finding } from "../core/finding.js";
import type { SmokeTestName } from "../core/result.js";
import { moreNotShown, QUOTE_CHARS } from "./limits.js";
import { codeBlock, escapeMarkdown, inlineCode, truncateText } from "./markdown-text.js";
import type { BundleReport } from "./report-model.js";

/** One quoted message as inert Markdown on one line, at most QUOTE_CHARS of it. */
export function quote(text: string): string {
  return escapeMarkdown(truncateText(text, QUOTE_CHARS));
}

/** Where a finding links to: a file at a line, or a bundle folder. */
export type SourceLink = (file: string, line: number | undefined, isFolder: boolean) => string;

/** Path segments percent-encoded for a link target, parentheses too, or a `)` would end the link. */
export function encodeLinkPath(path: string): string {
  return path
    .split("/")
    .map((s) =>
      encodeURIComponent(s).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join("/");
}

const LEVEL_MARK: Record<Finding["level"], string> = {
  error: "❌ error",
  warning: "⚠️ warning",
  notice: "ℹ️ notice",
};

/**
 * One finding as a list item: level, `file:line` as a link (a code span, so a folder name with
 * backticks, brackets or line breaks stays one inert piece of text), message and rule.
 * Inside a bundle's section the path is shown relative to the bundle.
 */
export function findingItem(f: Finding, link: SourceLink, bundlePath?: string): string {
  const isFolder = bundlePath !== undefined && f.file === bundlePath;
  const shown =
    bundlePath && f.file.startsWith(`${bundlePath}/`) ? f.file.slice(bundlePath.length + 1) : f.file;
  const where = isFolder ? "bundle folder" : `${shown}:${f.line}`;
  return `- ${LEVEL_MARK[f.level]} [${inlineCode(where)}](${link(f.file, f.line, isFolder)}): ${quote(f.message)} ${inlineCode(f.rule)}`;
}

/** The first `max` findings as list items, each rendered only if a report gets that far. */
export function findingItems(
  findings: readonly Finding[],
  max: number,
  link: SourceLink,
  bundlePath?: string,
): Array<() => string> {
  const shown = Number.isFinite(max) ? findings.slice(0, max) : findings;
  return shown.map((f) => () => findingItem(f, link, bundlePath));
}

/** The list item that ends a list of findings when some were left out. */
export function moreFindings(omitted: number, where: string): string {
  return `- ${moreNotShown(omitted, "finding", where)}`;
}

/** Where every finding of `paths` can be seen when a report had to leave some out. */
export function runLocally(paths: readonly string[] = []): string {
  const args = paths.length && paths.length <= 3 ? ` ${paths.join(" ")}` : "";
  return `run ${inlineCode(`npx hubgate check${args}`)} to see them all`;
}

export const SMOKE_DESCRIPTIONS: Record<SmokeTestName, string> = {
  run: "starts and exits cleanly",
  pod: "becomes ready with the bundle's config, stops on SIGTERM",
  replicas: "three replicas become ready and stop",
};

/** The smoke-test table in run order, or "" when no smoke test ran. */
export function smokeTable(report: Pick<BundleReport, "smoke">): string {
  if (report.smoke.length === 0) return "";
  const rows = report.smoke.map(
    (s) =>
      `| ${inlineCode(s.name)} | ${s.passed ? "✅ passed" : "❌ failed"} | ${formatDuration(s.durationMs)} | ${s.passed ? escapeMarkdown(SMOKE_DESCRIPTIONS[s.name] ?? "") : quote(s.reason ?? "no reason given")} |`,
  );
  return [
    "| Smoke test | Result | Time | What it checks / why it failed |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A log line longer than this is cut: one line must not take a whole report. */
const LOG_LINE_CHARS = 1000;

export interface LogTail {
  title: string;
  block: string;
}

/**
 * The last `lines` lines of a failed build and of each failed smoke test, fenced so nothing
 * inside renders; none when `lines` is 0 (the report had to shrink).
 */
export function logTails(report: BundleReport, lines: number): LogTail[] {
  if (lines <= 0) return [];
  const { bundle } = report;
  const block = (tail: readonly string[]) =>
    codeBlock(
      tail
        .slice(-lines)
        .map((l) => truncateText(l, LOG_LINE_CHARS))
        .join("\n"),
    );
  const out: LogTail[] = [];
  const buildError = bundle.findings.find((f) => f.level === "error" && f.rule.startsWith("build/"));
  if (buildError && bundle.build?.logTail.length)
    out.push({ title: "Last lines of the image build", block: block(bundle.build.logTail) });
  else if (buildError && !bundle.build)
    out.push({ title: "Why the image build failed", block: block(buildError.message.split("\n")) });
  for (const s of report.smoke) {
    if (!s.passed && s.logTail?.length)
      out.push({
        title: `Last output of the failed smoke test ${inlineCode(s.name)}`,
        block: block(s.logTail),
      });
  }
  return out;
}
