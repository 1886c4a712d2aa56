/**
 * `POST /api/gitlab/webhooks`: authenticate, answer at once, work in the background.
 * GitLab disables a hook that keeps timing out or failing, so nothing slow happens before
 * the 202; the work goes to the WorkQueue keyed per merge request, where a newer commit
 * aborts an older run still in flight.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ManifestValidator } from "../../core/manifest-validator.js";
import { checkChangeRequest } from "../../pipeline/change-request.js";
import type { ImagePipeline } from "../../pipeline/image-pipeline.js";
import type { Logger } from "../../pipeline/logger.js";
import type { WorkQueue } from "../../pipeline/work-queue.js";
import { createGitLabChangeSource } from "./gitlab-change-source.js";
import { createGitLabClient, type GitLabClient } from "./gitlab-client.js";
import {
  isNullSha,
  parseMergeRequestHook,
  parsePushHook,
  type MergeRequestHook,
  type PushHook,
} from "./gitlab-events.js";
import { pushedChange, resolveMergedChange, type MergedChange, type PushedChange } from "./gitlab-merge.js";
import { GitLabNoteStore } from "./gitlab-note-store.js";
import { GitLabReporter } from "./gitlab-reporter.js";
import type { GitLabSettings } from "./gitlab-settings.js";
import { LruMap } from "../shared/lru-map.js";

export const GITLAB_WEBHOOK_PATH = "/api/gitlab/webhooks";
export const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface GitLabWebhookDeps {
  settings: GitLabSettings;
  queue: WorkQueue;
  validator: ManifestValidator;
  /** Builds and smoke-tests images; without it only the static checks run. */
  images?: ImagePipeline;
  /** Bundles built in parallel within one run. */
  jobs: number;
  logger: Logger;
  /** A merge request was merged: publish. Runs in the background queue. */
  onMerge?: (change: MergedChange, signal: AbortSignal) => Promise<void>;
  /** Something was pushed to the project's default branch. Runs in the background queue. */
  onPush?: (push: PushedChange, signal: AbortSignal) => Promise<void>;
  path?: string;
  maxBodyBytes?: number;
  progressIntervalMs?: number;
  /** Delivery keys remembered to drop redeliveries. */
  rememberDeliveries?: number;
  /** A ready client (tests, or one shared with other routes); made from `settings` otherwise. */
  client?: GitLabClient;
}

export type GitLabWebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const CHECK_ACTIONS = new Set(["open", "reopen", "update"]);

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createGitLabWebhookHandler(deps: GitLabWebhookDeps): GitLabWebhookHandler {
  const path = deps.path ?? GITLAB_WEBHOOK_PATH;
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const settings = deps.settings;
  const api = settings.enabled ? (deps.client ?? createGitLabClient(settings)) : undefined;
  const notes = api ? new GitLabNoteStore(api) : undefined;
  const seen = new LruMap<string, true>(deps.rememberDeliveries ?? 10_000);
  /** The newest run per MR, so a superseded run of the same commit leaves its statuses alone. */
  const newest = new LruMap<string, { run: number; sha: string }>(10_000);
  let runs = 0;
  const secretHash = settings.enabled ? sha256(settings.webhookSecret) : undefined;

  return async (req, res) => {
    if (pathOf(req.url) !== path) return false;
    const log = deps.logger.child({
      gitlabEvent: header(req, "x-gitlab-event"),
      delivery: header(req, "x-gitlab-event-uuid"),
    });
    try {
      if (req.method !== "POST") {
        req.resume();
        res.setHeader("Allow", "POST");
        throw new HttpProblem(405, "use POST");
      }
      if (!settings.enabled || !api || !notes || !secretHash) {
        req.resume();
        throw new HttpProblem(503, settings.enabled ? "not configured" : settings.reason);
      }
      const token = header(req, "x-gitlab-token");
      // Hashing first gives equal lengths, so timingSafeEqual compares without leaking how much matched.
      if (token === undefined || !timingSafeEqual(sha256(token), secretHash)) {
        req.resume();
        log.warn("rejected a GitLab webhook with a wrong or missing X-Gitlab-Token");
        throw new HttpProblem(401, "wrong or missing X-Gitlab-Token");
      }
      const body = parseJson(await readBody(req, maxBody));
      const key = header(req, "idempotency-key");
      if (key !== undefined && seen.has(key)) {
        log.info({ idempotencyKey: key }, "redelivery ignored");
        return reply(res, 200, { status: "duplicate", message: "this delivery was already accepted" });
      }
      const outcome = route(header(req, "x-gitlab-event"), body, log);
      if (key !== undefined) seen.set(key, true);
      return reply(res, outcome.accepted ? 202 : 200, {
        status: outcome.accepted ? "accepted" : "ignored",
        message: outcome.message,
      });
    } catch (error) {
      if (error instanceof HttpProblem) {
        if (error.status === 400) log.warn({ problem: error.message }, "bad GitLab webhook request");
        return reply(res, error.status, { status: "error", message: error.message }, error.status === 400);
      }
      log.error({ err: error }, "GitLab webhook handling failed");
      return reply(res, 500, { status: "error", message: "internal error" });
    }
  };

  function route(
    event: string | undefined,
    body: Record<string, unknown>,
    log: Logger,
  ): { accepted: boolean; message: string } {
    const kind = body.object_kind;
    if (event === "Merge Request Hook" || (event === "System Hook" && kind === "merge_request")) {
      const parsed = parseMergeRequestHook(body);
      if (!parsed.ok)
        throw new HttpProblem(400, `not a merge request event GitLab would send: ${parsed.problem}`);
      return onMergeRequest(parsed.value, log);
    }
    if (event === "Push Hook" || (event === "System Hook" && kind === "push")) {
      const parsed = parsePushHook(body);
      if (!parsed.ok) throw new HttpProblem(400, `not a push event GitLab would send: ${parsed.problem}`);
      return onPush(parsed.value, log);
    }
    return { accepted: false, message: `event ${JSON.stringify(event ?? null)} is not used by hubgate` };
  }

  function onMergeRequest(hook: MergeRequestHook, log: Logger): { accepted: boolean; message: string } {
    const a = hook.object_attributes;
    const action = a.action ?? "";
    const mr = `${a.target_project_id}!${a.iid}`;
    if (action === "merge") {
      if (!deps.onMerge) return { accepted: false, message: "merged; publishing is not configured" };
      const onMerge = deps.onMerge;
      deps.queue.submit(`gitlab:${mr}:merge`, async (signal) => {
        const merged = log.child({ mr, action });
        try {
          await onMerge(await resolveMergedChange(api!, hook, { signal, logger: merged }), signal);
        } catch (error) {
          merged.error({ err: error }, "publishing the merge failed");
        }
      });
      return { accepted: true, message: `merge of !${a.iid} handed to publishing` };
    }
    if (!CHECK_ACTIONS.has(action))
      return { accepted: false, message: `action ${JSON.stringify(action)} needs no check` };
    if (action === "update" && !a.oldrev)
      return { accepted: false, message: "update without new commits needs no check" };
    if (a.state && a.state !== "opened") return { accepted: false, message: `merge request is ${a.state}` };
    submitCheck(hook, log.child({ mr, action, sha: a.last_commit.id }));
    return { accepted: true, message: `checking ${a.last_commit.id.slice(0, 8)} of !${a.iid}` };
  }

  function submitCheck(hook: MergeRequestHook, log: Logger): void {
    const a = hook.object_attributes;
    const key = `gitlab:${a.target_project_id}!${a.iid}`;
    const sha = a.last_commit.id;
    const run = ++runs;
    newest.set(key, { run, sha });
    deps.queue.submit(key, async (signal) => {
      const source = createGitLabChangeSource(api!, {
        targetProjectId: a.target_project_id,
        iid: a.iid,
        baseRef: a.target_branch,
        headProjectId: a.source_project_id,
        headSha: sha,
        revision: { sourceUrl: hook.project.web_url, commit: sha, branch: a.source_branch },
      });
      const reporter = new GitLabReporter(api!, {
        targetProjectId: a.target_project_id,
        iid: a.iid,
        statusProjectId: a.source_project_id,
        sha,
        ref: a.source_branch,
        headWebUrl: a.source.web_url,
        mrUrl: a.url,
        notes: notes!,
        signal,
        logger: log,
        builds: deps.images !== undefined,
        ownsStatuses: () => {
          const latest = newest.get(key);
          return !latest || latest.run === run || latest.sha !== sha;
        },
      });
      log.info("checking merge request");
      const outcome = await checkChangeRequest(
        source,
        reporter,
        {
          validator: deps.validator,
          images: deps.images,
          jobs: deps.jobs,
          logger: log,
          progressIntervalMs: deps.progressIntervalMs,
        },
        signal,
      );
      log.info(
        { conclusion: outcome.result?.conclusion ?? (signal.aborted ? "superseded" : "not finished") },
        "merge request checked",
      );
    });
  }

  function onPush(hook: PushHook, log: Logger): { accepted: boolean; message: string } {
    const branch = hook.ref.replace(/^refs\/heads\//, "");
    const defaultBranch = hook.project.default_branch;
    if (!hook.ref.startsWith("refs/heads/") || !defaultBranch || branch !== defaultBranch) {
      return { accepted: false, message: `push to ${hook.ref} is not to the default branch` };
    }
    if (isNullSha(hook.after)) return { accepted: false, message: "branch deleted" };
    if (!deps.onPush)
      return { accepted: false, message: "push to the default branch; nothing is configured for it" };
    const onPushHook = deps.onPush;
    const change = pushedChange(hook);
    deps.queue.submit(`gitlab:${hook.project.id}:push:${branch}`, async (signal) => {
      try {
        await onPushHook(change, signal);
      } catch (error) {
        log.error({ err: error, project: hook.project.id, after: hook.after }, "handling the push failed");
      }
    });
    return { accepted: true, message: `push to ${branch} accepted` };
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function pathOf(url: string | undefined): string {
  const raw = (url ?? "/").split("?")[0] ?? "/";
  return raw.length > 1 ? raw.replace(/\/+$/, "") : raw;
}

/**
 * Read the body up to `max` bytes. Past the cap the rest is drained and dropped rather than
 * the socket destroyed, so the 400 still reaches the sender (only an authenticated sender
 * gets this far; an honest one declares Content-Length and is refused before any reading).
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.reject(new HttpProblem(400, `payload larger than ${max} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > max) settle(() => reject(new HttpProblem(400, `payload larger than ${max} bytes`)));
      else chunks.push(chunk);
    });
    req.on("end", () => settle(() => resolve(Buffer.concat(chunks))));
    req.on("error", (error) => settle(() => reject(error)));
  });
}

function parseJson(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new HttpProblem(400, `body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HttpProblem(400, "body is not a JSON object");
  return value as Record<string, unknown>;
}

function reply(res: ServerResponse, status: number, body: object, close = false): true {
  const text = JSON.stringify(body);
  // After a refused body the connection is not worth keeping for the next delivery.
  if (close) res.setHeader("Connection", "close");
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
  return true;
}
