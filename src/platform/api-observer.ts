/** What the platform clients tell metrics: every failed API call and every retry, by platform. */
export interface ApiObserver {
  error(platform: "github" | "gitlab", status: number | undefined): void;
  retry(
    platform: "github" | "gitlab",
    reason: "retry-after" | "rate-limit" | "server-error" | "network" | "token",
  ): void;
}

export const ignoreApi: ApiObserver = { error() {}, retry() {} };

/** Error carrying the wait a platform asked for, so a job kept for later waits at least that long. */
export function withRetryAfter<E extends Error>(error: E, ms: number): E & { retryAfterMs: number } {
  return Object.assign(error, { retryAfterMs: ms });
}
