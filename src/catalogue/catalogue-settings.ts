import { SecretBox } from "./secret-box.js";

/**
 * The catalogue's settings, read once from an injected environment (DESIGN rule 7).
 * - HUBGATE_CATALOGUE_TOKEN: bearer token every write needs; without it writes are refused.
 * - HUBGATE_CATALOGUE_READS: `open` (default) or `token` (reads need the token too).
 * - HUBGATE_CATALOGUE_KEY: 32-byte key sealing registry passwords; without it none is accepted.
 */
export interface CatalogueSettings {
  token?: string;
  readsNeedToken: boolean;
  secretBox?: SecretBox;
}

export class CatalogueSettingsError extends Error {
  override readonly name = "CatalogueSettingsError";
}

export function readCatalogueSettings(env: Readonly<Record<string, string | undefined>>): CatalogueSettings {
  const token = env.HUBGATE_CATALOGUE_TOKEN?.trim() || undefined;
  const reads = (env.HUBGATE_CATALOGUE_READS?.trim() || "open").toLowerCase();
  if (reads !== "open" && reads !== "token")
    throw new CatalogueSettingsError(`HUBGATE_CATALOGUE_READS must be "open" or "token", not "${reads}"`);
  if (reads === "token" && !token)
    throw new CatalogueSettingsError("HUBGATE_CATALOGUE_READS=token needs HUBGATE_CATALOGUE_TOKEN");
  const settings: CatalogueSettings = { readsNeedToken: reads === "token" };
  if (token) settings.token = token;
  const key = env.HUBGATE_CATALOGUE_KEY?.trim();
  if (key) {
    try {
      settings.secretBox = SecretBox.fromKey(key);
    } catch (error) {
      throw new CatalogueSettingsError((error as Error).message);
    }
  }
  return settings;
}
