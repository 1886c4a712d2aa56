/**
 * The server's extra HTTP routes, beside the webhooks and /healthz, /readyz, /metrics.
 * Tried in order, each answers or passes on. Add a route with one line in `appRoutes`.
 */
import type { Logger } from "../pipeline/logger.js";
import type { Db } from "../store/database.js";
import { catalogueRouteFromEnv } from "../catalogue/catalogue-from-env.js";
import { openOrgsRoute } from "../orgs/open-orgs-route.js";
import type { Route } from "./route.js";

export interface RouteContext {
  /** The embedded store (`$HUBGATE_DATA_DIR/hubgate.db`), open for the server's lifetime. */
  db: Db;
  dataDir: string;
  /** The environment, for a route's own settings reader (read once, at start). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export function appRoutes(context: RouteContext): Route[] {
  return [
    catalogueRouteFromEnv(context.env, context.logger, context.db),
    // Organisations and the registry's token service exist once an admin token bootstraps them.
    ...(context.env.HUBGATE_ADMIN_TOKEN
      ? [openOrgsRoute(context.env, { db: context.db, logger: context.logger }).route]
      : []),
  ];
}
