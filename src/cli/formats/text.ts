import type { Finding } from "../../core/finding.js";
import type { BundleResult, CheckResult } from "../../core/result.js";
import { guardLines, plainValue } from "../../report/plain-text.js";
import { bundleVerdict, ReportTally } from "../../report/report-model.js";

export interface TextStyle {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const paint = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const COLOURS: TextStyle = {
  red: paint(31),
  yellow: paint(33),
  green: paint(32),
  dim: paint(2),
  bold: paint(1),
};
const same = (s: string) => s;
export const PLAIN: TextStyle = { red: same, yellow: same, green: same, dim: same, bold: same };

/** Compiler-style lines (`file:line:col: error: message [rule]`), grouped per bundle. */
export function formatText(result: CheckResult, style: TextStyle): string {
  const tally = new ReportTally();
  const out = [textOutside(result.findings, style)];
  for (const bundle of result.bundles) {
    tally.add(bundle);
    out.push(textBundle(bundle, style));
  }
  out.push(textEnd(result, tally, style));
  return out.join("");
}

function findingLine(f: Finding, style: TextStyle): string {
  const level =
    f.level === "error"
      ? style.red("error")
      : f.level === "warning"
        ? style.yellow("warning")
        : style.dim("notice");
  // Every contributor string is one inert line (continuation lines of a message indented).
  const message = f.message.split("\n").map(plainValue).join("\n      ");
  return `${plainValue(f.file)}:${f.line}:${f.column}: ${level}: ${message} ${style.dim(`[${f.rule}]`)}`;
}

/** The "outside any bundle" block, or "" (known before any bundle is checked). */
export function textOutside(findings: readonly Finding[], style: TextStyle): string {
  if (!findings.length) return "";
  return (
    guardLines(
      [style.bold("outside any bundle"), ...findings.map((f) => `  ${findingLine(f, style)}`)].join("\n"),
    ) + "\n"
  );
}

/** One bundle's block, printed as soon as the bundle is done. */
export function textBundle(bundle: BundleResult, style: TextStyle): string {
  const out = [
    `${style.bold(plainValue(bundle.path))}${bundle.image ? style.dim(`  ${plainValue(bundle.image)}`) : ""}  ${verdict(bundle, style)}`,
  ];
  for (const f of bundle.findings) out.push(`  ${findingLine(f, style)}`);
  for (const s of bundle.smoke) {
    const status = s.passed
      ? style.green("passed")
      : style.red(`failed: ${plainValue(s.reason ?? "unknown reason")}`);
    out.push(`  smoke ${s.name}: ${status} ${style.dim(`(${s.durationMs} ms)`)}`);
    if (!s.passed)
      for (const l of (s.logTail ?? []).slice(-10)) out.push(style.dim(`    | ${plainValue(l)}`));
  }
  if (bundle.infrastructureError)
    out.push(`  ${style.yellow("infrastructure")}: ${plainValue(bundle.infrastructureError)}`);
  // No printed line may start a CI workflow command, whatever a folder name or log says.
  return guardLines(out.join("\n")) + "\n";
}

/** Why nothing was checked, if so, and the summary line. */
export function textEnd(result: CheckResult, tally: ReportTally, style: TextStyle): string {
  const totals = Object.assign(new ReportTally(), tally).count(result.findings);
  const out: string[] = [];
  // "0 bundles checked" always says why.
  if (result.nothingChecked) out.push(style.yellow(plainValue(result.nothingChecked.message)));
  const n = totals.bundles;
  const parts = [
    `${n} bundle${n === 1 ? "" : "s"} checked`,
    `${totals.passed} passed`,
    `${totals.failed} failed`,
    `${totals.errors} error${totals.errors === 1 ? "" : "s"}`,
    `${totals.warnings} warning${totals.warnings === 1 ? "" : "s"}`,
  ];
  if (totals.notFinished)
    parts.push(`${totals.notFinished} not finished because of an infrastructure problem`);
  const text = parts.join(", ");
  out.push(result.conclusion === "success" && !totals.notFinished ? style.green(text) : style.red(text));
  return out.join("\n") + "\n";
}

function verdict(bundle: BundleResult, style: TextStyle): string {
  const words = {
    "not-finished": () => style.yellow("not finished (our side)"),
    passed: () => style.green("ok"),
    failed: () => style.red("failed"),
  };
  return words[bundleVerdict(bundle)]();
}
