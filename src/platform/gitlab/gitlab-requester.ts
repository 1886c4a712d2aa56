/**
 * gitbeaker's request handler with hubgate's retry policy, the same as for GitHub:
 * 429 and 5xx wait as `retry-after` says (else back off), network errors back off, and a
 * POST that creates something (an MR note) is not repeated after a 5xx or a lost reply: the
 * note store looks for it by its marker before writing again. gitbeaker's own handler retries
 * only 429/502 and ignores `retry-after`. A wait longer than `maxWaitMs` is not slept
 * through: the error carries it and the job is kept and retried after it.
 */
import {
  createRequesterFn,
  GitbeakerRequestError,
  GitbeakerTimeoutError,
  type RequestHandlerFn,
} from "@gitbeaker/requester-utils";
import { ignoreApi, withRetryAfter, type ApiObserver } from "../api-observer.js";

export interface GitLabRequesterOptions {
  observer?: ApiObserver;
  maxRetries?: number;
  maxWaitMs?: number;
  backoffMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** POSTs that set a state rather than add a thing: safe to repeat. */
const IDEMPOTENT_POST = [/\/statuses\/[^/]+$/];

async function processBody(response: Response): Promise<unknown> {
  const contentType = (response.headers.get("content-type") || "").split(";")[0]!.trim();
  if (contentType === "application/json") return response.json().then((v: unknown) => v || {});
  if (contentType.startsWith("text/")) return response.text().then((t) => t || "");
  return response.blob();
}

async function failure(request: Request, response: Response): Promise<GitbeakerRequestError> {
  const content = await response.text();
  let description = content;
  if (response.headers.get("content-type")?.includes("application/json")) {
    try {
      const output = JSON.parse(content) as { error?: unknown; message?: unknown };
      const property = output?.error || output?.message || "";
      description = typeof property === "string" ? property : JSON.stringify(property);
    } catch {
      // keep the raw text
    }
  }
  return new GitbeakerRequestError(description, { cause: { description, request, response } });
}

export function createGitLabRequester(options: GitLabRequesterOptions = {}) {
  const observer = options.observer ?? ignoreApi;
  const maxRetries = options.maxRetries ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const backoffMs = options.backoffMs ?? 500;

  const handler: RequestHandlerFn = async (endpoint, reqOptions) => {
    const {
      agent,
      asStream,
      prefixUrl,
      searchParams,
      method,
      rateLimiters: _r,
      ...opts
    } = (reqOptions ?? {}) as Record<string, unknown> & {
      method?: string;
      prefixUrl?: string;
      searchParams?: string;
      asStream?: boolean;
      agent?: unknown;
    };
    const base = prefixUrl ? (prefixUrl.endsWith("/") ? prefixUrl : `${prefixUrl}/`) : undefined;
    const url = new URL(endpoint, base);
    url.search = searchParams || "";
    const verb = (method ?? "GET").toUpperCase();
    const repeatable = verb !== "POST" || IDEMPOTENT_POST.some((p) => p.test(url.pathname));
    for (let attempt = 0; ; attempt++) {
      const request = new Request(url, { ...(opts as RequestInit), method: verb });
      let response: Response;
      try {
        response = await (agent ? fetch(request, { dispatcher: agent } as RequestInit) : fetch(request));
      } catch (error) {
        observer.error("gitlab", undefined);
        const e = error as Error;
        if (e.name === "TimeoutError" || e.name === "AbortError")
          throw new GitbeakerTimeoutError("Query timeout was reached");
        if (!repeatable || attempt >= maxRetries) throw error;
        observer.retry("gitlab", "network");
        await sleep(backoffMs * 2 ** attempt);
        continue;
      }
      if (response.ok) {
        const headers = Object.fromEntries(response.headers.entries());
        const body = asStream ? response.body : response.status === 204 ? null : await processBody(response);
        return { body, headers, status: response.status } as Awaited<ReturnType<RequestHandlerFn>>;
      }
      observer.error("gitlab", response.status);
      const retryAfter = response.headers.get("retry-after");
      const transient = response.status === 429 || response.status >= 500;
      // A 429 was refused, never done: safe to repeat whatever the method.
      if (!transient || attempt >= maxRetries || (response.status !== 429 && !repeatable))
        throw await failure(request, response);
      const waitMs =
        retryAfter !== null && Number.isFinite(Number(retryAfter))
          ? Number(retryAfter) * 1000
          : backoffMs * 2 ** attempt;
      if (waitMs > maxWaitMs) throw withRetryAfter(await failure(request, response), waitMs);
      await response.body?.cancel().catch(() => undefined);
      observer.retry("gitlab", retryAfter !== null ? "retry-after" : "server-error");
      await sleep(waitMs);
    }
  };
  return createRequesterFn((_, reqo) => Promise.resolve(reqo), handler);
}
