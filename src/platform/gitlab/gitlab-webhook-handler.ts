/**
 * `POST /api/gitlab/webhooks`: authenticate, translate the hook into a neutral JobSpec and
 * hand it to the dispatcher, answering once the job is on disk. GitLab disables a hook that
 * keeps timing out or failing, so nothing slow happens before the 202. Dedupe (Idempotency-Key),
 * supersede, queueing and publishing are the dispatcher's, shared with GitHub.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "../../pipeline/dispatch.js";
import type { Logger } from "../../pipeline/logger.js";
import type { JobSpec } from "../../ports/job-queue.js";
import { createGitLabClient, type GitLabClient } from "./gitlab-client.js";
import type { GitLabRequesterOptions } from "./gitlab-requester.js";
import {
  isNullSha,
  parseMergeRequestHook,
  parsePushHook,
  type MergeRequestHook,
  type PushHook,
} from "./gitlab-events.js";
import {
  createGitLabJobs,
  gitlabTargetOfMerge,
  gitlabTargetOfMr,
  gitlabTargetOfPush,
} from "./gitlab-jobs.js";
import { pushedChange } from "./gitlab-merge.js";
import type { GitLabSettings } from "./gitlab-settings.js";

export const GITLAB_WEBHOOK_PATH = "/api/gitlab/webhooks";
export const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface GitLabWebhookDeps {
  settings: GitLabSettings;
  dispatcher: Dispatcher;
  logger: Logger;
  /** True when images are built after the static check (statuses say what comes next). */
  builds: boolean;
  path?: string;
  maxBodyBytes?: number;
  /** A ready client (tests, or one shared with other routes); made from `settings` otherwise. */
  client?: GitLabClient;
  /** Options of the client made from `settings` (metrics observer, retry waits). */
  gitlab?: GitLabRequesterOptions;
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
  const api = settings.enabled ? (deps.client ?? createGitLabClient(settings, deps.gitlab)) : undefined;
  if (api) deps.dispatcher.register(createGitLabJobs(api, { builds: deps.builds }));
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
      if (!settings.enabled || !api || !secretHash) {
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
      const key = header(req, "idempotency-key") ?? header(req, "x-gitlab-event-uuid");
      const outcome = route(header(req, "x-gitlab-event"), body);
      if (!outcome.job) return reply(res, 200, { status: "ignored", message: outcome.message });
      // Written to the store before GitLab hears back: a crash after this line loses nothing.
      const accepted = await deps.dispatcher.accept({
        ...outcome.job,
        ...(outcome.job.kind === "publish" || key === undefined ? {} : { dedupe: `gitlab-delivery:${key}` }),
        ...(key !== undefined ? { delivery: key } : {}),
      });
      if (accepted.status === "duplicate") {
        log.info({ idempotencyKey: key, job: accepted.job.id }, "redelivery ignored");
        return reply(res, 200, { status: "duplicate", message: "this delivery was already accepted" });
      }
      return reply(res, 202, { status: "accepted", message: outcome.message });
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
  ): { job?: JobSpec; message: string } {
    const kind = body.object_kind;
    if (event === "Merge Request Hook" || (event === "System Hook" && kind === "merge_request")) {
      const parsed = parseMergeRequestHook(body);
      if (!parsed.ok)
        throw new HttpProblem(400, `not a merge request event GitLab would send: ${parsed.problem}`);
      return onMergeRequest(parsed.value);
    }
    if (event === "Push Hook" || (event === "System Hook" && kind === "push")) {
      const parsed = parsePushHook(body);
      if (!parsed.ok) throw new HttpProblem(400, `not a push event GitLab would send: ${parsed.problem}`);
      return onPush(parsed.value);
    }
    return { message: `event ${JSON.stringify(event ?? null)} is not used by hubgate` };
  }

  function onMergeRequest(hook: MergeRequestHook): { job?: JobSpec; message: string } {
    const a = hook.object_attributes;
    const action = a.action ?? "";
    if (action === "merge") {
      if (!deps.dispatcher.publishes) return { message: "merged; publishing is not configured" };
      const target = gitlabTargetOfMerge(hook);
      return {
        job: {
          platform: "gitlab",
          kind: "publish",
          key: gitlabPublishKey(target.projectId, target.mergedSha),
          dedupe: gitlabPublishKey(target.projectId, target.mergedSha),
          headSha: target.mergedSha,
          target: { ...target },
        },
        message: `merge of !${a.iid} handed to publishing`,
      };
    }
    if (!CHECK_ACTIONS.has(action)) return { message: `action ${JSON.stringify(action)} needs no check` };
    if (action === "update" && !a.oldrev) return { message: "update without new commits needs no check" };
    if (a.state && a.state !== "opened") return { message: `merge request is ${a.state}` };
    return {
      job: {
        platform: "gitlab",
        kind: "check",
        key: `gitlab:${a.target_project_id}!${a.iid}`,
        headSha: a.last_commit.id,
        target: { ...gitlabTargetOfMr(hook) },
      },
      message: `checking ${a.last_commit.id.slice(0, 8)} of !${a.iid}`,
    };
  }

  function onPush(hook: PushHook): { job?: JobSpec; message: string } {
    const branch = hook.ref.replace(/^refs\/heads\//, "");
    const defaultBranch = hook.project.default_branch;
    if (!hook.ref.startsWith("refs/heads/") || !defaultBranch || branch !== defaultBranch) {
      return { message: `push to ${hook.ref} is not to the default branch` };
    }
    if (isNullSha(hook.after)) return { message: "branch deleted" };
    if (isNullSha(hook.before)) return { message: "default branch created; nothing to compare with" };
    if (!deps.dispatcher.publishes)
      return { message: "push to the default branch; publishing is not configured" };
    const target = gitlabTargetOfPush(pushedChange(hook));
    return {
      job: {
        platform: "gitlab",
        kind: "publish",
        key: gitlabPublishKey(target.projectId, target.after),
        dedupe: gitlabPublishKey(target.projectId, target.after),
        headSha: target.after,
        target: { ...target },
      },
      message: `push to ${branch} handed to publishing`,
    };
  }
}

export const gitlabPublishKey = (projectId: number, sha: string) => `publish:gitlab:${projectId}@${sha}`;

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
