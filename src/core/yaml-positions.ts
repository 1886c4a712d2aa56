import type { Document, Node } from "yaml";
import type { Position } from "./finding.js";
import { firstForbiddenCharacter } from "./text-decoding.js";
import { fullYaml } from "./yaml-full.js";

export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LinePositions;
}

/** What positions need of a line counter (the `yaml` package's LineCounter, or the fast reader's). */
export interface LinePositions {
  readonly lineStarts: readonly number[];
  linePos(offset: number): { line: number; col: number };
}

/** yaml's LineCounter.linePos over known line starts (same binary search, same answers). */
export function linePositions(lineStarts: readonly number[]): LinePositions {
  return {
    lineStarts,
    linePos(offset) {
      let low = 0;
      let high = lineStarts.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (lineStarts[mid]! < offset) low = mid + 1;
        else high = mid;
      }
      if (lineStarts[low] === offset) return { line: low + 1, col: 1 };
      if (low === 0) return { line: 0, col: offset };
      return { line: low, col: offset - lineStarts[low - 1]! + 1 };
    },
  };
}

export interface YamlProblem {
  code: string;
  message: string;
  at: Position;
}

/** Deeper than this, flow or block, is refused before parsing (real manifests nest 2-3 levels). */
export const MAX_YAML_DEPTH = 64;

/**
 * YAML 1.2 line breaks are LF, CRLF and a lone CR; the `yaml` package knows only the first
 * two (a CR-only file reads as one line, and `]\r` at the end is "Unexpected scalar",
 * eemeli/yaml#595). One break for one break keeps every line number.
 */
export function normaliseLineBreaks(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

export interface YamlRefusal {
  kind: "forbidden-character" | "too-deep";
  message: string;
  at: Position;
}

/**
 * Checks before the parser sees the text: characters YAML forbids (NUL, other C0/C1
 * controls, lone surrogates) and nesting deeper than MAX_YAML_DEPTH. The parser recurses per
 * level: 100,000 `[` exhausted the process's memory inside V8's regexp compiler, and a few
 * thousand gave hundreds of "Maximum call stack size exceeded" errors.
 */
export function yamlPreflight(text: string): YamlRefusal | undefined {
  const forbidden = firstForbiddenCharacter(text);
  if (forbidden) {
    const at = offsetPosition(text, forbidden.index);
    const code = `U+${forbidden.code.toString(16).toUpperCase().padStart(4, "0")}`;
    return {
      kind: "forbidden-character",
      message: `contains the character ${code}${forbidden.code === 0 ? " (NUL)" : ""}, which YAML does not allow in a document`,
      at: { ...at, endLine: at.line, endColumn: at.column + 1 },
    };
  }
  const deep = mayBeTooDeep(text) ? tooDeepAt(text) : undefined;
  if (deep !== undefined) {
    const at = offsetPosition(text, deep);
    return {
      kind: "too-deep",
      message: `nests more than ${MAX_YAML_DEPTH} levels deep (or leaves that many [ or { open)`,
      at: { ...at, endLine: at.line, endColumn: at.column + 1 },
    };
  }
  return undefined;
}

/**
 * Can tooDeepAt find anything? Its depth never exceeds the lines plus the `-`, `[` and `{`
 * seen: a manifest of a dozen lines is cleared by one pass over its characters.
 */
function mayBeTooDeep(text: string): boolean {
  let bound = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // \n - [ {
    if ((c === 10 || c === 45 || c === 91 || c === 123) && ++bound > MAX_YAML_DEPTH) return true;
  }
  return false;
}

/** Offset where nesting first passes MAX_YAML_DEPTH: open flow brackets plus block indentation levels. */
function tooDeepAt(text: string): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let offset = 0;
  for (const line of text.split("\n")) {
    const indent = line.length - line.trimStart().length;
    const body = line.slice(indent);
    if (flow === 0 && body !== "" && !body.startsWith("#")) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      // Compact nested sequences on one line (`- - - x`) are levels too.
      const dashes = /^(?:-[ \t]+)*/.exec(body)![0].split("-").length - 1;
      if (indents.length + dashes > MAX_YAML_DEPTH) return offset + indent;
    }
    let quote: string | undefined;
    for (let i = indent; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') {
        quote = c;
      } else if (c === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) {
        break;
      } else if (c === "[" || c === "{") {
        if (++flow + indents.length > MAX_YAML_DEPTH) return offset + i;
      } else if ((c === "]" || c === "}") && flow > 0) {
        flow--;
      }
    }
    offset += line.length + 1;
  }
  return undefined;
}

function offsetPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Parse keeping positions. Never expands aliases (toJS does that, with a cap, later). */
export function parseYamlWithPositions(text: string): ParsedYaml {
  const { LineCounter, parseDocument } = fullYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    // Hostile documents must not reach the process's warning channel (e.g. collection keys).
    logLevel: "error",
  });
  return { doc, lines };
}

export function rangeToPosition(
  lines: LinePositions,
  range: readonly [number, number] | readonly number[],
): Position {
  const start = lines.linePos(range[0] ?? 0);
  const end = lines.linePos(Math.max(range[0] ?? 0, (range[1] ?? range[0] ?? 0) as number));
  // A block scalar's range ends at the start of the next line: keep the end on the start line then.
  const endLine = end.col === 1 && end.line > start.line ? end.line - 1 : end.line;
  const endColumn = endLine === end.line ? end.col : Math.max(start.col, lineLength(lines, endLine, start));
  return { line: start.line, column: start.col, endLine, endColumn };
}

function lineLength(lines: LinePositions, line: number, start: { line: number; col: number }): number {
  const offsets = lines.lineStarts;
  const from = offsets[line - 1];
  const to = offsets[line];
  if (from === undefined || to === undefined) return start.col;
  return to - from;
}

/** At most this many syntax problems per file: past the first few, they are echoes. */
const MAX_YAML_PROBLEMS = 10;

/**
 * The parser's errors and warnings, one per line and message, at most MAX_YAML_PROBLEMS. An
 * engine limit (the parser's own stack) is never shown as a syntax error: one "too deep" problem.
 */
export function yamlProblems(parsed: ParsedYaml): YamlProblem[] {
  const all = [...parsed.doc.errors, ...parsed.doc.warnings];
  const exhausted = all.find((e) => e.code === "RESOURCE_EXHAUSTION");
  if (exhausted) {
    return [
      {
        code: "TOO_DEEP",
        message: `the document nests too deeply to be read (more than ${MAX_YAML_DEPTH} levels)`,
        at: rangeToPosition(parsed.lines, exhausted.pos),
      },
    ];
  }
  const seen = new Set<string>();
  const problems: YamlProblem[] = [];
  for (const e of all) {
    const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    const at = rangeToPosition(parsed.lines, e.pos);
    const key = `${at.line}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ code: e.code, message, at });
    if (problems.length === MAX_YAML_PROBLEMS) break;
  }
  return problems;
}

/** Node for a key or its value along `path` (JSON pointer segments). */
export function locateInYaml(
  parsed: ParsedYaml,
  path: readonly (string | number)[],
  part: "key" | "value" = "value",
): Position | undefined {
  const { isMap, isPair, isScalar, isSeq } = fullYaml();
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
  if (fullYaml().isScalar(node)) return typeof node.source === "string" ? node.source : String(node.value);
  return undefined;
}
