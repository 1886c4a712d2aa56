/**
 * Markdown building blocks for reports on any platform (GitLab notes now, GitHub summaries
 * later): escaping of everything a contributor wrote, the seed's "Why does my upload fail"
 * checklist, the smoke-test table and a size limiter, shared by the GitLab note and the
 * GitHub check-run summary.
 */
import type { Finding } from "../../core/finding.js";
import { CHECKLIST_LABELS, ruleChecklist, type ChecklistKey, type RuleId } from "../../core/rules.js";
import type { BundleResult, SmokeResult, SmokeTestName } from "../../core/result.js";

import { escapeMarkdown, inlineCode, truncateText } from "./markdown-text.js";

// ---------------------------------------------------------------- checklist

/** The checklist's keys and labels live in the rule catalogue (core/rules.ts). */
export type { ChecklistKey } from "../../core/rules.js";
export { CHECKLIST_LABELS } from "../../core/rules.js";
export type ChecklistState = "passed" | "failed" | "not-run";

export interface ChecklistItem {
  key: ChecklistKey;
  label: string;
  state: ChecklistState;
  /** The error findings that cross this item out. */
  problems: Finding[];
  /** Why an item did not run, or what failed when no finding says it (a smoke test). */
  detail?: string;
}

/** Which checklist line a rule belongs to, from the catalogue (null: on no line). */
export function ruleCategory(rule: RuleId): ChecklistKey | null {
  return ruleChecklist(rule);
}

export function checklistItems(result: BundleResult): ChecklistItem[] {
  const errors = result.findings.filter((f) => f.level === "error");
  const of = (key: ChecklistKey) => errors.filter((f) => ruleCategory(f.rule) === key);
  const item = (key: ChecklistKey): ChecklistItem => {
    const problems = of(key);
    return { key, label: CHECKLIST_LABELS[key], state: problems.length ? "failed" : "passed", problems };
  };
  const items = (["files", "fields", "values", "placement"] as const).map(item);
  items.push(
    buildItem(
      result,
      of("build"),
      items.some((i) => i.state === "failed"),
    ),
  );
  return items;
}

function buildItem(result: BundleResult, problems: Finding[], staticFailed: boolean): ChecklistItem {
  const base = { key: "build" as const, label: CHECKLIST_LABELS.build, problems };
  const failedSmoke = result.smoke.filter((s) => !s.passed);
  if (problems.length || failedSmoke.length) {
    const detail = failedSmoke.length
      ? `failed: ${failedSmoke.map((s) => `${s.name} (${s.reason ?? "no reason given"})`).join(", ")}`
      : undefined;
    return { ...base, state: "failed", detail };
  }
  if (result.infrastructureError) {
    return {
      ...base,
      state: "not-run",
      detail: "not finished because of an infrastructure problem on our side",
    };
  }
  if (result.build && result.smoke.length) return { ...base, state: "passed" };
  if (staticFailed) return { ...base, state: "not-run", detail: "not run: fix the problems above first" };
  return { ...base, state: "not-run", detail: "not run: only the static checks ran for this change" };
}

// ---------------------------------------------------------------- smoke tests

const SMOKE_ORDER: SmokeTestName[] = ["run", "pod", "replicas"];

export const SMOKE_DESCRIPTIONS: Record<SmokeTestName, string> = {
  run: "starts and exits cleanly",
  pod: "becomes ready with the bundle's config, stops on SIGTERM",
  replicas: "three replicas become ready and stop",
};

export function sortedSmoke(smoke: readonly SmokeResult[]): SmokeResult[] {
  return [...smoke].sort((a, b) => SMOKE_ORDER.indexOf(a.name) - SMOKE_ORDER.indexOf(b.name));
}

/** The smoke-test table, or "" when no smoke test ran. */
export function smokeTable(
  smoke: readonly SmokeResult[],
  marks = { passed: "✅ passed", failed: "❌ failed" },
): string {
  if (smoke.length === 0) return "";
  const rows = sortedSmoke(smoke).map((s) => {
    const result = s.passed
      ? marks.passed
      : `${marks.failed}: ${escapeMarkdown(s.reason ?? "no reason given")}`;
    return `| ${inlineCode(s.name)} | ${escapeMarkdown(SMOKE_DESCRIPTIONS[s.name] ?? "")} | ${result} | ${formatDuration(s.durationMs)} |`;
  });
  return ["| Test | What it checks | Result | Time |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

// ---------------------------------------------------------------- counting and size

export interface Counts {
  bundles: number;
  passed: number;
  failed: number;
  errors: number;
  warnings: number;
  notices: number;
  infrastructure: number;
}

export function countResult(bundles: readonly BundleResult[], outside: readonly Finding[]): Counts {
  const all = [...outside, ...bundles.flatMap((b) => b.findings)];
  return {
    bundles: bundles.length,
    passed: bundles.filter((b) => b.conclusion === "success" && !b.infrastructureError).length,
    failed: bundles.filter((b) => b.conclusion === "failure").length,
    errors: all.filter((f) => f.level === "error").length,
    warnings: all.filter((f) => f.level === "warning").length,
    notices: all.filter((f) => f.level === "notice").length,
    infrastructure: bundles.filter((b) => b.infrastructureError).length,
  };
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** How much detail a report may carry; reduced step by step until it fits the platform's limit. */
export interface DetailBudget {
  logs: boolean;
  /** Findings listed per bundle; the rest are counted. */
  findingsPerBundle: number;
}

export const DETAIL_STEPS: DetailBudget[] = [
  { logs: true, findingsPerBundle: Infinity },
  { logs: false, findingsPerBundle: Infinity },
  { logs: false, findingsPerBundle: 200 },
  { logs: false, findingsPerBundle: 30 },
  { logs: false, findingsPerBundle: 5 },
  { logs: false, findingsPerBundle: 0 },
];

/**
 * Render with ever less detail until the text fits `limit`; as a last resort cut it and say so.
 * `render` must be pure: it is called once per step.
 */
export function fitToLimit(
  render: (budget: DetailBudget) => string,
  limit: number,
  cutNotice: string,
): string {
  for (const budget of DETAIL_STEPS) {
    const text = render(budget);
    if (text.length <= limit) return text;
  }
  const text = render(DETAIL_STEPS[DETAIL_STEPS.length - 1]!);
  return truncateText(text, limit - cutNotice.length - 2, "") + `\n\n${cutNotice}`;
}
