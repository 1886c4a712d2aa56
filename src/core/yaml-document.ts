import type { Position } from "./finding.js";
import { parseSimpleYaml, type FastDocument, type FastNode, type FastPair } from "./yaml-fast.js";
import { fullYaml } from "./yaml-full.js";
import {
  linePositions,
  normaliseLineBreaks,
  yamlPreflight,
  locateInYaml,
  parseYamlWithPositions,
  rangeToPosition,
  sourceText,
  yamlProblems,
  type ParsedYaml,
  type YamlProblem,
} from "./yaml-positions.js";

/** A parsed YAML document as the manifest and hub-config checks use it, whichever parser read it. */
export interface YamlDocument {
  /** Syntax errors and warnings (at most a few; see yamlProblems). */
  problems(): YamlProblem[];
  /** Is the top level a mapping? */
  isMapping(): boolean;
  /** The document as plain data; throws when aliases expand past `maxAliasCount`. */
  toJS(maxAliasCount: number): unknown;
  /** Where the key or value at `path` is written. */
  locate(path: readonly (string | number)[], part?: "key" | "value"): Position | undefined;
  /** The scalar's text as written (`1.10`, not the number 1.1). */
  sourceText(path: readonly (string | number)[]): string | undefined;
  /** Where the first alias is (an alias bomb's finding). */
  firstAlias(): Position | undefined;
}

/** Read YAML text (line breaks normalised, preflight passed): the fast reader when it can, else `yaml`. */
export function readYamlDocument(text: string): YamlDocument {
  return readFastYamlDocument(text) ?? readFullYamlDocument(text);
}

/** The fast reader alone (undefined: not a text it handles). Exported for the equivalence test. */
export function readFastYamlDocument(text: string): YamlDocument | undefined {
  const fast = parseSimpleYaml(text);
  return fast ? fastDocument(fast) : undefined;
}

/** The `yaml` package alone. Exported for the equivalence test. */
export function readFullYamlDocument(text: string): YamlDocument {
  return fullDocument(parseYamlWithPositions(text));
}

/** The data of a text the fast reader handles (undefined: use the `yaml` package). */
export function simpleYamlData(text: string): Record<string, unknown> | undefined {
  const fast = parseSimpleYaml(text);
  return fast ? (fastDocument(fast).toJS(0) as Record<string, unknown>) : undefined;
}

/**
 * A manifest's data read leniently (the base version, another bundle's name): undefined when
 * it does not parse (the data itself may be anything). Fast reader first, so the `yaml` package is loaded only when needed.
 */
export function lenientYamlData(text: string): { data: unknown } | undefined {
  const normalised = normaliseLineBreaks(text);
  if (yamlPreflight(normalised)) return undefined;
  try {
    return {
      data: simpleYamlData(normalised) ?? (fullYaml().parse(normalised, { maxAliasCount: 10 }) as unknown),
    };
  } catch {
    return undefined;
  }
}

function fullDocument(parsed: ParsedYaml): YamlDocument {
  return {
    problems: () => yamlProblems(parsed),
    isMapping: () => fullYaml().isMap(parsed.doc.contents),
    toJS: (maxAliasCount) => parsed.doc.toJS({ maxAliasCount }),
    locate: (path, part) => locateInYaml(parsed, path, part),
    sourceText: (path) => sourceText(parsed, path),
    firstAlias() {
      const { isAlias, visit } = fullYaml();
      let at: Position | undefined;
      visit(parsed.doc, {
        Alias(_, node) {
          if (isAlias(node) && node.range) {
            const start = parsed.lines.linePos(node.range[0]);
            const end = parsed.lines.linePos(node.range[1]);
            at = { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
            return visit.BREAK;
          }
        },
      });
      return at;
    },
  };
}

function fastDocument(doc: FastDocument): YamlDocument {
  const lines = linePositions(doc.lineStarts);
  /** The node (and its key) at `path`, as locateInYaml walks yaml's nodes. */
  const find = (path: readonly (string | number)[]) => {
    let node: FastNode | undefined = doc.root;
    let key: FastNode | undefined;
    for (const segment of path) {
      if (node?.kind === "map") {
        const pair: FastPair | undefined = node.pairs.find((p) => p.key.source === String(segment));
        if (!pair) return undefined;
        key = pair.key;
        node = pair.value;
      } else if (node?.kind === "seq") {
        key = undefined;
        node = node.items[Number(segment)];
      } else {
        return undefined;
      }
    }
    return node ? { node, key } : undefined;
  };
  return {
    problems: () => [],
    isMapping: () => true,
    toJS: () => {
      const data: Record<string, unknown> = {};
      for (const { key, value } of doc.root.pairs)
        data[key.source] = value.kind === "seq" ? value.items.map((i) => i.value) : value.value;
      return data;
    },
    locate(path, part = "value") {
      // The whole document's range: only a check of something that is no mapping asks.
      if (path.length === 0) return readFullYamlDocument(doc.text).locate(path, part);
      const found = find(path);
      if (!found) return undefined;
      const target = part === "key" ? (found.key ?? found.node) : found.node;
      return target.kind === "map" ? undefined : rangeToPosition(lines, target.range);
    },
    sourceText(path) {
      const found = find(path);
      return found?.node.kind === "scalar" ? found.node.source : undefined;
    },
    firstAlias: () => undefined,
  };
}
