/**
 * The server's extra HTTP routes, beside the webhooks and /healthz, /readyz, /metrics.
 * Tried in order, each answers or passes on. Add a route with one line in `appRoutes`.
 */
import type { Logger } from "../pipeline/logger.js";
import type { Db } from "../store/database.js";
import type { Route } from "./route.js";

export interface RouteContext {
  /** The embedded store (`$HUBGATE_DATA_DIR/hubgate.db`), open for the server's lifetime. */
  db: Db;
  dataDir: string;
  /** The environment, for a route's own settings reader (read once, at start). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export function appRoutes(_context: RouteContext): Route[] {
  return [
    // e.g. catalogueRoutes(_context), registryTokenRoute(_context),
  ];
}
