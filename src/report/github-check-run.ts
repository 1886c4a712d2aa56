/**
 * The GitHub dialect: a check run's title, summary, text and annotations, rendered from the
 * report model within GitHub's limits (LIMITS.github). One run per bundle; a change in which
 * no bundle was checked gets one run that says why.
 */
import type { Finding } from "../core/finding.js";
import type { NothingCheckedReason } from "../core/nothing-checked.js";
import type { ChecklistItem } from "./checklist.js";
import { fitToLimit, LIMITS, plural, truncateBytes, type ReportParts } from "./limits.js";
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
import { escapeMarkdown, inlineCode, stripControl, truncateText } from "./markdown-text.js";
import { outsideVerdict, resultHeadline, type BundleReport, type Report } from "./report-model.js";

const GH = LIMITS.github;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
}

/** A GitHub link to a file at a line of the checked commit, or to a folder. */
export function githubLink(htmlUrl: string, sha: string): SourceLink {
  return (file, line, isFolder) =>
    `${htmlUrl}/${isFolder ? "tree" : "blob"}/${sha}/${encodeLinkPath(file)}${isFolder || line === undefined ? "" : `#L${line}`}`;
}

const LEVEL = { error: "failure", warning: "warning", notice: "notice" } as const;

/**
 * A finding on its line. Folder-level findings (a missing file) have no line to sit on: they
 * are in the summary only. The path stays as it is (GitHub matches it to the file); title and
 * message are plain text in GitHub's UI, so only control characters are taken out.
 */
export function annotationFor(finding: Finding, bundlePath: string): Annotation | undefined {
  if (finding.file === bundlePath) return undefined;
  const annotation: Annotation = {
    path: finding.file,
    start_line: finding.line,
    end_line: Math.max(finding.line, finding.endLine),
    annotation_level: LEVEL[finding.level],
    title: truncateText(stripControl(finding.rule), GH.annotationTitleChars),
    message: truncateBytes(stripControl(finding.message), GH.annotationMessageBytes),
  };
  // GitHub accepts columns only when the annotation stays on one line.
  if (finding.line === finding.endLine) {
    annotation.start_column = finding.column;
    annotation.end_column = Math.max(finding.column, finding.endColumn);
  }
  return annotation;
}

/** The annotations of a run, at most LIMITS.github.annotationsPerRun; `notAnnotated` counts the rest. */
export function runAnnotations(
  findings: readonly Finding[],
  bundlePath = "",
): { annotations: Annotation[]; notAnnotated: number } {
  const all = findings.map((f) => annotationFor(f, bundlePath)).filter((a): a is Annotation => !!a);
  return {
    annotations: all.slice(0, GH.annotationsPerRun),
    notAnnotated: Math.max(0, all.length - GH.annotationsPerRun),
  };
}

export function annotationKey(a: Annotation): string {
  return `${a.path}:${a.start_line}:${a.start_column ?? ""}:${a.title}:${a.message}`;
}

/** The run of a job stopped on our side: not the contributor's problem, with a Re-run button. */
export function infrastructureOutput(message: string): CheckRunOutput {
  return {
    title: "Not finished: infrastructure problem on hubgate's side",
    summary: `This is not a problem in your bundle.\n\n> ${quote(message)}\n\nUse **Re-run** to try again.`,
  };
}

/** A run an earlier life of its job left open (a restart, a lost worker). */
export function interruptedOutput(message: string): CheckRunOutput {
  return {
    title: "Interrupted on hubgate's side",
    summary: `${quote(message)}\n\nUse **Re-run** to check this commit again.`,
  };
}

const title = (text: string) => truncateText(stripControl(text).replace(/\s+/g, " "), GH.titleChars);

export function checkRunTitle(report: BundleReport): string {
  const { bundle } = report;
  const failedSmoke = report.smoke.filter((s) => !s.passed).map((s) => s.name);
  if (report.verdict === "not-finished")
    return title("Not finished: infrastructure problem on hubgate's side");
  if (report.verdict === "passed")
    return title(
      bundle.smoke.length ? `${bundle.image} built and passed 3 smoke tests` : "Manifest and files are valid",
    );
  if (failedSmoke.length && report.errors === 0)
    return title(`Smoke test${failedSmoke.length > 1 ? "s" : ""} failed: ${failedSmoke.join(", ")}`);
  return title(`${plural(report.errors, "problem")} found`);
}

const ICON: Record<ChecklistItem["state"], string> = { passed: "✅", failed: "❌", "not-run": "⏳" };

/** One bundle's summary: verdict, checklist, smoke tests, then as many findings as fit. */
export function checkRunSummary(report: BundleReport, link: SourceLink, notAnnotated = 0): string {
  const { bundle } = report;
  const headline =
    report.verdict === "not-finished"
      ? "⚠️ Not finished: a problem on hubgate's side, not in your bundle"
      : report.verdict === "passed"
        ? "✅ Ready to merge"
        : `❌ ${plural(report.errors, "problem")} to fix`;
  const warnings = report.warnings ? ` · ${plural(report.warnings, "warning")}` : "";
  const head = [`**${headline}**${warnings}`];
  if (bundle.image) head.push(`Image: ${inlineCode(bundle.image)}`);
  if (bundle.infrastructureError) head.push(`> ${quote(bundle.infrastructureError)}`);
  head.push(
    "#### Why does my upload fail?",
    report.checklist.map((i) => `- ${ICON[i.state]} ${i.label}`).join("\n"),
  );
  const smoke = smokeTable(report);
  if (smoke) head.push("#### Smoke tests", smoke);
  if (bundle.findings.length) head.push(`#### Findings (${bundle.findings.length.toLocaleString("en-US")})`);
  return summaryWithFindings(head.join("\n\n"), bundle.findings, link, {
    bundlePath: bundle.path,
    notAnnotated,
  });
}

/** The head, then finding lines down to what fits 65,535 characters, saying how many were left out. */
function summaryWithFindings(
  head: string,
  findings: readonly Finding[],
  link: SourceLink,
  options: { bundlePath?: string; notAnnotated: number },
): string {
  const where = runLocally(options.bundlePath ? [options.bundlePath] : []);
  const tail = options.notAnnotated
    ? `\n_${plural(options.notAnnotated, "more finding")} ${options.notAnnotated === 1 ? "is" : "are"} not annotated on the files: hubgate annotates ${GH.annotationsPerRun} per run._`
    : undefined;
  // One list, so no step of less detail helps: as many findings as fit, then how many did not.
  const items = findingItems(findings, Infinity, link, options.bundlePath);
  return fitToLimit(
    (): ReportParts => ({ head: `${head}\n`, items, ...(tail ? { tail } : {}) }),
    GH.outputChars,
    (n) => moreFindings(n, where),
  );
}

/** Logs of a failed build and failed smoke tests, for the run's `text` (as many lines as fit). */
export function checkRunText(report: BundleReport): string | undefined {
  const logs = logTails(report, 1).length;
  if (logs === 0) return undefined;
  return fitToLimit(
    (budget) => ({
      head: "",
      items: logTails(report, budget.logLines).map((l) => `${l.title}\n\n${l.block}`),
      omitted: budget.logLines ? 0 : logs,
    }),
    GH.outputChars,
    (n) =>
      `${plural(n, "log")} left out to fit GitHub's limit: run ${inlineCode(`npx hubgate check ${report.bundle.path} --build`)} to see ${n === 1 ? "it" : "them"}.`,
    "\n\n",
  );
}

/** Findings outside any bundle (loose files, the hub's configuration), beside the bundles' runs. */
export function outsideOutput(
  outside: readonly Finding[],
  link: SourceLink,
): CheckRunOutput & { failed: boolean } {
  const verdict = outsideVerdict(outside);
  return {
    failed: verdict.failed,
    title: title(verdict.title),
    summary: summaryWithFindings(`**${verdict.failed ? "❌" : "⚠️"} ${verdict.headline}**\n`, outside, link, {
      notAnnotated: runAnnotations(outside).notAnnotated,
    }),
  };
}

/**
 * The general `hubgate` run of a commit whose bundles have their own runs (it was shown while
 * the job waited, or by an earlier attempt). It says what they say taken together, never less:
 * a hub may require it, and a green general run beside a red bundle would let the change merge.
 */
export function generalRunOutput(
  report: Report,
): CheckRunOutput & { conclusion: "success" | "failure" | "neutral" } {
  const { text } = resultHeadline(report);
  return {
    conclusion:
      report.conclusion === "failure" ? "failure" : report.counts.notFinished ? "neutral" : "success",
    title: title(text.charAt(0).toUpperCase() + text.slice(1)),
    summary: "This commit is checked: see the per-bundle runs.",
  };
}

const NOTHING_TITLE: Record<NothingCheckedReason, string> = {
  "no-bundle-changed": "No bundle changed: nothing to check",
  "only-deleted-bundles": "No bundle changed: the change only deletes bundles",
  "layout-matches-nothing": "No bundle checked: the hub's layout matches none of its manifest.yml files",
  "no-bundle-here": "No bundle checked",
  "hub-config-invalid": "No bundle checked: the hub's configuration has problems",
};

/**
 * A change in which no bundle was checked: one run that says why (from the report's
 * nothingChecked), with whatever was found outside the bundles. It passes unless something
 * outside a bundle is an error: a change to the README has nothing to fix.
 */
export function nothingCheckedOutput(report: Report, link: SourceLink): CheckRunOutput & { failed: boolean } {
  const errors = report.outside.filter((f) => f.level === "error");
  const reason = report.nothingChecked;
  const why = reason ? NOTHING_TITLE[reason.reason] : "No bundle checked";
  const outside = report.outside.length ? outsideOutput(report.outside, link) : undefined;
  const head = [
    `**${errors.length ? "❌" : report.outside.length ? "⚠️" : "✅"} ${escapeMarkdown(why)}**`,
    ...(reason ? [`> ${quote(reason.message)}`] : []),
    ...(report.outside.length
      ? [`#### Found outside any bundle (${report.outside.length.toLocaleString("en-US")})`]
      : []),
  ].join("\n\n");
  return {
    failed: errors.length > 0,
    title: errors.length && outside ? outside.title : title(why),
    summary: summaryWithFindings(head, report.outside, link, {
      notAnnotated: runAnnotations(report.outside).notAnnotated,
    }),
  };
}
