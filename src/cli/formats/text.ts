import type { Finding } from "../../core/finding.js";
import type { BundleResult, CheckResult } from "../../core/result.js";

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
  const line = (f: Finding) =>
    `${f.file}:${f.line}:${f.column}: ${level(f)}: ${f.message} ${style.dim(`[${f.rule}]`)}`;

  if (result.findings.length) {
    out.push(style.bold("outside any bundle"));
    for (const f of result.findings) out.push(`  ${line(f)}`);
  }
  for (const bundle of result.bundles) {
    out.push(
      `${style.bold(bundle.path)}${bundle.image ? style.dim(`  ${bundle.image}`) : ""}  ${verdict(bundle, style)}`,
    );
    for (const f of bundle.findings) out.push(`  ${line(f)}`);
    for (const s of bundle.smoke) {
      const status = s.passed ? style.green("passed") : style.red(`failed: ${s.reason ?? "unknown reason"}`);
      out.push(`  smoke ${s.name}: ${status} ${style.dim(`(${s.durationMs} ms)`)}`);
      if (!s.passed) for (const l of (s.logTail ?? []).slice(-10)) out.push(style.dim(`    | ${l}`));
    }
    if (bundle.infrastructureError)
      out.push(`  ${style.yellow("infrastructure")}: ${bundle.infrastructureError}`);
  }
  // "0 bundles checked" always says why.
  if (result.nothingChecked) out.push(style.yellow(result.nothingChecked.message));
  out.push(summary(result, style));
  return out.join("\n") + "\n";
}

function verdict(bundle: BundleResult, style: TextStyle): string {
  if (bundle.infrastructureError) return style.yellow("not finished (our side)");
  return bundle.conclusion === "success" ? style.green("ok") : style.red("failed");
}

function summary(result: CheckResult, style: TextStyle): string {
  const all = [...result.findings, ...result.bundles.flatMap((b) => b.findings)];
  const errors = all.filter((f) => f.level === "error").length;
  const warnings = all.filter((f) => f.level === "warning").length;
  const failed = result.bundles.filter((b) => b.conclusion === "failure").length;
  const infra = result.bundles.filter((b) => b.infrastructureError).length;
  const n = result.bundles.length;
  const parts = [
    `${n} bundle${n === 1 ? "" : "s"} checked`,
    `${n - failed} passed`,
    `${failed} failed`,
    `${errors} error${errors === 1 ? "" : "s"}`,
    `${warnings} warning${warnings === 1 ? "" : "s"}`,
  ];
  if (infra) parts.push(`${infra} not finished because of an infrastructure problem`);
  const text = parts.join(", ");
  return result.conclusion === "success" && !infra ? style.green(text) : style.red(text);
}
