import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Position } from "./finding.js";

export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface YamlProblem {
  code: string;
  message: string;
  at: Position;
}

/** Parse keeping positions. Never expands aliases (toJS does that, with a cap, later). */
export function parseYamlWithPositions(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  return { doc, lines };
}

export function rangeToPosition(
  lines: LineCounter,
  range: readonly [number, number] | readonly number[],
): Position {
  const start = lines.linePos(range[0] ?? 0);
  const end = lines.linePos(Math.max(range[0] ?? 0, (range[1] ?? range[0] ?? 0) as number));
  // A block scalar's range ends at the start of the next line: keep the end on the start line then.
  const endLine = end.col === 1 && end.line > start.line ? end.line - 1 : end.line;
  const endColumn = endLine === end.line ? end.col : Math.max(start.col, lineLength(lines, endLine, start));
  return { line: start.line, column: start.col, endLine, endColumn };
}

function lineLength(lines: LineCounter, line: number, start: { line: number; col: number }): number {
  const offsets = lines.lineStarts;
  const from = offsets[line - 1];
  const to = offsets[line];
  if (from === undefined || to === undefined) return start.col;
  return to - from;
}

export function yamlProblems(parsed: ParsedYaml): YamlProblem[] {
  return [...parsed.doc.errors, ...parsed.doc.warnings].map((e) => ({
    code: e.code,
    message: e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""),
    at: rangeToPosition(parsed.lines, e.pos),
  }));
}

/** Node for a key or its value along `path` (JSON pointer segments). */
export function locateInYaml(
  parsed: ParsedYaml,
  path: readonly (string | number)[],
  part: "key" | "value" = "value",
): Position | undefined {
  let node: unknown = parsed.doc.contents;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return undefined;
      keyNode = pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      keyNode = undefined;
      node = node.items[Number(segment)];
    } else {
      return undefined;
    }
  }
  const target = (part === "key" ? (keyNode ?? node) : node) as Node | undefined;
  return target?.range ? rangeToPosition(parsed.lines, target.range) : undefined;
}

/** The scalar's text as written (`1.10`, not the number 1.1). */
export function sourceText(parsed: ParsedYaml, path: readonly (string | number)[]): string | undefined {
  const node = parsed.doc.getIn(path, true);
  if (isScalar(node)) return typeof node.source === "string" ? node.source : String(node.value);
  return undefined;
}
