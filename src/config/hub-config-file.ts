import { checkHubConfigText, type HubConfigCheck } from "../core/hub-config-check.js";
import type { HubConfig } from "../core/hub-config.js";
import { compiledSchema } from "./validators.js";

export const HUB_CONFIG_FILE = ".hubgate.yml";

export class HubConfigError extends Error {
  override readonly name = "HubConfigError";
}

/**
 * Check the hub's `.hubgate.yml` (text from disk or from the base branch, never from a PR
 * head, so a contributor cannot loosen the rules in the same PR). Problems are findings at
 * their line in `file` (the path reported, relative to the hub root).
 */
export async function loadHubConfig(
  text: string | undefined,
  file = HUB_CONFIG_FILE,
): Promise<HubConfigCheck> {
  // No file, no validator to load (start-up time of a plain `hubgate check`).
  if (text === undefined || text.trim() === "") return checkHubConfigText(file, undefined, () => true);
  return checkHubConfigText(file, text, await compiledSchema("config"));
}

/** The configuration, or a HubConfigError listing its problems (for callers with no report). */
export async function parseHubConfig(text: string | undefined, source = HUB_CONFIG_FILE): Promise<HubConfig> {
  const checked = await loadHubConfig(text, source);
  if (checked.config) return checked.config;
  const problems = checked.findings.map((f) => `line ${f.line}: ${f.message}`).join("; ");
  throw new HubConfigError(`${source} is invalid: ${problems}`);
}
