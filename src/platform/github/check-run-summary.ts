import type { Finding } from "../../core/finding.js";
import type { BundleResult } from "../../core/result.js";
import { checklistItems, type ChecklistItem } from "../shared/report-blocks.js";
import { codeBlock, escapeMarkdown, inlineCode } from "../shared/markdown-text.js";

/**
 * The Markdown of a GitHub check run: the same checklist the GitLab note uses (one
 * definition of which rule crosses out which item), rendered for the checks tab.
 */
const ICON: Record<ChecklistItem["state"], string> = { passed: "✅", failed: "❌", "not-run": "⏳" };

export function renderChecklist(items: readonly ChecklistItem[]): string {
  return items.map((i) => `- ${ICON[i.state]} ${i.label}`).join("\n");
}

export function renderSmokeTable(bundle: BundleResult): string {
  if (bundle.smoke.length === 0) return "";
  const rows = bundle.smoke.map(
    (s) =>
      `| \`${s.name}\` | ${s.passed ? "✅ passed" : "❌ failed"} | ${(s.durationMs / 1000).toFixed(1)} s | ${s.reason ? escapeMarkdown(s.reason) : ""} |`,
  );
  return ["| Smoke test | Result | Time | Reason |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function renderFindingsList(
  findings: readonly Finding[],
  link: (f: Finding) => string | undefined,
  max = 50,
): string {
  const icon = (f: Finding) => (f.level === "error" ? "❌" : f.level === "warning" ? "⚠️" : "ℹ️");
  const lines = findings.slice(0, max).map((f) => {
    const where = `${f.file}:${f.line}`;
    const url = link(f);
    // The path is the contributor's too: a folder name with a backtick or line breaks stays inert.
    const place = url ? `[${inlineCode(where)}](${url})` : inlineCode(where);
    return `- ${icon(f)} ${place} ${escapeMarkdown(f.message)} (\`${f.rule}\`)`;
  });
  if (findings.length > max) lines.push(`- … and ${findings.length - max} more`);
  return lines.join("\n");
}

/** One bundle's check-run summary. */
export function renderBundleSummary(
  bundle: BundleResult,
  options: { link: (f: Finding) => string | undefined; maxFindings?: number },
): string {
  const errors = bundle.findings.filter((f) => f.level === "error").length;
  const warnings = bundle.findings.filter((f) => f.level === "warning").length;
  const parts: string[] = [];
  const headline = bundle.infrastructureError
    ? "⚠️ Not finished: a problem on hubgate's side, not in your bundle"
    : bundle.conclusion === "success"
      ? "✅ Ready to merge"
      : `❌ ${errors} problem${errors === 1 ? "" : "s"} to fix`;
  parts.push(`**${headline}**${warnings ? ` · ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`);
  if (bundle.image) parts.push(`Image: \`${bundle.image}\``);
  if (bundle.infrastructureError) parts.push(`> ${escapeMarkdown(bundle.infrastructureError)}`);
  parts.push("#### Why does my upload fail?", renderChecklist(checklistItems(bundle)));
  const smoke = renderSmokeTable(bundle);
  if (smoke) parts.push("#### Smoke tests", smoke);
  if (bundle.findings.length)
    parts.push("#### Findings", renderFindingsList(bundle.findings, options.link, options.maxFindings));
  return parts.join("\n\n");
}

/** Last lines of the build and failing smoke tests, for the place that holds long text. */
export function renderLogTails(bundle: BundleResult): string {
  const parts: string[] = [];
  if (bundle.build?.logTail.length)
    parts.push("Build log (last lines)", codeBlock(bundle.build.logTail.join("\n")));
  for (const s of bundle.smoke) {
    if (!s.passed && s.logTail?.length)
      parts.push(`Smoke test \`${s.name}\` (last lines)`, codeBlock(s.logTail.join("\n")));
  }
  const buildFailure = bundle.findings.find((f) => f.rule === "build/failed");
  if (buildFailure && !bundle.build) parts.push("Build failure", codeBlock(buildFailure.message));
  return parts.join("\n\n");
}
