/**
 * The hub's `.hubgate.yml`, checked like a manifest: every problem is a finding at its line
 * (rules `config/yaml` and `config/invalid`), never an infrastructure error, since no re-run
 * can fix it; the hub's maintainers can. Pure: the compiled schema is injected.
 */
import type { ErrorObject } from "ajv";
import { LayoutError, parseLayout } from "./bundle-layout.js";
import { finding, START_OF_FILE, type Finding } from "./finding.js";
import { resolveHubConfig, type HubConfig, type HubConfigInput } from "./hub-config.js";
import type { CompiledSchema } from "./manifest-validator.js";
import { readYamlDocument } from "./yaml-document.js";
import { normaliseLineBreaks, yamlPreflight } from "./yaml-positions.js";

/** A configuration file is a few lines; a big one is refused unread. */
export const MAX_CONFIG_BYTES = 64 * 1024;
const MAX_ALIAS_COUNT = 20;

export interface HubConfigCheck {
  /** The configuration when it has no error (defaults filled in); undefined otherwise. */
  config?: HubConfig;
  findings: Finding[];
}

export function checkHubConfigText(
  file: string,
  text: string | undefined,
  validate: CompiledSchema,
): HubConfigCheck {
  if (text === undefined || text.trim() === "") return { config: resolveHubConfig(), findings: [] };
  const invalid = (message: string, at = START_OF_FILE): HubConfigCheck => ({
    findings: [finding(file, "error", "config/invalid", message, at)],
  });
  if (text.length > MAX_CONFIG_BYTES)
    return invalid(`${file} is ${text.length} bytes; a hub configuration is at most ${MAX_CONFIG_BYTES}.`);

  const normalised = normaliseLineBreaks(text);
  const refusal = yamlPreflight(normalised);
  if (refusal)
    return {
      findings: [finding(file, "error", "config/yaml", `${file} ${refusal.message}.`, refusal.at)],
    };
  const parsed = readYamlDocument(normalised);
  const problems = parsed.problems();
  if (problems.length > 0) {
    return {
      findings: problems.map((p) =>
        finding(file, "error", "config/yaml", `YAML syntax error in ${file}: ${p.message}.`, p.at),
      ),
    };
  }
  if (!parsed.isMapping())
    return invalid(`${file} must be a mapping of keys to values (layout: ..., namespace: ...).`);
  let data: Record<string, unknown>;
  try {
    data = parsed.toJS(MAX_ALIAS_COUNT) as Record<string, unknown>;
  } catch (error) {
    return invalid(`${file}: ${(error as Error).message}; write the values out instead of using aliases.`);
  }

  const at = (path: readonly string[], part: "key" | "value" = "value") =>
    parsed.locate(path, part) ?? START_OF_FILE;
  if (!validate(data)) {
    return {
      findings: relevant(validate.errors ?? []).map((e) => {
        const path = pointer(e.instancePath);
        if (e.keyword === "additionalProperties") {
          const key = String(e.params.additionalProperty);
          return finding(
            file,
            "error",
            "config/invalid",
            `${file}: unknown key "${[...path, key].join(".")}"; see schemas/config.schema.json for the keys a hub can set.`,
            at([...path, key], "key"),
          );
        }
        const where = path.join(".") || "the configuration";
        const message =
          e.keyword === "pattern" && path[0] === "layout"
            ? `${where} "${String(valueAt(data, path))}" is not a layout pattern: folder names or {placeholders} separated by /, ending with {name} (e.g. '{kinds}/{name}')`
            : `${where} ${e.message ?? "is invalid"}`;
        return finding(file, "error", "config/invalid", `${file}: ${message}.`, at(path));
      }),
    };
  }

  const input = data as HubConfigInput;
  const findings: Finding[] = [];
  try {
    parseLayout(input.layout ?? resolveHubConfig().layout);
  } catch (error) {
    if (!(error instanceof LayoutError)) throw error;
    findings.push(finding(file, "error", "config/invalid", `${file}: ${error.message}.`, at(["layout"])));
  }
  if (input.namePattern !== undefined) {
    try {
      new RegExp(input.namePattern, "u");
    } catch (error) {
      findings.push(
        finding(
          file,
          "error",
          "config/invalid",
          `${file}: namePattern is not a valid regular expression (${(error as Error).message}).`,
          at(["namePattern"]),
        ),
      );
    }
  }
  return findings.length ? { findings } : { config: resolveHubConfig(input), findings };
}

/** ajv explains a failed oneOf by each branch; the branch errors say more than "must match one". */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const seen = new Map<string, ErrorObject>();
  const out: ErrorObject[] = [];
  // A oneOf branch whose errors lie deeper matched the value's type (a list given for
  // `layout`): the other branch's "must be string" says nothing then.
  const deeper = (path: string) => errors.some((o) => o.instancePath.startsWith(`${path}/`));
  for (const e of errors) {
    if (e.keyword === "oneOf" || e.keyword === "if") continue;
    if (e.keyword === "type" && deeper(e.instancePath)) continue;
    // Type errors of a oneOf's branches at one place become one: "must be string or array".
    const key =
      e.keyword === "type"
        ? `${e.instancePath}\0type`
        : `${e.instancePath}\0${e.keyword}\0${JSON.stringify(e.params)}`;
    const earlier = seen.get(key);
    if (earlier) {
      if (e.keyword === "type" && !earlier.message?.includes(String(e.params.type)))
        earlier.message = `${earlier.message ?? "must be"} or ${String(e.params.type)}`;
      continue;
    }
    const copy = { ...e };
    seen.set(key, copy);
    out.push(copy);
  }
  return out;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);
}

function pointer(instancePath: string): string[] {
  return instancePath === ""
    ? []
    : instancePath
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}
