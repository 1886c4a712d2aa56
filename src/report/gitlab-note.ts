/**
 * The GitLab dialect: the one merge request note hubgate keeps per MR, in GitLab's words
 * (`!iid`, merge request, pipeline status) and GitLab Flavored Markdown (`[~]` marks a task
 * as not applicable), rendered from the report model within LIMITS.gitlab; and the text of
 * commit statuses.
 */
import type { BundleLocation } from "../core/bundle-layout.js";
import type { Finding } from "../core/finding.js";
import type { ChecklistItem } from "./checklist.js";
import { fitToLimit, LIMITS, plural, type DetailBudget } from "./limits.js";
import {
  encodeLinkPath,
  findingItems,
  logTails,
  moreFindings,
  quote,
  runLocally,
  smokeTable,
  type SourceLink,
} from "./markdown-blocks.js";
import { inlineCode, stripControl, truncateText } from "./markdown-text.js";
import { outsideVerdict, resultHeadline, type BundleReport, type Report } from "./report-model.js";

/** Hidden first line by which the note is found again; GitLab keeps HTML comments in the source. */
export const NOTE_MARKER = "<!-- hubgate:report -->";

export interface NoteContext {
  iid: number;
  /** The head commit checked. */
  sha: string;
  /** web_url of the project holding the head commit (the fork for fork MRs): links point there. */
  headWebUrl: string;
}

/** A commit status's name or description: one line of plain text within GitLab's limit. */
export function statusText(text: string): string {
  return truncateText(stripControl(text).replace(/\s+/g, " ").trim(), LIMITS.gitlab.statusChars);
}

/** How a commit status says a problem is ours (GitLab marks its own runner failures alike). */
export const INFRA_PREFIX = "infrastructure problem on hubgate's side (not your change): ";

/** A bundle's commit status: its final state and one line saying why. */
export function bundleStatus(report: BundleReport): { state: "success" | "failed"; description: string } {
  const b = report.bundle;
  if (report.verdict === "not-finished")
    return { state: "failed", description: statusText(INFRA_PREFIX + b.infrastructureError) };
  if (report.verdict === "passed") {
    const what = b.build
      ? `image ${b.image ?? ""} built, ${b.smoke.length} smoke tests passed`
      : "static checks passed";
    const warnings = report.warnings ? ` (${plural(report.warnings, "warning")})` : "";
    return { state: "success", description: statusText(`${what}${warnings}`) };
  }
  const first = b.findings.find((f) => f.level === "error");
  const smoke = report.smoke.filter((s) => !s.passed).map((s) => s.name);
  const parts = [
    report.errors ? plural(report.errors, "error") : "",
    smoke.length ? `smoke test ${smoke.join(", ")} failed` : "",
  ].filter(Boolean);
  const detail = first ? `: ${first.file.split("/").pop()}:${first.line} ${first.message}` : "";
  return { state: "failed", description: statusText(`${parts.join("; ")}${detail}`) };
}

const short = (sha: string) => sha.slice(0, 8);

function commitLink(ctx: NoteContext): string {
  return `[${inlineCode(short(ctx.sha))}](${ctx.headWebUrl}/-/commit/${encodeURIComponent(ctx.sha)})`;
}

/** `<web_url>/-/blob/<sha>/<file>#L<line>` for files, `/-/tree/` for bundle folders. */
export function gitlabLink(ctx: NoteContext): SourceLink {
  return (file, line, isFolder) => {
    const base = `${ctx.headWebUrl}/-/${isFolder ? "tree" : "blob"}/${encodeURIComponent(ctx.sha)}/${encodeLinkPath(file)}`;
    return isFolder || line === undefined ? base : `${base}#L${line}`;
  };
}

function findingList(
  ctx: NoteContext,
  findings: readonly Finding[],
  bundlePath: string | undefined,
  max: number,
): string[] {
  // Rendered only up to the note's limit: a longer section cannot be shown whole anyway.
  const lines: string[] = [];
  let size = 0;
  for (const line of findingItems(findings, max, gitlabLink(ctx), bundlePath)) {
    if (size > LIMITS.gitlab.noteChars) break;
    lines.push(line());
    size += lines[lines.length - 1]!.length + 1;
  }
  const rest = findings.length - lines.length;
  if (rest > 0)
    lines.push(
      moreFindings(rest, `the note would be too long; ${runLocally(bundlePath ? [bundlePath] : [])}`),
    );
  return lines;
}

function checklistLine(item: ChecklistItem): string {
  const extra = item.detail
    ? ` — ${quote(item.detail)}`
    : item.problems.length
      ? ` — ${plural(item.problems.length, "problem")} below`
      : "";
  if (item.state === "passed") return `- [x] ${item.label}`;
  if (item.state === "failed") return `- [ ] ❌ ${item.label}${extra}`;
  // `[~]` is GitLab's "not applicable" task: struck through, neither done nor failed.
  return `- [~] ${item.label}${extra}`;
}

const VERDICT_MARK: Record<BundleReport["verdict"], string> = {
  "not-finished": "⚠️",
  passed: "✅",
  failed: "❌",
};

function bundleSection(ctx: NoteContext, report: BundleReport, budget: DetailBudget): string {
  const b = report.bundle;
  const out: string[] = [`### ${VERDICT_MARK[report.verdict]} ${inlineCode(b.path)}`, ""];
  if (b.infrastructureError) {
    out.push(
      `> ⚠️ **Not finished because of an infrastructure problem on hubgate's side, not because of your change:** ${quote(b.infrastructureError)}`,
      "> It is retried on the next push; a maintainer can also re-run it by closing and reopening the merge request.",
      "",
    );
  }
  out.push("**Why does my upload fail?** hubgate checked the usual causes:", "");
  out.push(...report.checklist.map(checklistLine), "");
  out.push(
    b.image
      ? `**Image tag:** ${inlineCode(b.image)}${b.build ? ` (built in ${Math.round(b.build.durationMs / 1000)} s)` : ""}`
      : "**Image tag:** none yet: it is derived from `type`, `kind`, `name` and `version`, which must be valid first.",
    "",
  );
  const table = smokeTable(report);
  out.push(table ? `**Smoke tests**\n\n${table}` : "**Smoke tests:** not run for this change.", "");
  if (b.findings.length) {
    out.push(`**Findings** (${plural(b.findings.length, "finding")})`, "");
    out.push(...findingList(ctx, b.findings, b.path, budget.findings), "");
  }
  for (const log of logTails(report, budget.logLines))
    out.push(`<details><summary>${log.title}</summary>`, "", log.block, "", "</details>", "");
  return out.join("\n");
}

function outsideSection(ctx: NoteContext, outside: readonly Finding[], budget: DetailBudget): string {
  const verdict = outsideVerdict(outside);
  return [
    `### ${verdict.failed ? "❌" : "⚠️"} Outside any bundle`,
    "",
    ...(verdict.placement
      ? ["- [ ] ❌ The pod bundle is correctly placed — these files are not inside a bundle folder:", ""]
      : []),
    ...findingList(ctx, outside, undefined, budget.findings),
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

const cutNotice = (n: number) =>
  `**This note was cut to fit GitLab's limit of ${LIMITS.gitlab.noteChars.toLocaleString("en-US")} characters: ${plural(n, "more section")} not shown.** Run ${inlineCode("npx hubgate check")} for the full report.`;

/** Bundles listed while a run is under way; the rest are counted. */
const PROGRESS_BUNDLES = 200;

/** The note while a run is under way: which bundles are being checked. */
export function renderProgressNote(
  ctx: NoteContext,
  bundles: readonly BundleLocation[],
  outside: readonly Finding[],
): string {
  return fitToLimit(
    () => ({
      head: [
        NOTE_MARKER,
        `## ⏳ hubgate is checking this merge request`,
        "",
        `Commit ${commitLink(ctx)} of !${ctx.iid} changes ${plural(bundles.length, "pod bundle")}${outside.length ? ` and ${plural(outside.length, "file")} outside any bundle` : ""}. The result appears here and as pipeline statuses on the commit.`,
        "",
      ].join("\n"),
      items: bundles.slice(0, PROGRESS_BUNDLES).map((b) => `- ${inlineCode(b.root)}`),
      omitted: Math.max(0, bundles.length - PROGRESS_BUNDLES),
    }),
    LIMITS.gitlab.noteChars,
    (n) => `- … and ${plural(n, "more bundle")}`,
  );
}

/** The final note of a run. */
export function renderResultNote(ctx: NoteContext, report: Report): string {
  const c = report.counts;
  const { mark, text } = resultHeadline(report);
  const summary =
    c.bundles === 0
      ? `Checked commit ${commitLink(ctx)} of !${ctx.iid}: ${quote(report.nothingChecked?.message ?? "0 bundles checked.")}`
      : [
          `Checked commit ${commitLink(ctx)} of !${ctx.iid}:`,
          `${plural(c.bundles, "bundle")}, ${c.passed} passed, ${c.failed} failed`,
          `· ${plural(c.errors, "error")}, ${plural(c.warnings, "warning")}`,
          c.notFinished ? `· ${c.notFinished} not finished because of a problem on hubgate's side` : "",
        ]
          .filter(Boolean)
          .join(" ");
  const paths = report.bundles.map((b) => b.bundle.path);
  return fitToLimit(
    (budget) => ({
      head: [NOTE_MARKER, `## ${mark} hubgate: ${text}`, "", summary, ""].join("\n"),
      items: [
        ...(report.outside.length ? [() => outsideSection(ctx, report.outside, budget)] : []),
        ...report.bundles.map((b) => () => bundleSection(ctx, b, budget)),
      ],
      tail: footer(paths),
    }),
    LIMITS.gitlab.noteChars,
    cutNotice,
  );
}

/** A run stopped on our side before it could report per bundle. */
export function renderInfrastructureNote(
  ctx: NoteContext,
  message: string,
  done: readonly BundleReport[],
): string {
  return fitToLimit(
    (budget) => ({
      head: [
        NOTE_MARKER,
        "## ⚠️ hubgate could not finish checking this merge request",
        "",
        `Checking commit ${commitLink(ctx)} of !${ctx.iid} stopped because of an **infrastructure problem on hubgate's side, not because of your change**:`,
        "",
        `> ${quote(message)}`,
        "",
        "It is retried on the next push; a maintainer can also re-run it by closing and reopening the merge request.",
        "",
      ].join("\n"),
      items: done.map((b) => () => bundleSection(ctx, b, budget)),
      tail: footer(done.map((b) => b.bundle.path)),
    }),
    LIMITS.gitlab.noteChars,
    cutNotice,
  );
}
