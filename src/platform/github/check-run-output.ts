import type { Finding } from "../../core/finding.js";
import type { BundleResult } from "../../core/result.js";
import { truncateText } from "../shared/markdown-text.js";
import { renderBundleSummary, renderLogTails } from "./check-run-summary.js";

const truncate = (text: string, max: number, note = "\n\n… (truncated)") => truncateText(text, max, note);

/** GitHub's limits (FACTS.md): 65535 chars for summary and text, 50 annotations a request. */
export const MAX_OUTPUT_CHARS = 65_535;
export const ANNOTATIONS_PER_REQUEST = 50;
/** Beyond this many annotations a contributor stops reading; the rest is counted in the summary. */
export const MAX_ANNOTATIONS = 200;
const MAX_TITLE = 255;

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

const LEVEL = { error: "failure", warning: "warning", notice: "notice" } as const;

/** Folder-level findings (a missing file) have no line to sit on: they go in the summary only. */
export function annotationFor(finding: Finding, bundlePath: string): Annotation | undefined {
  if (finding.file === bundlePath) return undefined;
  const annotation: Annotation = {
    path: finding.file,
    start_line: finding.line,
    end_line: Math.max(finding.line, finding.endLine),
    annotation_level: LEVEL[finding.level],
    title: finding.rule,
    message: truncate(finding.message, 64_000),
  };
  // GitHub accepts columns only when the annotation stays on one line.
  if (finding.line === finding.endLine) {
    annotation.start_column = finding.column;
    annotation.end_column = Math.max(finding.column, finding.endColumn);
  }
  return annotation;
}

export function annotationKey(a: Annotation): string {
  return `${a.path}:${a.start_line}:${a.start_column ?? ""}:${a.title}:${a.message}`;
}

export function checkRunTitle(bundle: BundleResult): string {
  const errors = bundle.findings.filter((f) => f.level === "error").length;
  const failedSmoke = bundle.smoke.filter((s) => !s.passed).map((s) => s.name);
  let title: string;
  if (bundle.infrastructureError) title = "Not finished: infrastructure problem on hubgate's side";
  else if (bundle.conclusion === "success")
    title = bundle.smoke.length
      ? `${bundle.image} built and passed 3 smoke tests`
      : "Manifest and files are valid";
  else if (failedSmoke.length && errors === 0)
    title = `Smoke test${failedSmoke.length > 1 ? "s" : ""} failed: ${failedSmoke.join(", ")}`;
  else title = `${errors} problem${errors === 1 ? "" : "s"} found`;
  return truncate(title, MAX_TITLE, "…");
}

export function checkRunSummary(
  bundle: BundleResult,
  link: (f: Finding) => string | undefined,
  omittedAnnotations = 0,
): string {
  let summary = renderBundleSummary(bundle, { link });
  if (omittedAnnotations > 0)
    summary += `\n\n_${omittedAnnotations} more findings are not annotated inline; see the list above._`;
  return truncate(summary, MAX_OUTPUT_CHARS);
}

export function checkRunText(bundle: BundleResult): string | undefined {
  const text = renderLogTails(bundle);
  return text ? truncate(text, MAX_OUTPUT_CHARS) : undefined;
}
