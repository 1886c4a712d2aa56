import { createHash } from "node:crypto";
import type { Finding } from "../../core/finding.js";
import type { CheckResult } from "../../core/result.js";
import { rule } from "../../core/rules.js";
import { locatedFindings } from "../../report/report-model.js";

/**
 * SARIF 2.1.0 (GitHub code scanning, IDE viewers, GitLab via converters): one run, a rule per
 * distinct rule id, a result per finding at its region. Problems on our side are tool
 * execution notifications, not results, so they never read as the contributor's fault.
 */

const LEVEL: Record<Finding["level"], "error" | "warning" | "note"> = {
  error: "error",
  warning: "warning",
  notice: "note",
};

function region(f: Finding): Record<string, number> {
  const r: Record<string, number> = { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) };
  // SARIF's endColumn is exclusive, like ours; an empty range (a whole-file finding) gets none.
  const hasRange = f.endLine > f.line || (f.endLine === f.line && f.endColumn > f.column);
  if (hasRange) {
    r.endLine = f.endLine;
    r.endColumn = f.endColumn;
  }
  return r;
}

export function sarifLog(result: CheckResult, toolVersion?: string): Record<string, unknown> {
  const findings = locatedFindings(result);
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  // Each rule's descriptions come from the catalogue; its level is the most severe reported
  // (a hub may raise or lower a rule's level, e.g. the version bump).
  const rules = ruleIds.map((id) => {
    const spec = rule(id);
    return {
      id,
      name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : "")),
      shortDescription: { text: spec.title },
      fullDescription: { text: spec.help },
      help: { text: `${spec.help} Fix: ${spec.fix}` },
      defaultConfiguration: { level: mostSevere(findings.filter((f) => f.rule === id)) },
    };
  });
  const results = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: LEVEL[f.level],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeUri(f.file), uriBaseId: "%SRCROOT%" },
          region: region(f),
        },
      },
    ],
    partialFingerprints: {
      "hubgateFinding/v1": createHash("sha256")
        .update(`${f.rule}\0${f.file}\0${f.line}\0${f.message}`)
        .digest("hex"),
    },
  }));
  const infrastructure = result.bundles.filter((b) => b.infrastructureError);
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "hubgate", ...(toolVersion ? { version: toolVersion } : {}), rules } },
        results,
        invocations: [
          {
            executionSuccessful: infrastructure.length === 0,
            toolExecutionNotifications: [
              ...infrastructure.map((b) => ({
                level: "error",
                message: {
                  text: `${b.path}: not finished because of an infrastructure problem on hubgate's side: ${b.infrastructureError}`,
                },
              })),
              // "0 bundles checked" says why here too: an empty result list is not a clean bill.
              ...(result.nothingChecked
                ? [{ level: "note", message: { text: result.nothingChecked.message } }]
                : []),
            ],
          },
        ],
        // Columns come from the yaml library's offsets into a JS string.
        columnKind: "utf16CodeUnits",
      },
    ],
  };
}

function mostSevere(findings: readonly Finding[]): "error" | "warning" | "note" {
  if (findings.some((f) => f.level === "error")) return "error";
  return findings.some((f) => f.level === "warning") ? "warning" : "note";
}

/** A relative URI reference: each path segment percent-encoded, slashes kept. */
function encodeUri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export function formatSarif(result: CheckResult): string {
  return JSON.stringify(sarifLog(result), null, 2) + "\n";
}
