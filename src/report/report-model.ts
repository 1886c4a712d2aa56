import type { Finding } from "../core/finding.js";
import type { BundleResult, CheckResult } from "../core/result.js";

/**
 * The neutral report every dialect renders (text now; the platforms' Markdown is moving here):
 * what was checked and how it ended, counted once, so no two outputs disagree on a number.
 */
export type BundleVerdict = "passed" | "failed" | "not-finished";

export interface ReportCounts {
  bundles: number;
  passed: number;
  failed: number;
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
}

export interface Report {
  conclusion: CheckResult["conclusion"];
  counts: ReportCounts;
  /** Findings outside any bundle (badly placed files, hub problems). */
  outside: Finding[];
  bundles: BundleReport[];
}

/** Our side failing beats the contributor's: an unfinished bundle is never called failed. */
export function bundleVerdict(bundle: BundleResult): BundleVerdict {
  if (bundle.infrastructureError) return "not-finished";
  return bundle.conclusion === "success" ? "passed" : "failed";
}

export function reportModel(result: CheckResult): Report {
  const level = (fs: readonly Finding[], l: Finding["level"]) => fs.filter((f) => f.level === l).length;
  const bundles = result.bundles.map((bundle) => ({
    bundle,
    verdict: bundleVerdict(bundle),
    errors: level(bundle.findings, "error"),
    warnings: level(bundle.findings, "warning"),
  }));
  const all = [...result.findings, ...result.bundles.flatMap((b) => b.findings)];
  return {
    conclusion: result.conclusion,
    outside: result.findings,
    bundles,
    counts: {
      bundles: bundles.length,
      // As before: a bundle counts as failed by its conclusion, whether or not it finished.
      passed: result.bundles.filter((b) => b.conclusion !== "failure").length,
      failed: result.bundles.filter((b) => b.conclusion === "failure").length,
      notFinished: bundles.filter((b) => b.verdict === "not-finished").length,
      errors: level(all, "error"),
      warnings: level(all, "warning"),
      notices: level(all, "notice"),
    },
  };
}
