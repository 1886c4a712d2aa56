import type { Logger } from "../pipeline/logger.js";
import type { Db } from "../store/database.js";
import { readPublishSettings } from "../publish/publish-settings.js";
import { createCatalogueRoute } from "./catalogue-route.js";
import { readCatalogueSettings } from "./catalogue-settings.js";
import { Catalogue } from "./catalogue-store.js";
import type { Route } from "../http/route.js";

/**
 * The catalogue route for the webhook server, configured from its environment: the store in
 * HUBGATE_DATA_DIR (the one the publishers write), the token and key from HUBGATE_CATALOGUE_*.
 * A bad setting fails the start, not the first request.
 */
export function catalogueRouteFromEnv(env: NodeJS.ProcessEnv, logger: Logger, db?: Db): Route {
  const settings = readCatalogueSettings(env);
  const { dataDir } = readPublishSettings(env);
  if (!settings.token) logger.info({}, "catalogue writes are off: HUBGATE_CATALOGUE_TOKEN is not set");
  return createCatalogueRoute({
    // On the server's own connection when it has one; else opened on first use.
    catalogue: () =>
      db
        ? Catalogue.on(db, { secretBox: settings.secretBox })
        : Catalogue.open(dataDir, { secretBox: settings.secretBox }),
    settings,
    logger: logger.child({ part: "catalogue" }),
  });
}
