import type { Finding } from "../../core/finding.js";
import type { CheckResult } from "../../core/result.js";
import { guardLines, plainValue } from "../../report/plain-text.js";
import { reportModel, type BundleVerdict, type Report } from "../../report/report-model.js";

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
  const out: string[] = [];
  const level = (f: Finding) =>
    f.level === "error"
      ? style.red("error")
      : f.level === "warning"
        ? style.yellow("warning")
        : style.dim("notice");
  // Every contributor string is one inert line (continuation lines of a message indented).
  const line = (f: Finding) =>
    `${plainValue(f.file)}:${f.line}:${f.column}: ${level(f)}: ${f.message
      .split("\n")
      .map(plainValue)
      .join("\n      ")} ${style.dim(`[${f.rule}]`)}`;

  const report = reportModel(result);
  if (report.outside.length) {
    out.push(style.bold("outside any bundle"));
    for (const f of report.outside) out.push(`  ${line(f)}`);
  }
  for (const { bundle, verdict } of report.bundles) {
    out.push(
      `${style.bold(plainValue(bundle.path))}${bundle.image ? style.dim(`  ${plainValue(bundle.image)}`) : ""}  ${VERDICT[verdict](style)}`,
    );
    for (const f of bundle.findings) out.push(`  ${line(f)}`);
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
  }
  // "0 bundles checked" always says why.
  if (result.nothingChecked) out.push(style.yellow(result.nothingChecked.message));
  out.push(summary(report, style));
  // No printed line may start a CI workflow command, whatever a folder name or log says.
  return guardLines(out.join("\n")) + "\n";
}

const VERDICT: Record<BundleVerdict, (style: TextStyle) => string> = {
  passed: (style) => style.green("ok"),
  failed: (style) => style.red("failed"),
  "not-finished": (style) => style.yellow("not finished (our side)"),
};

function summary(report: Report, style: TextStyle): string {
  const { bundles: n, passed, failed, errors, warnings, notFinished } = report.counts;
  const parts = [
    `${n} bundle${n === 1 ? "" : "s"} checked`,
    `${passed} passed`,
    `${failed} failed`,
    `${errors} error${errors === 1 ? "" : "s"}`,
    `${warnings} warning${warnings === 1 ? "" : "s"}`,
  ];
  if (notFinished) parts.push(`${notFinished} not finished because of an infrastructure problem`);
  const text = parts.join(", ");
  return report.conclusion === "success" && !notFinished ? style.green(text) : style.red(text);
}
