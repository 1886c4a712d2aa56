/**
 * The seed's "Why does my upload fail?" checklist, computed once per bundle for every dialect:
 * which rule crosses out which item comes from the rule catalogue (core/rules.ts).
 */
import type { Finding } from "../core/finding.js";
import { CHECKLIST_LABELS, CHECKLIST_ORDER, ruleChecklist, type ChecklistKey } from "../core/rules.js";
import type { BundleResult } from "../core/result.js";

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

export function checklistItems(result: BundleResult): ChecklistItem[] {
  const errors = result.findings.filter((f) => f.level === "error");
  const of = (key: ChecklistKey) => errors.filter((f) => ruleChecklist(f.rule) === key);
  const items = CHECKLIST_ORDER.filter((key) => key !== "build").map((key): ChecklistItem => {
    const problems = of(key);
    return { key, label: CHECKLIST_LABELS[key], state: problems.length ? "failed" : "passed", problems };
  });
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
