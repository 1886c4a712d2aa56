/**
 * `GET /healthz`: the process is alive and serving. `GET /readyz`: it can do its work: the
 * store takes writes, the Docker engine answers (when builds are on), the GitHub App
 * credentials are accepted (when GitHub is on), the GitLab token is accepted (when GitLab is
 * on). Each check is named with what is wrong; a failing check makes it 503.
 */
import type { Route } from "./route.js";
import { pathOf, sendJson } from "./route.js";

export interface ReadinessCheck {
  name: string;
  /** Resolves when fine; rejects with what is wrong. */
  check(): Promise<void>;
}

/** Remembers a check's result for `ttlMs`, so a probe every second does not hit GitHub every second. */
export function cached(check: ReadinessCheck, ttlMs = 30_000): ReadinessCheck {
  let last: { at: number; error?: Error } | undefined;
  return {
    name: check.name,
    async check() {
      if (!last || Date.now() - last.at > ttlMs || last.error) {
        try {
          await check.check();
          last = { at: Date.now() };
        } catch (error) {
          last = { at: Date.now(), error: error instanceof Error ? error : new Error(String(error)) };
        }
      }
      if (last.error) throw last.error;
    },
  };
}

const withTimeout = (p: Promise<void>, ms: number) =>
  Promise.race([
    p,
    new Promise<void>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);

export function healthRoutes(options: { checks: ReadinessCheck[]; stopping: () => boolean }): Route {
  return async (req, res) => {
    const path = pathOf(req.url);
    if (path !== "/healthz" && path !== "/readyz") return false;
    if (req.method !== "GET" && req.method !== "HEAD")
      return sendJson(res, 405, { status: "error", message: "use GET" });
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    const results = await Promise.all(
      options.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 5_000);
          return { name: c.name, ok: true };
        } catch (error) {
          return { name: c.name, ok: false, problem: (error as Error).message };
        }
      }),
    );
    if (options.stopping())
      results.push({ name: "server", ok: false, problem: "shutting down: not taking new work" });
    const ready = results.every((r) => r.ok);
    return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "not ready", checks: results });
  };
}
