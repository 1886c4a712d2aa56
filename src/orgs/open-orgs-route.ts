import { openDatabase, type Db } from "../store/database.js";
import type { Logger } from "../pipeline/logger.js";
import type { Route } from "../http/route.js";
import { OrgStore } from "./org-store.js";
import { createOrgsRoute } from "./orgs-routes.js";
import { readOrgsSettings, type OrgsSettings } from "./orgs-settings.js";
import { loadOrCreateSigningKey } from "./signing-key.js";

export interface OpenedOrgsRoute {
  route: Route;
  settings: OrgsSettings;
  certificatePath: string;
  close(): void;
}

/**
 * The organisations route wired from the environment: settings read once, the store on the
 * given connection (the server's one database) or its own, the signing key from the data dir.
 */
export function openOrgsRoute(
  env: Readonly<Record<string, string | undefined>>,
  options: { db?: Db; logger?: Logger; cwd?: string } = {},
): OpenedOrgsRoute {
  const settings = readOrgsSettings(env, options.cwd);
  const db = options.db ?? openDatabase(settings.dataDir);
  const signingKey = loadOrCreateSigningKey(settings.dataDir);
  const route = createOrgsRoute({
    settings,
    store: OrgStore.on(db, { registry: settings.registry }),
    signingKey,
    logger: options.logger,
  });
  return {
    route,
    settings,
    certificatePath: signingKey.certificatePath,
    close: () => {
      if (!options.db) db.close();
    },
  };
}

/** The `auth:` section of the registry's config.yml that makes hubgate its token server. */
export function registryAuthConfig(
  settings: OrgsSettings,
  certificatePath: string,
  publicUrl: string,
): string {
  return [
    "auth:",
    "  token:",
    `    realm: ${publicUrl.replace(/\/+$/, "")}/registry/token`,
    `    service: ${settings.service}`,
    `    issuer: ${settings.issuer}`,
    `    rootcertbundle: ${certificatePath}`,
    "",
  ].join("\n");
}
