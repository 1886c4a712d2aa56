/**
 * A fast reader for the YAML that manifests are actually written in: a top-level block
 * mapping of plain keys to one-line scalars (plain, single- or double-quoted), one-line flow
 * sequences of such scalars, and block sequences of them; comments and blank lines anywhere
 * between. For such a text it gives exactly what the `yaml` package gives (the values, the
 * scalars' source text and every node's range, hence the same line and column in findings);
 * for anything else (anchors, tags, block or multi-line scalars, nested mappings, escapes,
 * tabs, odd line breaks, duplicate or non-string keys…) it gives undefined and the caller uses
 * the `yaml` package. test/core/yaml-fast.test.ts compares both on generated manifests.
 * Why: parsing is most of a static check's time, and loading `yaml` is a third of a
 * one-bundle check's start-up.
 */

export interface FastScalar {
  kind: "scalar";
  /** [start, end of the value] as the `yaml` package's node.range[0..1]. */
  range: [number, number];
  value: string | number | boolean | null;
  /** The scalar's string before tag resolution (yaml's Scalar.source). */
  source: string;
}

export interface FastSeq {
  kind: "seq";
  range: [number, number];
  items: FastScalar[];
}

export interface FastPair {
  key: FastScalar;
  value: FastScalar | FastSeq;
}

/** The top-level mapping (its range is left to the `yaml` package: no check of a mapping asks). */
export interface FastMap {
  kind: "map";
  pairs: FastPair[];
}

export type FastNode = FastScalar | FastSeq | FastMap;

export interface FastDocument {
  root: FastMap;
  /** Offsets where lines start, as yaml's LineCounter has them. */
  lineStarts: number[];
  text: string;
}

/** Characters that make this reader step aside anywhere in the text. */
const UNSUPPORTED_ANYWHERE = /[\t\r\u0085\u2028\u2029\ufeff\\]/;
const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?= |$)/;
/** Keys the core schema reads as something other than a string (or that toJS treats specially). */
const SPECIAL_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;
/** A plain scalar may not start with an indicator (block context); `-?:` followed by a
 *  non-space may, but are left to the full parser. */
const PLAIN_START = /^[^-?:,[\]{}#&*!|>'"%@`\s]/;
/** In a flow sequence, plain items may not hold these at all. */
const FLOW_FORBIDDEN = /[,[\]{}#:'"]/;

export function parseSimpleYaml(text: string): FastDocument | undefined {
  if (UNSUPPORTED_ANYWHERE.test(text)) return undefined;
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const lineCount = lineStarts.length;
  const lineEnd = (n: number) => (n + 1 < lineCount ? lineStarts[n + 1]! - 1 : text.length);
  const lineText = (n: number) => text.slice(lineStarts[n]!, lineEnd(n));
  const insignificant = (line: string) => /^ *(?:#.*)?$/.test(line);

  const pairs: FastPair[] = [];
  const keys = new Set<string>();
  let n = 0;
  while (n < lineCount) {
    const line = lineText(n);
    if (insignificant(line)) {
      n++;
      continue;
    }
    // Document markers and directives, indentation (continuations, nesting): not ours.
    if (line.startsWith("---") || line.startsWith("...")) return undefined;
    const key = KEY.exec(line);
    if (!key) return undefined;
    const name = key[1]!;
    if (SPECIAL_KEY.test(name) || keys.has(name)) return undefined;
    keys.add(name);
    const start = lineStarts[n]!;
    const keyNode: FastScalar = {
      kind: "scalar",
      range: [start, start + name.length],
      value: name,
      source: name,
    };
    const after = name.length + 1;
    const spaces = line.slice(after).length - line.slice(after).trimStart().length;
    const valueAt = after + spaces;
    const rest = line.slice(valueAt);
    n++;
    if (rest === "" || rest.startsWith("#")) {
      // A block sequence below, or an empty value (null where the comment or line end is).
      const seq = blockSequence();
      if (seq === null) return undefined;
      const at = start + valueAt;
      pairs.push({
        key: keyNode,
        value: seq ?? { kind: "scalar", range: [at, at], value: null, source: "" },
      });
      continue;
    }
    const value = rest.startsWith("[")
      ? flowSequence(rest, start + valueAt)
      : inlineScalar(rest, start + valueAt);
    if (!value) return undefined;
    pairs.push({ key: keyNode, value });
  }
  if (pairs.length === 0) return undefined;
  return { root: { kind: "map", pairs }, lineStarts, text };

  /** Is there an indented comment after line `from`, before the next key or column-0 comment? */
  function indentedCommentFollows(from: number): boolean {
    for (let m = from; m < lineCount; m++) {
      const line = lineText(m);
      if (/^ *$/.test(line)) continue;
      return /^ +#/.test(line);
    }
    return false;
  }

  /**
   * Items `- scalar` on the lines after a key (all at one indentation); undefined when there
   * are none, null when the lines there are not something this reader handles.
   */
  function blockSequence(): FastSeq | undefined | null {
    const items: FastScalar[] = [];
    let indent = -1;
    let first = -1;
    let end = -1;
    let last = n;
    let m = n;
    while (m < lineCount) {
      const line = lineText(m);
      if (insignificant(line)) {
        m++;
        continue;
      }
      const item = /^( *)-(?: |$)/.exec(line);
      if (!item) break;
      const at = item[1]!.length;
      if (indent === -1) indent = at;
      else if (at !== indent) return null;
      const body = line.slice(at + 2);
      const lead = body.length - body.trimStart().length;
      const content = body.slice(lead);
      const offset = lineStarts[m]! + at + 2 + lead;
      if (content === "" || content.startsWith("#") || content.startsWith("[")) return null;
      const scalar = inlineScalar(content, offset);
      if (!scalar) return null;
      if (first === -1) first = lineStarts[m]! + at;
      items.push(scalar);
      end = m + 1 < lineCount ? lineStarts[m + 1]! : text.length;
      m++;
      last = m;
    }
    if (items.length === 0) return undefined;
    // yaml extends a sequence over some indented comments after it: not worth copying.
    if (indentedCommentFollows(last)) return null;
    // The sequence ends where a key at column 0 starts; anything else (a deeper line) is not ours.
    if (m < lineCount && lineText(m).startsWith(" ")) return null;
    n = m;
    return { kind: "seq", range: [first, end], items };
  }
}

/** A one-line scalar at `offset`, followed by nothing but spaces and a comment. */
function inlineScalar(rest: string, offset: number): FastScalar | undefined {
  const c = rest[0];
  if (c === '"' || c === "'") {
    const close = quotedEnd(rest, c);
    if (close === undefined) return undefined;
    const tail = rest.slice(close + 1);
    if (!/^(?: +(?:#.*)?)?$/.test(tail)) return undefined;
    const inner = rest.slice(1, close);
    const value = c === "'" ? inner.replace(/''/g, "'") : inner;
    return { kind: "scalar", range: [offset, offset + close + 1], value, source: value };
  }
  if (!PLAIN_START.test(rest)) return undefined;
  const comment = rest.indexOf(" #");
  const raw = (comment === -1 ? rest : rest.slice(0, comment)).trimEnd();
  // `a: b` inside a value is a nested mapping (an error there); a trailing `:` too.
  if (raw.includes(": ") || raw.endsWith(":")) return undefined;
  return plainScalar(raw, offset);
}

/** Index of the closing quote on this line (no escapes, no line breaks: else undefined). */
function quotedEnd(rest: string, quote: string): number | undefined {
  for (let i = 1; i < rest.length; i++) {
    if (rest[i] !== quote) continue;
    if (quote === "'" && rest[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return undefined;
}

/** A plain scalar resolved by the YAML 1.2 core schema, as the `yaml` package does. */
function plainScalar(raw: string, offset: number): FastScalar | undefined {
  const scalar = (value: FastScalar["value"]): FastScalar => ({
    kind: "scalar",
    range: [offset, offset + raw.length],
    value,
    source: raw,
  });
  if (/^(?:~|[Nn]ull|NULL)$/.test(raw)) return scalar(null);
  if (/^(?:[Tt]rue|TRUE)$/.test(raw)) return scalar(true);
  if (/^(?:[Ff]alse|FALSE)$/.test(raw)) return scalar(false);
  if (/^[-+]?[0-9]+$/.test(raw)) return scalar(parseInt(raw, 10));
  if (
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(raw) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(raw)
  )
    return scalar(parseFloat(raw));
  // Hexadecimal, octal, infinity and NaN: rare in a manifest, left to the full parser.
  if (/^(?:0x|0o|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$)/.test(raw)) return undefined;
  return scalar(raw);
}

/** `[a, "b", c]` on one line: plain items without flow indicators, quoted items without escapes. */
function flowSequence(rest: string, offset: number): FastSeq | undefined {
  const close = rest.indexOf("]");
  if (close === -1) return undefined;
  if (!/^(?: +(?:#.*)?)?$/.test(rest.slice(close + 1))) return undefined;
  const body = rest.slice(1, close);
  const items: FastScalar[] = [];
  if (body.trim() !== "") {
    let at = 1;
    for (const part of body.split(",")) {
      const lead = part.length - part.trimStart().length;
      const item = part.trim();
      const itemAt = offset + at + lead;
      at += part.length + 1;
      if (item === "") return undefined;
      let scalar: FastScalar | undefined;
      if (item[0] === '"' || item[0] === "'") {
        if (quotedEnd(item, item[0]) !== item.length - 1) return undefined;
        const inner = item.slice(1, -1);
        if (/[,[\]]/.test(inner)) return undefined;
        const value = item[0] === "'" ? inner.replace(/''/g, "'") : inner;
        scalar = { kind: "scalar", range: [itemAt, itemAt + item.length], value, source: value };
      } else {
        if (!PLAIN_START.test(item) || FLOW_FORBIDDEN.test(item)) return undefined;
        scalar = plainScalar(item, itemAt);
      }
      if (!scalar) return undefined;
      items.push(scalar);
    }
  }
  return { kind: "seq", range: [offset, offset + close + 1], items };
}
