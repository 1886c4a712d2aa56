/** A finding is data: where, what, how to fix. Exceptions are for infrastructure only (DESIGN rule 5). */
import type { RuleId } from "./rules.js";

export type { RuleId } from "./rules.js";

export type Level = "error" | "warning" | "notice";

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Finding extends Position {
  /** Path relative to the repository root, forward slashes. */
  file: string;
  level: Level;
  /** Stable rule id from the catalogue (core/rules.ts), e.g. `manifest/name`. */
  rule: RuleId;
  message: string;
}

export const START_OF_FILE: Position = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export function finding(
  file: string,
  level: Level,
  rule: RuleId,
  message: string,
  at: Position = START_OF_FILE,
): Finding {
  return { file, ...at, level, rule, message };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.level === "error");
}

const LEVEL_ORDER: Record<Level, number> = { error: 0, warning: 1, notice: 2 };

/** Stable order: by file, then line, then column, then severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level],
  );
}
