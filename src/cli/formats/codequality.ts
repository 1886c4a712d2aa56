import { createHash } from "node:crypto";
import type { Finding } from "../../core/finding.js";
import type { CheckResult } from "../../core/result.js";
import { smokeRule } from "../../core/rules.js";

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

/**
 * Failed smoke tests as findings on the bundle's Dockerfile: reports that need a file and a
 * line (Code Quality, SARIF) still show them. Infrastructure problems are not findings.
 */
export function smokeFailureFindings(result: CheckResult): Finding[] {
  return result.bundles.flatMap((b) =>
    b.smoke
      .filter((s) => !s.passed)
      .map((s) => ({
        file: `${b.path}/Dockerfile`,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        level: "error" as const,
        rule: smokeRule(s.name),
        message: `smoke test "${s.name}" failed: ${s.reason ?? "no reason given"}. Run \`hubgate check ${b.path} --build\` to reproduce it.`,
      })),
  );
}

export function allFindings(result: CheckResult): Finding[] {
  return [...result.findings, ...result.bundles.flatMap((b) => b.findings), ...smokeFailureFindings(result)];
}

export function codeQualityIssues(result: CheckResult): CodeQualityIssue[] {
  const seen = new Map<string, number>();
  return allFindings(result).map((f) => {
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
