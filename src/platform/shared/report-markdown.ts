import type { Finding } from "../../core/finding.js";
import type { BundleResult } from "../../core/result.js";
import { codeBlock, escapeMarkdown } from "./markdown-text.js";

export { codeBlock, escapeMarkdown };

export interface ChecklistItem {
  label: string;
  ok: boolean | undefined;
}

const has = (findings: readonly Finding[], pattern: RegExp) =>
  findings.some((f) => f.level === "error" && pattern.test(f.rule));

/** The seed's "Why does my upload fail on CI/CD?" list, each item ticked, crossed or not reached. */
export function checklistItems(bundle: BundleResult, outside: readonly Finding[] = []): ChecklistItem[] {
  const f = bundle.findings;
  const built = bundle.smoke.length > 0 || has(f, /^build\//);
  return [
    {
      label: "Required files Dockerfile and manifest.yml are present",
      ok: !has(f, /^bundle\/missing-file$/),
    },
    {
      label: "Required fields in manifest.yml are present",
      ok: !has(f, /^manifest\/(required|yaml|not-mapping|alias-bomb|too-large)$/),
    },
    { label: "Field values are in the correct format", ok: !has(f, /^(manifest\/(?!required$)|image\/)/) },
    {
      label: "The pod bundle is correctly placed",
      ok:
        !has(f, /^(bundle\/badly-placed|manifest\/kind-folder)$/) && !has(outside, /^bundle\/badly-placed$/),
    },
    {
      label: "The image builds and passes the three basic usage tests",
      ok: bundle.infrastructureError
        ? undefined
        : built
          ? !has(f, /^build\//) && bundle.smoke.every((s) => s.passed)
          : undefined,
    },
  ];
}

export function renderChecklist(items: readonly ChecklistItem[]): string {
  return items.map((i) => `- ${i.ok === undefined ? "⏳" : i.ok ? "✅" : "❌"} ${i.label}`).join("\n");
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
    const place = url ? `[\`${where}\`](${url})` : `\`${where}\``;
    return `- ${icon(f)} ${place} ${escapeMarkdown(f.message)} (\`${f.rule}\`)`;
  });
  if (findings.length > max) lines.push(`- … and ${findings.length - max} more`);
  return lines.join("\n");
}

/** Cut text to `max` characters, saying so, without splitting a surrogate pair. */
export function truncate(text: string, max: number, note = "\n\n… (truncated)"): string {
  if (text.length <= max) return text;
  return (
    Array.from(text.slice(0, max - note.length))
      .join("")
      .replace(/[\uD800-\uDBFF]$/, "") + note
  );
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** One bundle's report body, shared by the GitHub check-run summary and the GitLab MR note. */
export function renderBundleSummary(
  bundle: BundleResult,
  options: { link: (f: Finding) => string | undefined; outside?: readonly Finding[]; maxFindings?: number },
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
  parts.push("#### Why does my upload fail?", renderChecklist(checklistItems(bundle, options.outside)));
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
