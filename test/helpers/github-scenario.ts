import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import {
  deliverWebhook,
  loadExamplePayload,
  type FakeGitHub,
  type PullFileSpec,
} from "../fakes/github/index.js";
import { ROOT } from "./run-cli.js";
import { WEBHOOK_SECRET, type RunningServer } from "./hubgate-server.js";

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const BASE_SHA = "b".repeat(40);
export const HEAD_SHA = "c".repeat(40);

/** The files of an example bundle, keyed by their path in the hub. */
export function exampleBundleFiles(example: string, at = example): Record<string, string> {
  const dir = join(ROOT, "examples", example);
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else files[`${at}/${relative(dir, abs).split("\\").join("/")}`] = readFileSync(abs, "utf8");
    }
  };
  walk(dir);
  return files;
}

export interface PullSetup {
  number?: number;
  base: Record<string, string>;
  head: Record<string, string | { symlink: string }>;
  files?: PullFileSpec[];
  headSha?: string;
  fork?: boolean;
}

/** Put a base and head commit and a pull request into the fake; files changed = the head/base diff. */
export function setUpPull(fake: FakeGitHub, setup: PullSetup): { number: number; headSha: string } {
  const number = setup.number ?? 7;
  const headSha = setup.headSha ?? HEAD_SHA;
  fake.setRepo(OWNER, REPO, { default_branch: "main", branches: { main: BASE_SHA } });
  fake.setCommit(OWNER, REPO, BASE_SHA, setup.base);
  fake.setCommit(OWNER, REPO, headSha, setup.head);
  const files: PullFileSpec[] = setup.files ?? [
    ...Object.keys(setup.head)
      .filter((p) => JSON.stringify(setup.head[p]) !== JSON.stringify(setup.base[p]))
      .map((filename) => ({
        filename,
        status: (filename in setup.base ? "modified" : "added") as PullFileSpec["status"],
      })),
    ...Object.keys(setup.base)
      .filter((p) => !(p in setup.head))
      .map((filename) => ({ filename, status: "removed" as const })),
  ];
  fake.setPull(OWNER, REPO, number, {
    files,
    head: { sha: headSha, ref: "feature", ...(setup.fork ? { owner: "forker", repo: REPO } : {}) },
    base: { sha: BASE_SHA, ref: "main" },
  });
  return { number, headSha };
}

/** GitHub's own example payload for the event, pointed at the fake's repository and PR. */
export function pullRequestPayload(
  fake: FakeGitHub,
  action: "opened" | "synchronize" | "reopened" | "closed",
  pull: {
    number: number;
    headSha: string;
    fork?: boolean;
    merged?: boolean;
    mergeSha?: string;
    changedFiles?: number;
  },
) {
  const payload = loadExamplePayload("pull_request", action) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  payload.installation = { id: fake.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  payload.number = pull.number;
  const pr = payload.pull_request;
  pr.number = pull.number;
  pr.head.sha = pull.headSha;
  pr.base.sha = BASE_SHA;
  pr.base.ref = "main";
  pr.changed_files = pull.changedFiles ?? 1;
  if (pull.fork) {
    pr.head.repo = {
      ...pr.head.repo,
      full_name: `forker/${REPO}`,
      fork: true,
      owner: { ...pr.head.repo.owner, login: "forker" },
    };
  }
  if (action === "closed") {
    pr.merged = pull.merged ?? false;
    pr.merged_at = pull.merged ? new Date().toISOString() : null;
    pr.merge_commit_sha = pull.mergeSha ?? null;
  }
  payload.repository.default_branch = "main";
  return payload;
}

export async function deliver(server: RunningServer, event: string, payload: unknown, id?: string) {
  return deliverWebhook({ url: server.webhookUrl, secret: WEBHOOK_SECRET, event, payload, id });
}
