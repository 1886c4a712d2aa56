import type { Registry } from "prom-client";
import type { Route } from "./route.js";
import { pathOf } from "./route.js";

/** `GET /metrics` in Prometheus' text format. */
export function metricsRoute(registry: Registry): Route {
  return async (req, res) => {
    if (pathOf(req.url) !== "/metrics" || req.method !== "GET") return false;
    const text = await registry.metrics();
    res.writeHead(200, { "Content-Type": registry.contentType });
    res.end(text);
    return true;
  };
}
