/**
 * The Octokit class the server uses: Probot's, with two changes.
 *
 * 1. Writes are not spaced one second apart process-wide (plugin-throttling's default write
 *    limiter): that put 1 s per earlier write between a delivery and its first annotation.
 *    Writes stay serial (GitHub: no concurrent content-creating requests) and are bounded by
 *    a token bucket of GitHub's documented 80 content-creating requests a minute: an idle
 *    server answers at once, a burst is smoothed only past the documented limit.
 * 2. One retry policy (this plugin; plugin-retry is off, plugin-throttling only limits):
 *    403/429 with `retry-after` or an exhausted rate limit wait as told; 5xx and network
 *    errors back off, except a POST that creates something (its reply may be lost after it
 *    was done: the caller looks before trying again); 401 on an installation token fetches a
 *    fresh token once. A wait longer than `maxWaitMs` is not slept through: the error carries
 *    it, and the job is kept and retried after it.
 */
import { ProbotOctokit } from "probot";
import { ignoreApi, withRetryAfter, type ApiObserver } from "../api-observer.js";

export interface GitHubClientOptions {
  observer?: ApiObserver;
  /** Longest wait slept through inside one request. */
  maxWaitMs?: number;
  maxRetries?: number;
  /** Content-creating writes a minute (GitHub's secondary limit: 80). */
  writesPerMinute?: number;
  /** Base of the exponential backoff for 5xx and network errors. */
  backoffMs?: number;
  /**
   * Fetch a fresh installation token into the shared token cache (after a 401). Done through
   * the app's client: Probot's installation clients lose the API base URL for direct auth calls.
   */
  refreshToken?: (installationId: number) => Promise<void>;
}

interface RequestError extends Error {
  status?: number;
  response?: { headers?: Record<string, string | undefined> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs that are safe to repeat: nothing is created twice by them. */
const IDEMPOTENT_POST = [/\/app\/installations\/[^/]+\/access_tokens$/, /\/statuses\/[^/]+$/];

/**
 * A write gate with plugin-throttling's limiter shape (`key(id).schedule(options, fn)`):
 * one write at a time, at most `perMinute` a minute, bursts allowed up to that.
 */
class WriteGate {
  private tokens: number;
  private last = Date.now();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly perMinute: number) {
    this.tokens = perMinute;
  }

  key(): { schedule<T>(options: unknown, fn: () => Promise<T>): Promise<T> } {
    return { schedule: (_options, fn) => this.schedule(fn) };
  }

  private schedule<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      const now = Date.now();
      this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
      this.last = now;
      if (this.tokens < 1) {
        await sleep(((1 - this.tokens) * 60_000) / this.perMinute);
        this.tokens = 1;
        this.last = Date.now();
      }
      this.tokens -= 1;
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

export function createGitHubOctokit(options: GitHubClientOptions = {}): typeof ProbotOctokit {
  const observer = options.observer ?? ignoreApi;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const maxRetries = options.maxRetries ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  const write = new WriteGate(options.writesPerMinute ?? 80);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const reliable = (_octokit: any, octokitOptions: Record<string, unknown>) => {
    _octokit.hook.wrap(
      "request",
      async (request: (o: unknown) => Promise<unknown>, req: { method: string; url: string }) => {
        let refreshed = false;
        for (let attempt = 0; ; attempt++) {
          try {
            return await request(req);
          } catch (caught) {
            const error = caught as RequestError;
            const status = error.status;
            observer.error("github", status);
            const headers = error.response?.headers ?? {};
            const isTokenRequest = /\/access_tokens$/.test(req.url);
            if (status === 401 && !refreshed && !isTokenRequest) {
              refreshed = true;
              const installationId = (octokitOptions.auth as { installationId?: number } | undefined)
                ?.installationId;
              if (installationId === undefined || !options.refreshToken) throw error; // the app's own JWT
              try {
                await options.refreshToken(installationId);
              } catch {
                throw error; // the app itself is refused: nothing a new token can fix
              }
              observer.retry("github", "token");
              continue;
            }
            if (attempt >= maxRetries) throw error;
            let waitMs: number | undefined;
            let reason: "retry-after" | "rate-limit" | "server-error" | "network" = "server-error";
            const retryAfter = Number(headers["retry-after"]);
            if (
              (status === 403 || status === 429) &&
              Number.isFinite(retryAfter) &&
              headers["retry-after"] !== undefined
            ) {
              waitMs = Math.max(0, retryAfter * 1000);
              reason = "retry-after";
            } else if ((status === 403 || status === 429) && headers["x-ratelimit-remaining"] === "0") {
              waitMs = Math.max(0, Number(headers["x-ratelimit-reset"]) * 1000 - Date.now()) + 1000;
              reason = "rate-limit";
            } else if (status === 403 && /secondary rate/i.test(error.message)) {
              waitMs = 60_000; // GitHub's advice when no retry-after came with it
              reason = "rate-limit";
            } else if (status === undefined || status >= 500) {
              const method = req.method.toUpperCase();
              const url = req.url.split("?")[0] ?? "";
              if (method === "POST" && !IDEMPOTENT_POST.some((p) => p.test(url))) throw error;
              waitMs = backoffMs * 2 ** attempt;
              reason = status === undefined || status === 500 ? "network" : "server-error";
            }
            if (waitMs === undefined) throw error;
            if (waitMs > maxWaitMs) throw withRetryAfter(error, waitMs);
            observer.retry("github", reason);
            await sleep(waitMs);
          }
        }
      },
    );
    return {};
  };

  return ProbotOctokit.plugin(reliable).defaults((instanceOptions: Record<string, unknown>) => ({
    ...instanceOptions,
    throttle: {
      ...(instanceOptions.throttle as object),
      enabled: true,
      write,
      // Retrying is the plugin above's job, with one policy; the throttle only limits.
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
    retry: { enabled: false },
  })) as typeof ProbotOctokit;
}
