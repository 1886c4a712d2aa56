import { createHash } from "node:crypto";
import type { Finding } from "../../core/finding.js";
import type { CheckResult } from "../../core/result.js";
import { locatedFindings } from "../../report/report-model.js";

/**
 * GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of
 * {description, check_name, fingerprint, severity, location:{path, lines:{begin}}}.
 * GitLab shows findings of equal fingerprint once and compares fingerprints between the
 * target and source branch, so a fingerprint is stable across runs and unique in a report.
 */
export interface CodeQualityIssue {
  type: "issue";
  description: string;
  check_name: string;
  fingerprint: string;
  severity: "info" | "minor" | "major" | "critical" | "blocker";
  categories: string[];
  location: { path: string; lines: { begin: number; end?: number } };
}

const SEVERITY: Record<Finding["level"], CodeQualityIssue["severity"]> = {
  error: "major",
  warning: "minor",
  notice: "info",
};

export function codeQualityIssues(result: CheckResult): CodeQualityIssue[] {
  const seen = new Map<string, number>();
  return locatedFindings(result).map((f) => {
    const identity = `${f.rule}\0${f.file}\0${f.line}\0${f.message}`;
    // The same finding twice (rare) would collapse into one in GitLab's widget: number the repeats.
    const repeat = seen.get(identity) ?? 0;
    seen.set(identity, repeat + 1);
    const fingerprint = createHash("sha256")
      .update(repeat ? `${identity}\0${repeat}` : identity)
      .digest("hex");
    const lines: CodeQualityIssue["location"]["lines"] = { begin: Math.max(1, f.line) };
    if (f.endLine > f.line) lines.end = f.endLine;
    return {
      type: "issue",
      description: f.message,
      check_name: f.rule,
      fingerprint,
      severity: SEVERITY[f.level],
      // Code Climate fields GitLab ignores, kept so the file is a valid Code Climate report too.
      categories: [f.level === "error" ? "Bug Risk" : "Style"],
      location: { path: f.file, lines },
    };
  });
}

export function formatCodeQuality(result: CheckResult): string {
  return JSON.stringify(codeQualityIssues(result), null, 2) + "\n";
}
