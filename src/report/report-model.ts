/**
 * The neutral report every dialect renders (CLI text, SARIF, JUnit, Code Quality, the GitHub
 * check run, the GitLab note and statuses): built once from the check's results, so no two
 * outputs disagree on a verdict, a count, a checklist item or why nothing was checked.
 */
import type { Finding } from "../core/finding.js";
import type { NothingChecked, NothingCheckedReason } from "../core/nothing-checked.js";
import type { BundleResult, CheckResult, SmokeResult, SmokeTestName } from "../core/result.js";
import { rule, smokeRule } from "../core/rules.js";
import { checklistItems, type ChecklistItem } from "./checklist.js";
import { plural } from "./limits.js";

export type BundleVerdict = "passed" | "failed" | "not-finished";

export interface ReportCounts {
  bundles: number;
  /** Finished and clean. */
  passed: number;
  /** Failed by their conclusion, whether or not they finished. */
  failed: number;
  /** Stopped by a problem on our side. */
  notFinished: number;
  errors: number;
  warnings: number;
  notices: number;
}

export interface BundleReport {
  bundle: BundleResult;
  verdict: BundleVerdict;
  errors: number;
  warnings: number;
  checklist: ChecklistItem[];
  /** In the order they run: run, pod, replicas. */
  smoke: SmokeResult[];
}

export interface Report {
  conclusion: CheckResult["conclusion"];
  counts: ReportCounts;
  /** Findings outside any bundle (badly placed files, hub problems). */
  outside: Finding[];
  bundles: BundleReport[];
  /** Why no bundle was checked, when none was. */
  nothingChecked?: NothingChecked;
}

/** Our side failing beats the contributor's: an unfinished bundle is never called failed. */
export function bundleVerdict(bundle: BundleResult): BundleVerdict {
  if (bundle.infrastructureError) return "not-finished";
  return bundle.conclusion === "success" ? "passed" : "failed";
}

const SMOKE_ORDER: SmokeTestName[] = ["run", "pod", "replicas"];

export function sortedSmoke(smoke: readonly SmokeResult[]): SmokeResult[] {
  return [...smoke].sort((a, b) => SMOKE_ORDER.indexOf(a.name) - SMOKE_ORDER.indexOf(b.name));
}

const countLevel = (fs: readonly Finding[], level: Finding["level"]) =>
  fs.filter((f) => f.level === level).length;

/** One bundle's part of the report, for reporters that show each bundle as soon as it is done. */
export function bundleReport(bundle: BundleResult): BundleReport {
  return {
    bundle,
    verdict: bundleVerdict(bundle),
    errors: countLevel(bundle.findings, "error"),
    warnings: countLevel(bundle.findings, "warning"),
    checklist: checklistItems(bundle),
    smoke: sortedSmoke(bundle.smoke),
  };
}

/**
 * Counts kept as bundles go by, so a report streamed bundle by bundle (50,000 of them) counts
 * exactly as a report built whole, without keeping the bundles.
 */
export class ReportTally implements ReportCounts {
  bundles = 0;
  passed = 0;
  failed = 0;
  notFinished = 0;
  errors = 0;
  warnings = 0;
  notices = 0;

  add(bundle: BundleResult): this {
    this.bundles++;
    const verdict = bundleVerdict(bundle);
    if (verdict === "passed") this.passed++;
    if (verdict === "not-finished") this.notFinished++;
    if (bundle.conclusion === "failure") this.failed++;
    return this.count(bundle.findings);
  }

  count(findings: readonly Finding[]): this {
    this.errors += countLevel(findings, "error");
    this.warnings += countLevel(findings, "warning");
    this.notices += countLevel(findings, "notice");
    return this;
  }

  counts(): ReportCounts {
    const { bundles, passed, failed, notFinished, errors, warnings, notices } = this;
    return { bundles, passed, failed, notFinished, errors, warnings, notices };
  }
}

export function reportModel(result: CheckResult): Report {
  const tally = new ReportTally().count(result.findings);
  for (const b of result.bundles) tally.add(b);
  return {
    conclusion: result.conclusion,
    outside: result.findings,
    bundles: result.bundles.map(bundleReport),
    counts: tally.counts(),
    ...(result.nothingChecked ? { nothingChecked: result.nothingChecked } : {}),
  };
}

/** Nothing failed and every bundle finished. */
export interface OutsideVerdict {
  failed: boolean;
  /** Every finding is a file in no bundle (none is a problem of the hub's configuration). */
  placement: boolean;
  /** "2 files are outside any bundle" or "1 problem outside any bundle". */
  headline: string;
  /** The failing rule's title, or the placement verdict. */
  title: string;
}

/** What the findings outside any bundle come to, in every dialect's words. */
export function outsideVerdict(outside: readonly Finding[]): OutsideVerdict {
  const errors = outside.filter((f) => f.level === "error");
  const placement = outside.every((f) => f.rule === "bundle/badly-placed");
  return {
    failed: errors.length > 0,
    placement,
    headline: placement
      ? `${plural(outside.length, "file is", "files are")} outside any bundle`
      : `${plural(outside.length, "problem")} outside any bundle`,
    title: placement ? "The pod bundle is badly placed" : rule((errors[0] ?? outside[0]!).rule).title,
  };
}

export function isClean(report: Pick<Report, "conclusion" | "counts">): boolean {
  return report.conclusion === "success" && report.counts.notFinished === 0;
}

/**
 * Failed smoke tests as findings on the bundle's Dockerfile: reports that need a file and a
 * line (Code Quality, SARIF) still show them. Infrastructure problems are not findings.
 */
export function smokeFailureFindings(bundle: BundleResult): Finding[] {
  return bundle.smoke
    .filter((s) => !s.passed)
    .map((s) => ({
      file: `${bundle.path}/Dockerfile`,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      level: "error" as const,
      rule: smokeRule(s.name),
      message: `smoke test "${s.name}" failed: ${s.reason ?? "no reason given"}. Run \`hubgate check ${bundle.path} --build\` to reproduce it.`,
    }));
}

/** Every finding at a file and line, smoke failures included, for the located dialects. */
export function locatedFindings(result: CheckResult): Finding[] {
  return [
    ...result.findings,
    ...result.bundles.flatMap((b) => b.findings),
    ...result.bundles.flatMap(smokeFailureFindings),
  ];
}

const NOTHING_TITLE: Record<NothingCheckedReason, string> = {
  "no-bundle-changed": "no bundle changed, nothing to check",
  "only-deleted-bundles": "no bundle changed, the change only deletes bundles",
  "layout-matches-nothing": "no bundle checked, the hub's layout matches none of its manifest.yml files",
  "no-bundle-here": "no bundle checked",
  "hub-config-invalid": "no bundle checked, the hub's configuration has problems",
};

/** The headline of a finished check, as the statuses, the note and the general check run say it. */
export function resultHeadline(report: Report): { mark: string; text: string } {
  const c = report.counts;
  const outsideErrors = report.outside.some((f) => f.level === "error");
  if (c.bundles === 0) {
    const why = report.nothingChecked ? NOTHING_TITLE[report.nothingChecked.reason] : "no bundle checked";
    return { mark: outsideErrors ? "❌" : report.outside.length ? "⚠️" : "✅", text: why };
  }
  if (isClean(report))
    return {
      mark: "✅",
      text: c.bundles === 1 ? "the pod bundle passed" : `all ${c.bundles} pod bundles passed`,
    };
  if (c.failed || outsideErrors)
    return {
      mark: "❌",
      text: c.failed
        ? `${c.failed} of ${plural(c.bundles, "pod bundle")} ${c.failed === 1 ? "needs" : "need"} changes`
        : "files need to move",
    };
  return { mark: "⚠️", text: "the check did not finish" };
}
