import { parse } from "yaml";
import { resolveHubConfig, type HubConfig, type HubConfigInput } from "../core/hub-config.js";
import { parseLayout } from "../core/bundle-layout.js";
import { normaliseLineBreaks, yamlPreflight } from "../core/yaml-positions.js";
import { compiledSchema } from "./validators.js";

export const HUB_CONFIG_FILE = ".hubgate.yml";

export class HubConfigError extends Error {
  override readonly name = "HubConfigError";
}

/**
 * Parse the hub's `.hubgate.yml` (text from disk or from the base branch, never from a PR
 * head, so a contributor cannot loosen the rules in the same PR). Throws HubConfigError.
 */
export async function parseHubConfig(text: string | undefined, source = HUB_CONFIG_FILE): Promise<HubConfig> {
  if (text === undefined || text.trim() === "") return resolveHubConfig();
  let data: unknown;
  const normalised = normaliseLineBreaks(text);
  const refusal = yamlPreflight(normalised);
  if (refusal)
    throw new HubConfigError(`${source}:${refusal.at.line}:${refusal.at.column}: ${refusal.message}`);
  try {
    data = parse(normalised, { maxAliasCount: 10 });
  } catch (error) {
    throw new HubConfigError(`${source}: ${(error as Error).message}`);
  }
  const validate = await compiledSchema("config");
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new HubConfigError(`${source} is invalid: ${problems}`);
  }
  const config = resolveHubConfig(data as HubConfigInput);
  parseLayout(config.layout);
  return config;
}
