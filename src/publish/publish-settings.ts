import { resolve } from "node:path";

/**
 * Where and as whom hubgate publishes. Read from an injected environment (never at import
 * time) so tests and the platform adapters can hand in their own values.
 */
export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface PublishSettings {
  /** `host[:port]` as it appears in image references; undefined = publishing not configured. */
  registry?: string;
  /** Plain HTTP for loopback registries (dockerd treats them as insecure too), HTTPS otherwise. */
  registryUrl?: string;
  credentials?: RegistryCredentials;
  namespace: string;
  dataDir: string;
}

export const DEFAULT_NAMESPACE = "jinahub";
export const DEFAULT_DATA_DIR = ".hubgate";

export class PublishSettingsError extends Error {
  override readonly name = "PublishSettingsError";
}

const NAMESPACE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
// A registry host as Docker accepts it in a reference: DNS name or IPv4, optional port.
const HOST = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?$/;

export interface SettingsOverrides {
  /** `--registry` wins over HUBGATE_REGISTRY. */
  registry?: string;
  /** Base for a relative HUBGATE_DATA_DIR (default: process.cwd()). */
  cwd?: string;
}

export function readPublishSettings(
  env: Readonly<Record<string, string | undefined>>,
  overrides: SettingsOverrides = {},
): PublishSettings {
  const cwd = overrides.cwd ?? process.cwd();
  const namespace = nonEmpty(env.HUBGATE_NAMESPACE) ?? DEFAULT_NAMESPACE;
  if (!NAMESPACE.test(namespace))
    throw new PublishSettingsError(
      `HUBGATE_NAMESPACE "${namespace}" cannot be part of an image name: use lower-case letters, digits, and . _ - between them.`,
    );
  const settings: PublishSettings = {
    namespace,
    dataDir: resolve(cwd, nonEmpty(env.HUBGATE_DATA_DIR) ?? DEFAULT_DATA_DIR),
  };

  const raw = nonEmpty(overrides.registry) ?? nonEmpty(env.HUBGATE_REGISTRY);
  if (raw !== undefined) {
    const { host, url } = parseRegistry(raw);
    settings.registry = host;
    settings.registryUrl = url;
  }
  const username = nonEmpty(env.HUBGATE_REGISTRY_USERNAME);
  const password = env.HUBGATE_REGISTRY_PASSWORD ?? "";
  if (username !== undefined) settings.credentials = { username, password };
  return settings;
}

/**
 * `host[:port]`, optionally with an explicit `http://` or `https://` in front for the rare
 * registry that needs a scheme other than our default. Never echoes anything after an `@`:
 * a `user:password@host` typed by mistake must not end up in an error message.
 */
export function parseRegistry(raw: string): { host: string; url: string } {
  const scheme = /^(https?):\/\//i.exec(raw)?.[1]?.toLowerCase();
  const rest = raw.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  if (rest.includes("@"))
    throw new PublishSettingsError(
      "the registry must be given as host[:port] without credentials; put them in HUBGATE_REGISTRY_USERNAME / HUBGATE_REGISTRY_PASSWORD.",
    );
  if (!HOST.test(rest) && !/^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/.test(rest))
    throw new PublishSettingsError(`registry "${rest}" is not a host[:port]`);
  return { host: rest, url: `${scheme ?? (isLoopback(rest) ? "http" : "https")}://${rest}` };
}

export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127(?:\.\d{1,3}){3}$/.test(name);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
