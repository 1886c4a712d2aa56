import { resolve } from "node:path";
import { DEFAULT_DATA_DIR, parseRegistry } from "../publish/publish-settings.js";

/**
 * Organisations and the registry token server, read once from an injected environment.
 *
 * - HUBGATE_ADMIN_TOKEN: bootstraps organisations, memberships and users' API tokens; as a
 *   registry password (any user name) it grants hubgate's own publisher every repository.
 * - HUBGATE_REGISTRY: `host[:port]` of the registry, for the full URLs of repositories.
 * - HUBGATE_TOKEN_SERVICE / HUBGATE_TOKEN_ISSUER: the registry config's `service` and
 *   `issuer` (defaults `hubgate-registry`, `hubgate`).
 * - HUBGATE_LOGIN_TTL_SECONDS: lifetime of a `hubgate repos login` password (default 12 h,
 *   like ECR's); a login may ask for less, never more.
 * - HUBGATE_DATA_DIR: the store and the token signing key + certificate.
 */
export interface OrgsSettings {
  adminToken?: string;
  registry?: string;
  service: string;
  issuer: string;
  loginTtlSeconds: number;
  dataDir: string;
}

export const DEFAULT_SERVICE = "hubgate-registry";
export const DEFAULT_ISSUER = "hubgate";
export const DEFAULT_LOGIN_TTL_SECONDS = 12 * 3600;
/** Registry tokens are re-requested per push by the engine; keep them short. */
export const TOKEN_LIFETIME_SECONDS = 300;
const MIN_ADMIN_TOKEN_LENGTH = 16;

export class OrgsSettingsError extends Error {
  override readonly name = "OrgsSettingsError";
}

export function readOrgsSettings(
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): OrgsSettings {
  const adminToken = env.HUBGATE_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH)
    throw new OrgsSettingsError(
      `HUBGATE_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  const ttl = env.HUBGATE_LOGIN_TTL_SECONDS?.trim();
  const loginTtlSeconds = ttl ? Number(ttl) : DEFAULT_LOGIN_TTL_SECONDS;
  if (!Number.isInteger(loginTtlSeconds) || loginTtlSeconds < 1)
    throw new OrgsSettingsError(`HUBGATE_LOGIN_TTL_SECONDS must be a positive whole number, not "${ttl}"`);
  const registry = env.HUBGATE_REGISTRY?.trim() ? parseRegistry(env.HUBGATE_REGISTRY.trim()).host : undefined;
  return {
    adminToken,
    registry,
    service: env.HUBGATE_TOKEN_SERVICE?.trim() || DEFAULT_SERVICE,
    issuer: env.HUBGATE_TOKEN_ISSUER?.trim() || DEFAULT_ISSUER,
    loginTtlSeconds,
    dataDir: resolve(cwd, env.HUBGATE_DATA_DIR?.trim() || DEFAULT_DATA_DIR),
  };
}
