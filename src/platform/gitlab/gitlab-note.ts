/**
 * The one merge request note hubgate keeps per MR, in GitLab's words (`!iid`, merge request,
 * pipeline status) and GitLab Flavored Markdown (`[~]` marks a task as not applicable).
 */
import type { BundleLocation } from "../../core/bundle-layout.js";
import type { Finding } from "../../core/finding.js";
import type { BundleResult, CheckResult } from "../../core/result.js";
import { codeBlock, escapeMarkdown, inlineCode } from "../../report/index.js";
import {
  checklistItems,
  countResult,
  fitToLimit,
  plural,
  smokeTable,
  sortedSmoke,
  type ChecklistItem,
  type DetailBudget,
} from "../shared/report-blocks.js";

/** Hidden first line by which the note is found again; GitLab keeps HTML comments in the source. */
export const NOTE_MARKER = "<!-- hubgate:report -->";
/** GitLab rejects notes longer than 1,000,000 characters. */
export const GITLAB_NOTE_LIMIT = 1_000_000;
/** Log lines shown per failed smoke test or build. */
const LOG_LINES = 40;

export interface NoteContext {
  iid: number;
  /** The head commit checked. */
  sha: string;
  /** web_url of the project holding the head commit (the fork for fork MRs): links point there. */
  headWebUrl: string;
}

const short = (sha: string) => sha.slice(0, 8);

function commitLink(ctx: NoteContext): string {
  return `[${inlineCode(short(ctx.sha))}](${ctx.headWebUrl}/-/commit/${encodeURIComponent(ctx.sha)})`;
}

/** Path segments encoded for a Markdown link destination (parentheses included). */
function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) =>
      encodeURIComponent(s).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join("/");
}

/** `<web_url>/-/blob/<sha>/<file>#L<line>` for files, `/-/tree/` for bundle folders. */
export function sourceLink(
  ctx: NoteContext,
  file: string,
  line: number | undefined,
  isFolder: boolean,
): string {
  const base = `${ctx.headWebUrl}/-/${isFolder ? "tree" : "blob"}/${encodeURIComponent(ctx.sha)}/${encodePath(file)}`;
  return isFolder || line === undefined ? base : `${base}#L${line}`;
}

const LEVEL_MARK: Record<Finding["level"], string> = {
  error: "❌ error",
  warning: "⚠️ warning",
  notice: "ℹ️ notice",
};

function findingLine(ctx: NoteContext, f: Finding, bundlePath: string | undefined): string {
  const isFolder = bundlePath !== undefined && f.file === bundlePath;
  const shown =
    bundlePath && f.file.startsWith(`${bundlePath}/`) ? f.file.slice(bundlePath.length + 1) : f.file;
  const where = isFolder ? "bundle folder" : `${shown}:${f.line}`;
  const link = `[${escapeMarkdown(where)}](${sourceLink(ctx, f.file, f.line, isFolder)})`;
  return `- ${LEVEL_MARK[f.level]} ${link}: ${escapeMarkdown(f.message)} ${inlineCode(f.rule)}`;
}

function findingList(
  ctx: NoteContext,
  findings: readonly Finding[],
  bundlePath: string | undefined,
  max: number,
): string[] {
  const shown = findings.slice(0, Number.isFinite(max) ? max : undefined);
  const lines = shown.map((f) => findingLine(ctx, f, bundlePath));
  const rest = findings.length - shown.length;
  if (rest > 0) {
    const where = bundlePath ? ` ${bundlePath}` : "";
    lines.push(
      `- … and ${plural(rest, "more finding")} not shown here (the note would be too long): run ${inlineCode(`npx hubgate check${where}`)} to see them all.`,
    );
  }
  return lines;
}

function checklistLine(item: ChecklistItem): string {
  const extra = item.detail
    ? ` — ${escapeMarkdown(item.detail)}`
    : item.problems.length
      ? ` — ${plural(item.problems.length, "problem")} below`
      : "";
  if (item.state === "passed") return `- [x] ${item.label}`;
  if (item.state === "failed") return `- [ ] ❌ ${item.label}${extra}`;
  // `[~]` is GitLab's "not applicable" task: struck through, neither done nor failed.
  return `- [~] ${item.label}${extra}`;
}

function bundleVerdict(b: BundleResult): string {
  if (b.infrastructureError) return "⚠️";
  return b.conclusion === "success" ? "✅" : "❌";
}

function bundleSection(ctx: NoteContext, b: BundleResult, budget: DetailBudget): string {
  const out: string[] = [`### ${bundleVerdict(b)} ${inlineCode(b.path)}`, ""];
  if (b.infrastructureError) {
    out.push(
      `> ⚠️ **Not finished because of an infrastructure problem on hubgate's side, not because of your change:** ${escapeMarkdown(b.infrastructureError)}`,
      "> It is retried on the next push; a maintainer can also re-run it by closing and reopening the merge request.",
      "",
    );
  }
  out.push("**Why does my upload fail?** hubgate checked the usual causes:", "");
  out.push(...checklistItems(b).map(checklistLine), "");
  out.push(
    b.image
      ? `**Image tag:** ${inlineCode(b.image)}${b.build ? ` (built in ${Math.round(b.build.durationMs / 1000)} s)` : ""}`
      : "**Image tag:** none yet: it is derived from `type`, `kind`, `name` and `version`, which must be valid first.",
    "",
  );
  const table = smokeTable(b.smoke);
  out.push(table ? `**Smoke tests**\n\n${table}` : "**Smoke tests:** not run for this change.", "");
  if (b.findings.length) {
    out.push(`**Findings** (${plural(b.findings.length, "finding")})`, "");
    out.push(...findingList(ctx, b.findings, b.path, budget.findingsPerBundle), "");
  }
  if (budget.logs) out.push(...logDetails(b));
  return out.join("\n");
}

function logDetails(b: BundleResult): string[] {
  const out: string[] = [];
  for (const s of sortedSmoke(b.smoke)) {
    if (s.passed || !s.logTail?.length) continue;
    out.push(
      `<details><summary>Last output of the failed smoke test ${escapeMarkdown(s.name)}</summary>`,
      "",
      codeBlock(s.logTail.slice(-LOG_LINES).join("\n")),
      "",
      "</details>",
      "",
    );
  }
  const buildFailed = b.findings.some((f) => f.level === "error" && f.rule.startsWith("build/"));
  if (buildFailed && b.build?.logTail.length) {
    out.push(
      "<details><summary>Last lines of the image build</summary>",
      "",
      codeBlock(b.build.logTail.slice(-LOG_LINES).join("\n")),
      "",
      "</details>",
      "",
    );
  }
  return out;
}

function outsideSection(ctx: NoteContext, outside: readonly Finding[], budget: DetailBudget): string {
  return [
    "### ❌ Files outside any bundle",
    "",
    "- [ ] ❌ The pod bundle is correctly placed — these files are not inside a bundle folder:",
    "",
    ...findingList(ctx, outside, undefined, budget.findingsPerBundle),
    "",
  ].join("\n");
}

function footer(paths: readonly string[]): string {
  const args = paths.length && paths.length <= 3 ? ` ${paths.join(" ")}` : "";
  return [
    "---",
    `<sub>hubgate updates this note in place on every push. Run the same checks locally with ${inlineCode(`npx hubgate check${args} --build`)}.</sub>`,
  ].join("\n");
}

/** The note while a run is under way: which bundles are being checked. */
export function renderProgressNote(
  ctx: NoteContext,
  bundles: readonly BundleLocation[],
  outside: readonly Finding[],
): string {
  const lines = [
    NOTE_MARKER,
    `## ⏳ hubgate is checking this merge request`,
    "",
    `Commit ${commitLink(ctx)} of !${ctx.iid} changes ${plural(bundles.length, "pod bundle")}${outside.length ? ` and ${plural(outside.length, "file")} outside any bundle` : ""}. The result appears here and as pipeline statuses on the commit.`,
    "",
    ...bundles.slice(0, 200).map((b) => `- ${inlineCode(b.root)}`),
    ...(bundles.length > 200 ? [`- … and ${bundles.length - 200} more`] : []),
    "",
  ];
  return lines.join("\n");
}

/** The final note of a run. */
export function renderResultNote(ctx: NoteContext, result: CheckResult): string {
  const render = (budget: DetailBudget) => {
    const c = countResult(result.bundles, result.findings);
    const ok = result.conclusion === "success" && c.infrastructure === 0;
    const title = ok
      ? `## ✅ hubgate: ${c.bundles === 1 ? "the pod bundle passed" : `all ${c.bundles} pod bundles passed`}`
      : c.failed || result.findings.some((f) => f.level === "error")
        ? `## ❌ hubgate: ${c.failed ? `${c.failed} of ${plural(c.bundles, "pod bundle")} ${c.failed === 1 ? "needs" : "need"} changes` : "files need to move"}`
        : `## ⚠️ hubgate: the check did not finish`;
    const summary = [
      `Checked commit ${commitLink(ctx)} of !${ctx.iid}:`,
      `${plural(c.bundles, "bundle")}, ${c.passed} passed, ${c.failed} failed`,
      `· ${plural(c.errors, "error")}, ${plural(c.warnings, "warning")}`,
      c.infrastructure ? `· ${c.infrastructure} not finished because of a problem on hubgate's side` : "",
    ]
      .filter(Boolean)
      .join(" ");
    const sections = [
      ...(result.findings.length ? [outsideSection(ctx, result.findings, budget)] : []),
      ...result.bundles.map((b) => bundleSection(ctx, b, budget)),
    ];
    return [NOTE_MARKER, title, "", summary, "", ...sections, footer(result.bundles.map((b) => b.path))].join(
      "\n",
    );
  };
  return fitToLimit(
    render,
    GITLAB_NOTE_LIMIT,
    "**This note was cut to fit GitLab's size limit.** Run `npx hubgate check` locally for the full report.",
  );
}

/** A run stopped on our side before it could report per bundle. */
export function renderInfrastructureNote(
  ctx: NoteContext,
  message: string,
  done: readonly BundleResult[],
): string {
  const render = (budget: DetailBudget) =>
    [
      NOTE_MARKER,
      "## ⚠️ hubgate could not finish checking this merge request",
      "",
      `Checking commit ${commitLink(ctx)} of !${ctx.iid} stopped because of an **infrastructure problem on hubgate's side, not because of your change**:`,
      "",
      `> ${escapeMarkdown(message)}`,
      "",
      "It is retried on the next push; a maintainer can also re-run it by closing and reopening the merge request.",
      "",
      ...done.map((b) => bundleSection(ctx, b, budget)),
      footer(done.map((b) => b.path)),
    ].join("\n");
  return fitToLimit(render, GITLAB_NOTE_LIMIT, "**This note was cut to fit GitLab's size limit.**");
}

/** The latest commit touches no bundle, but an earlier report exists: never leave it stale. */
export function renderNothingToCheckNote(ctx: NoteContext): string {
  return [
    NOTE_MARKER,
    "## ✅ hubgate: nothing to check",
    "",
    `Commit ${commitLink(ctx)} of !${ctx.iid} no longer changes any pod bundle, so there is nothing for hubgate to check.`,
  ].join("\n");
}
