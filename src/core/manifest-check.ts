import type { ErrorObject } from "ajv";
import { closest } from "./did-you-mean.js";
import { finding, START_OF_FILE, type Finding, type Position } from "./finding.js";
import { suggestLicense } from "./license.js";
import { SEED_NAME_PATTERN } from "./hub-config.js";
import { manifestFieldRule } from "./rules.js";
import type { Manifest } from "./manifest.js";
import type { ManifestValidator } from "./manifest-validator.js";
import { readYamlDocument, type YamlDocument } from "./yaml-document.js";
import { normaliseLineBreaks, yamlPreflight } from "./yaml-positions.js";

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

export interface ManifestRules {
  /** The hub's name pattern (core/hub-config.ts); replaces the schema's own for `name`. */
  namePattern?: string;
}

export function checkManifestText(
  file: string,
  text: string,
  validator: ManifestValidator,
  rules: ManifestRules = {},
): ManifestCheck {
  const findings: Finding[] = [];
  const unlocated: ManifestCheck = {
    findings,
    positionOf: () => START_OF_FILE,
    positionAt: () => START_OF_FILE,
  };
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most manifests need no encoding to know.
  const bytes = text.length * 3 <= MAX_MANIFEST_BYTES ? 0 : new TextEncoder().encode(text).length;
  if (bytes > MAX_MANIFEST_BYTES) {
    findings.push(
      finding(
        file,
        "error",
        "manifest/too-large",
        `manifest.yml is ${bytes} bytes; the limit is ${MAX_MANIFEST_BYTES}. A manifest holds metadata only.`,
      ),
    );
    return unlocated;
  }
  const refusal = yamlPreflight(normaliseLineBreaks(text));
  if (refusal) {
    findings.push(
      finding(
        file,
        "error",
        refusal.kind === "forbidden-character" ? "manifest/encoding" : "manifest/yaml",
        refusal.kind === "forbidden-character"
          ? `manifest.yml ${refusal.message}; remove it (a manifest is plain text).`
          : `manifest.yml ${refusal.message}; a manifest is a flat mapping of a few keys.`,
        refusal.at,
      ),
    );
    return unlocated;
  }
  const parsed = readYamlDocument(normaliseLineBreaks(text));
  const positionOf = (key: string, part: "key" | "value" = "value") =>
    parsed.locate([key], part) ?? START_OF_FILE;
  const positionAt = (path: Array<string | number>) => parsed.locate(path) ?? START_OF_FILE;
  const result: ManifestCheck = { findings, positionOf, positionAt };

  let fatal = false;
  for (const problem of parsed.problems()) {
    const duplicate = problem.code === "DUPLICATE_KEY";
    if (!duplicate) fatal = true;
    findings.push(
      finding(
        file,
        "error",
        duplicate ? "manifest/duplicate-key" : "manifest/yaml",
        duplicate
          ? `${problem.message}: each key may appear once; delete or merge the repeated one.`
          : problem.code === "TOO_DEEP"
            ? `manifest.yml: ${problem.message}; a manifest is a flat mapping of a few keys.`
            : `YAML syntax error: ${problem.message}. Check indentation and quoting on this line.`,
        problem.at,
      ),
    );
  }
  if (fatal) return result;

  if (!parsed.isMapping()) {
    findings.push(
      finding(
        file,
        "error",
        "manifest/not-mapping",
        "manifest.yml must be a mapping of keys to values (name: ..., kind: ...).",
        parsed.locate([]) ?? START_OF_FILE,
      ),
    );
    return result;
  }

  let data: Record<string, unknown>;
  try {
    data = parsed.toJS(MAX_ALIAS_COUNT) as Record<string, unknown>;
  } catch (error) {
    findings.push(
      finding(
        file,
        "error",
        "manifest/alias-bomb",
        `YAML aliases expand too far (${(error as Error).message.split(".")[0]}); write the values out instead of using anchors and aliases.`,
        parsed.firstAlias() ?? START_OF_FILE,
      ),
    );
    return result;
  }

  const hubName = rules.namePattern !== undefined;
  for (const error of dedupe(validator.validate(data))) {
    // The hub's name pattern replaces the schema's (jina-hub itself accepted 3 to 31 characters).
    if (hubName && error.keyword === "pattern" && error.instancePath === "/name") continue;
    findings.push(schemaFinding(file, error, parsed, data, validator));
  }
  if (hubName && typeof data.name === "string" && !nameMatches(rules.namePattern!, data.name)) {
    findings.push(
      finding(
        file,
        "error",
        "manifest/name",
        patternMessage("name", data.name, rules.namePattern),
        parsed.locate(["name"]) ?? START_OF_FILE,
      ),
    );
  }
  result.raw = data;
  result.manifest = { ...validator.defaults, ...data } as unknown as Manifest;
  return result;
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
  parsed: YamlDocument,
  data: Record<string, unknown>,
  validator: ManifestValidator,
): Finding {
  const path = pointerToPath(error.instancePath);
  const field = path[0] ?? "";
  const at = parsed.locate(path) ?? START_OF_FILE;
  const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);
  const written = parsed.sourceText(path) ?? String(value);
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
        parsed.locate([...path, key], "key") ?? at,
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

/** A name longer than this is refused before any hub regex runs on it. */
const MAX_NAME_LENGTH = 256;

function nameMatches(pattern: string, name: string): boolean {
  if (name.length > MAX_NAME_LENGTH) return false;
  try {
    return new RegExp(pattern, "u").test(name);
  } catch {
    return true; // an invalid pattern is the hub configuration's finding, not the contributor's
  }
}

/** `^[first][rest]{m,n}$`, the shape of the seed's rule: explained in words. */
const NAME_SHAPE = /^\^\[([^\]]+)\]\[([^\]]+)\]\{(\d+),(\d+)\}\$$/;

function patternMessage(field: string, value: string, namePattern = SEED_NAME_PATTERN): string {
  if (field === "name") {
    const shape = NAME_SHAPE.exec(namePattern);
    if (!shape) return `name "${value}" does not match the hub's name pattern ${namePattern}.`;
    const [, first, rest, min, max] = shape as unknown as [string, string, string, string, string];
    const shortest = Number(min) + 1;
    const longest = Number(max) + 1;
    const length = value.length;
    if (length < shortest || length > longest) {
      return `name "${value}" is ${length} characters long; it must be ${shortest} to ${longest} characters (regex ${namePattern}).`;
    }
    if (!new RegExp(`^[${first}]`, "u").test(value))
      return `name "${value}" must start with ${describeClass(first, true)}.`;
    const bad = [...value].slice(1).find((c) => !new RegExp(`^[${rest}]$`, "u").test(c));
    if (bad === undefined) return `name "${value}" does not match the hub's name pattern ${namePattern}.`;
    return `name "${value}" contains "${bad}"; use only ${describeClass(rest)}.`;
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

/** `a-zA-Z_$` → "letters, _ or $" (the seed's classes, in words). */
function describeClass(cls: string, one = false): string {
  const words: string[] = [];
  let rest = cls;
  const take = (re: RegExp, word: string) => {
    if (re.test(rest)) {
      rest = rest.replace(re, "");
      words.push(word);
    }
  };
  take(/a-zA-Z|A-Za-z/, one ? "a letter" : "letters");
  take(/a-z/, one ? "a lower-case letter" : "lower-case letters");
  take(/A-Z/, one ? "an upper-case letter" : "upper-case letters");
  take(/0-9|\\d/, one ? "a digit" : "digits");
  take(/\\s/, one ? "a space" : "spaces");
  for (const c of rest.replace(/\\/g, "")) words.push(c);
  return words.length > 1
    ? `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`
    : (words[0] ?? cls);
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
