import type { ErrorObject } from "ajv";
import { isAlias, isMap, visit } from "yaml";
import { closest } from "./did-you-mean.js";
import { finding, START_OF_FILE, type Finding, type Position } from "./finding.js";
import { suggestLicense } from "./license.js";
import { manifestFieldRule } from "./rules.js";
import type { Manifest } from "./manifest.js";
import type { ManifestValidator } from "./manifest-validator.js";
import {
  locateInYaml,
  parseYamlWithPositions,
  sourceText,
  yamlProblems,
  type ParsedYaml,
} from "./yaml-positions.js";

/** A manifest is a few hundred bytes; anything this large is a mistake or an attack. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
/** Aliases in a manifest are rare; a cap keeps an alias bomb from ever being expanded. */
const MAX_ALIAS_COUNT = 50;

export interface ManifestCheck {
  /** The manifest with schema defaults applied; absent when the YAML could not be read as a mapping. */
  manifest?: Manifest;
  /** Raw values as written (no defaults), for rules that care whether a key was given. */
  raw?: Record<string, unknown>;
  findings: Finding[];
  /** Position of a top-level key's value (or the key itself), for later rules. */
  positionOf(key: string, part?: "key" | "value"): Position;
  /** Position of any value by path (`["tags", 1]`), falling back to the start of the file. */
  positionAt(path: Array<string | number>): Position;
}

const EXAMPLES: Record<string, string> = {
  name: "name: AwesomeEncoder",
  kind: "kind: encoder",
  type: "type: pod",
  description: "description: Encodes images with ...",
};

export function checkManifestText(file: string, text: string, validator: ManifestValidator): ManifestCheck {
  const findings: Finding[] = [];
  const unlocated: ManifestCheck = {
    findings,
    positionOf: () => START_OF_FILE,
    positionAt: () => START_OF_FILE,
  };
  if (text.length > MAX_MANIFEST_BYTES) {
    findings.push(
      finding(
        file,
        "error",
        "manifest/too-large",
        `manifest.yml is ${text.length} bytes; the limit is ${MAX_MANIFEST_BYTES}. A manifest holds metadata only.`,
      ),
    );
    return unlocated;
  }
  const parsed = parseYamlWithPositions(text);
  const positionOf = (key: string, part: "key" | "value" = "value") =>
    locateInYaml(parsed, [key], part) ?? START_OF_FILE;
  const positionAt = (path: Array<string | number>) => locateInYaml(parsed, path) ?? START_OF_FILE;
  const result: ManifestCheck = { findings, positionOf, positionAt };

  let fatal = false;
  for (const problem of yamlProblems(parsed)) {
    const duplicate = problem.code === "DUPLICATE_KEY";
    if (!duplicate) fatal = true;
    findings.push(
      finding(
        file,
        "error",
        duplicate ? "manifest/duplicate-key" : "manifest/yaml",
        duplicate
          ? `${problem.message}: each key may appear once; delete or merge the repeated one.`
          : `YAML syntax error: ${problem.message}. Check indentation and quoting on this line.`,
        problem.at,
      ),
    );
  }
  if (fatal) return result;

  if (!isMap(parsed.doc.contents)) {
    findings.push(
      finding(
        file,
        "error",
        "manifest/not-mapping",
        "manifest.yml must be a mapping of keys to values (name: ..., kind: ...).",
        locateInYaml(parsed, []) ?? START_OF_FILE,
      ),
    );
    return result;
  }

  let data: Record<string, unknown>;
  try {
    data = parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>;
  } catch (error) {
    findings.push(
      finding(
        file,
        "error",
        "manifest/alias-bomb",
        `YAML aliases expand too far (${(error as Error).message.split(".")[0]}); write the values out instead of using anchors and aliases.`,
        firstAlias(parsed),
      ),
    );
    return result;
  }

  for (const error of dedupe(validator.validate(data))) {
    findings.push(schemaFinding(file, error, parsed, data, validator));
  }
  result.raw = data;
  result.manifest = { ...validator.defaults, ...data } as unknown as Manifest;
  return result;
}

function firstAlias(parsed: ParsedYaml): Position {
  let at: Position = START_OF_FILE;
  visit(parsed.doc, {
    Alias(_, node) {
      if (isAlias(node) && node.range) {
        at = locateRange(parsed, node.range);
        return visit.BREAK;
      }
    },
  });
  return at;
}

function locateRange(parsed: ParsedYaml, range: [number, number, number]): Position {
  const start = parsed.lines.linePos(range[0]);
  const end = parsed.lines.linePos(range[1]);
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

function pointerToPath(pointer: string): string[] {
  return pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** ajv reports one failure per keyword; keep one per location so a line is not flagged twice. */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key =
      e.keyword === "additionalProperties" || e.keyword === "required"
        ? `${e.keyword}:${JSON.stringify(e.params)}`
        : e.instancePath;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function schemaFinding(
  file: string,
  error: ErrorObject,
  parsed: ParsedYaml,
  data: Record<string, unknown>,
  validator: ManifestValidator,
): Finding {
  const path = pointerToPath(error.instancePath);
  const field = path[0] ?? "";
  const at = locateInYaml(parsed, path) ?? START_OF_FILE;
  const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);
  const written = sourceText(parsed, path) ?? String(value);
  const known = Object.keys(validator.schema.properties ?? {});

  switch (error.keyword) {
    case "required": {
      const missing = String(error.params.missingProperty);
      return finding(
        file,
        "error",
        "manifest/required",
        `required field "${missing}" is missing: add a line such as \`${EXAMPLES[missing] ?? `${missing}: ...`}\`.`,
      );
    }
    case "additionalProperties": {
      const key = String(error.params.additionalProperty);
      const guess = closest(key, known);
      return finding(
        file,
        "warning",
        "manifest/unknown-key",
        `unknown key "${key}" is ignored by the hub${guess ? `; did you mean "${guess}"?` : `. Known keys: ${known.join(", ")}.`}`,
        locateInYaml(parsed, [...path, key], "key") ?? at,
      );
    }
    case "type": {
      const expected = String(error.params.type);
      const quoteIt =
        expected.includes("string") && (typeof value === "number" || typeof value === "boolean");
      if (quoteIt) {
        const hint =
          field === "version" && /^\d+(\.\d+)?$/.test(written)
            ? `"${semverFromNumber(written)}"`
            : `"${written}"`;
        return finding(
          file,
          "error",
          manifestFieldRule(field),
          `${path.join(".")}: ${written} is read as a ${typeof value}, not text; quote it: ${hint}.`,
          at,
        );
      }
      return finding(
        file,
        "error",
        manifestFieldRule(field),
        `${path.join(".")} must be ${article(expected)}, not ${describe(value)}.`,
        at,
      );
    }
    case "enum": {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      if (field === "license") {
        const guess = suggestLicense(String(value), validator.licenses);
        return finding(
          file,
          "error",
          "manifest/license",
          `license "${written}" is not one of the accepted keys${guess ? `; did you mean "${guess}"?` : ` (${allowed.join(", ")}).`}`,
          at,
        );
      }
      return finding(
        file,
        "error",
        manifestFieldRule(field),
        `${field} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, not "${written}".`,
        at,
      );
    }
    case "pattern":
      return finding(file, "error", manifestFieldRule(field), patternMessage(field, String(value)), at);
    case "format":
      return finding(
        file,
        "error",
        manifestFieldRule(field),
        `${field} "${written}" is not a valid ${error.params.format}; write a full address such as https://example.com/docs.`,
        at,
      );
    case "minLength":
      return finding(file, "error", manifestFieldRule(field), `${path.join(".")} must not be empty.`, at);
    default:
      return finding(
        file,
        "error",
        manifestFieldRule(field),
        `${path.join(".") || "manifest"} ${error.message ?? "is invalid"}.`,
        at,
      );
  }
}

function patternMessage(field: string, value: string): string {
  if (field === "name") {
    const length = value.length;
    if (length < 4 || length > 21) {
      return `name "${value}" is ${length} characters long; it must be 4 to 21 characters (regex ^[a-zA-Z_$][a-zA-Z_\\s\\-$0-9]{3,20}$).`;
    }
    if (!/^[a-zA-Z_$]/.test(value)) return `name "${value}" must start with a letter, _ or $.`;
    const bad = [...value].find((c) => !/[a-zA-Z_\s\-$0-9]/.test(c));
    return `name "${value}" contains "${bad}"; use only letters, digits, _, -, $ and spaces.`;
  }
  if (field === "version") {
    if (/^[vV]\d/.test(value)) {
      const bare = value.slice(1);
      const fixed = /^\d+(\.\d+)?$/.test(bare) ? semverFromNumber(bare) : bare;
      return `version "${value}" must be plain SemVer without the leading v: "${fixed}".`;
    }
    if (/[\^~><=*xX|]/.test(value) || /\s/.test(value))
      return `version "${value}" looks like a range; write one exact version such as "1.2.3".`;
    if (/^\d+(\.\d+)?$/.test(value))
      return `version "${value}" needs three parts (MAJOR.MINOR.PATCH): "${semverFromNumber(value)}".`;
    return `version "${value}" is not strict SemVer 2.0.0 (MAJOR.MINOR.PATCH, e.g. "0.0.1"; no leading zeros).`;
  }
  if (field === "kind")
    return `kind "${value}" must be a lower-case word such as encoder, indexer or crafter.`;
  return `${field} "${value}" has the wrong format.`;
}

function semverFromNumber(text: string): string {
  const parts = text.split(".");
  while (parts.length < 3) parts.push("0");
  return parts.map((p) => String(Number(p))).join(".");
}

function article(type: string): string {
  return type.includes(",") ? `one of ${type}` : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}
