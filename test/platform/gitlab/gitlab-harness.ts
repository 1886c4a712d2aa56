/**
 * The GitLab webhook route on a real HTTP port, talking to the fake GitLab; webhook payloads
 * built from GitLab's documented Merge Request Hook example (fixtures/), adjusted per case.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Dispatcher } from "../../../src/pipeline/dispatch.js";
import { EmbeddedJobQueue } from "../../../src/pipeline/embedded-job-queue.js";
import { silentLogger } from "../../../src/pipeline/logger.js";
import type { Job } from "../../../src/ports/job-queue.js";
import type { JobPlatform, OpenedJob } from "../../../src/ports/job-platform.js";
import { openMemoryDatabase } from "../../../src/store/database.js";
import { SqliteJobStore } from "../../../src/store/job-store.js";
import { readGitLabSettings } from "../../../src/platform/gitlab/gitlab-settings.js";
import {
  createGitLabWebhookHandler,
  type GitLabWebhookDeps,
} from "../../../src/platform/gitlab/gitlab-webhook-handler.js";
import {
  startFakeGitLab,
  type FakeGitLab,
  type Files,
  type MergeRequestModel,
  type ProjectModel,
} from "../../fakes/gitlab/fake-gitlab.js";
import { manifestValidator } from "../../helpers/manifest-validator.js";
import { recordingPublisher } from "../../fakes/pipeline/index.js";

export const SECRET = "s3cret-gitlab-webhook-token";
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export type Json = Record<string, unknown>;

export function fixture(name: "merge-request-hook" | "push-hook"): Json {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Json;
}

/** Files of an example bundle, placed at `dest` in a repository. */
export function exampleBundle(example: string, dest: string): Files {
  const dir = join(ROOT, "examples", example);
  const files: Files = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[`${dest}/${relative(dir, full).split("\\").join("/")}`] = readFileSync(full);
    }
  };
  walk(dir);
  return files;
}

export const AWESOME = "executors/encoders/AwesomeEncoder";
export const BROKEN = "executors/crafters/BrokenCrafter";
export const HUB_BASE: Files = { "README.md": "# The hub\n", "executors/README.md": "Bundles live here.\n" };

/** A publish job as the GitLab adapter opened it: the stored job, its change source and reporter. */
export type OpenedPublish = OpenedJob & { job: Job };

export interface Harness {
  gl: FakeGitLab;
  hub: ProjectModel;
  queue: EmbeddedJobQueue;
  store: SqliteJobStore;
  webhookUrl: string;
  /** Publish jobs (merges and default-branch pushes) opened by the adapter, in order. */
  publishes: OpenedPublish[];
  post(
    payload: unknown,
    headers?: Record<string, string | undefined>,
  ): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { deps?: Partial<GitLabWebhookDeps>; env?: Record<string, string | undefined> } = {},
): Promise<Harness> {
  const gl = await startFakeGitLab();
  const hub = gl.addProject({ id: 1, path: "hub", namespace: "jina" });
  gl.commit(1, HUB_BASE, { branch: "main" });
  const store = new SqliteJobStore(openMemoryDatabase());
  const queue = new EmbeddedJobQueue(store, { concurrency: 2, logger: silentLogger });
  const publishes: OpenedPublish[] = [];
  /** Records what the adapter opens for publish jobs (no images here: nothing is built or pushed). */
  class RecordingDispatcher extends Dispatcher {
    override register(platform: JobPlatform): void {
      super.register({
        name: platform.name,
        open: async (job, context) => {
          const opened = await platform.open(job, context);
          if (job.kind === "publish") publishes.push({ ...opened, job });
          return opened;
        },
      });
    }
  }
  const dispatcher = new RecordingDispatcher({
    validator: manifestValidator(),
    jobs: 1,
    logger: silentLogger,
    progressIntervalMs: 0,
    queue,
    store,
    publisher: recordingPublisher(),
  });
  const handler = createGitLabWebhookHandler({
    settings: readGitLabSettings(
      options.env ?? { GITLAB_URL: gl.url, GITLAB_TOKEN: gl.token, GITLAB_WEBHOOK_SECRET: SECRET },
    ),
    dispatcher,
    logger: silentLogger,
    builds: false,
    gitlab: { backoffMs: 5 },
    ...options.deps,
  });
  await queue.start(dispatcher.run);
  const server: Server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/gitlab/webhooks`;
  return {
    gl,
    hub,
    queue,
    store,
    webhookUrl,
    publishes,
    async post(payload, headers = {}) {
      const all: Record<string, string> = {
        "content-type": "application/json",
        "x-gitlab-event": "Merge Request Hook",
        "x-gitlab-token": SECRET,
        "user-agent": "GitLab/17.5.0",
      };
      for (const [k, v] of Object.entries(headers)) {
        if (v === undefined) delete all[k];
        else all[k] = v;
      }
      const res = await fetch(webhookUrl, {
        method: "POST",
        headers: all,
        body: typeof payload === "string" ? payload : JSON.stringify(payload),
      });
      const text = await res.text();
      let body: Json;
      try {
        body = JSON.parse(text) as Json;
      } catch {
        body = { raw: text };
      }
      return { status: res.status, body };
    },
    async close() {
      await queue.idle();
      await queue.close(0);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gl.close();
    },
  };
}

/** GitLab's documented Merge Request Hook, pointed at a merge request of the fake. */
export function mergeRequestHook(
  gl: FakeGitLab,
  mr: MergeRequestModel,
  change: { action: string; oldrev?: string; state?: string; mergeCommitSha?: string },
): Json {
  const hook = fixture("merge-request-hook") as {
    project: Json;
    object_attributes: Json & { last_commit: Json; source: Json; target: Json };
  } & Json;
  const target = gl.project(mr.targetProjectId);
  const source = gl.project(mr.sourceProjectId);
  hook.project = {
    ...hook.project,
    id: target.id,
    name: target.path,
    web_url: target.webUrl,
    path_with_namespace: `${target.namespace}/${target.path}`,
    default_branch: target.defaultBranch,
  };
  const a = hook.object_attributes;
  Object.assign(a, {
    iid: mr.iid,
    action: change.action,
    state: change.state ?? (change.action === "merge" ? "merged" : "opened"),
    source_project_id: source.id,
    target_project_id: target.id,
    source_branch: mr.sourceBranch,
    target_branch: mr.targetBranch,
    url: `${target.webUrl}/-/merge_requests/${mr.iid}`,
  });
  a.last_commit = { ...a.last_commit, id: mr.headSha, url: `${source.webUrl}/-/commit/${mr.headSha}` };
  a.source = {
    ...a.source,
    web_url: source.webUrl,
    path_with_namespace: `${source.namespace}/${source.path}`,
  };
  a.target = {
    ...a.target,
    web_url: target.webUrl,
    path_with_namespace: `${target.namespace}/${target.path}`,
  };
  // Not in the docs' example, but sent by GitLab: oldrev on pushes, merge_commit_sha once merged.
  if (change.oldrev) a.oldrev = change.oldrev;
  a.merge_commit_sha = change.mergeCommitSha ?? null;
  return hook;
}

/** A contributor's branch on the hub: base files plus `files`, and a merge request for it. */
export function openMergeRequest(
  gl: FakeGitLab,
  files: Files,
  options: { iid?: number; sourceProjectId?: number; branch?: string } = {},
): MergeRequestModel {
  const sourceProjectId = options.sourceProjectId ?? 1;
  const branch = options.branch ?? "add-bundle";
  const headSha = gl.commit(sourceProjectId, { ...HUB_BASE, ...files }, { branch });
  return gl.addMergeRequest({
    targetProjectId: 1,
    iid: options.iid ?? 7,
    sourceProjectId,
    sourceBranch: branch,
    headSha,
  });
}

/** POST a Merge Request Hook to a server's GitLab route with the right token; returns the HTTP status. */
export async function deliverMergeRequestHook(serverUrl: string, hook: Json): Promise<number> {
  const answer = await fetch(`${serverUrl}/api/gitlab/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-gitlab-event": "Merge Request Hook",
      "x-gitlab-token": SECRET,
    },
    body: JSON.stringify(hook),
  });
  return answer.status;
}
