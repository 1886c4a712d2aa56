import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";
import { startFakeGitLab, type FakeGitLab } from "../fakes/gitlab/fake-gitlab.js";
import {
  AWESOME,
  deliverMergeRequestHook,
  exampleBundle,
  HUB_BASE,
  mergeRequestHook,
  openMergeRequest,
  SECRET,
} from "../platform/gitlab/gitlab-harness.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "./docker-base-image.js";
import { startHubgateServer, type RunningServer } from "./hubgate-server.js";
import { startRegistry, type RegistryServer } from "./registry-server.js";

/** The GitLab side of the server with real Docker and a real registry, publishing to the `gitlabhub` namespace. */
export interface GitLabMergeStack {
  github: FakeGitHub;
  gitlab: FakeGitLab;
  registry: RegistryServer;
  server: RunningServer;
  dataDir: string;
  close(): Promise<void>;
}

export async function startGitLabMergeStack(env: Record<string, string> = {}): Promise<GitLabMergeStack> {
  await ensureBaseImage(new Dockerode());
  const [github, gitlab, registry] = await Promise.all([
    startFakeGitHub(),
    startFakeGitLab(),
    startRegistry(),
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), "hubgate-data-"));
  const server = await startHubgateServer(github, {
    images: createDockerImagePipeline({ sweepOnStart: false }),
    env: {
      GITLAB_URL: gitlab.url,
      GITLAB_TOKEN: gitlab.token,
      GITLAB_WEBHOOK_SECRET: SECRET,
      HUBGATE_REGISTRY: registry.host,
      HUBGATE_REGISTRY_USERNAME: registry.username,
      HUBGATE_REGISTRY_PASSWORD: registry.password,
      HUBGATE_NAMESPACE: "gitlabhub",
      HUBGATE_DATA_DIR: dataDir,
      ...env,
    },
  });
  return {
    github,
    gitlab,
    registry,
    server,
    dataDir,
    async close() {
      await server.close();
      await Promise.all([github.close(), gitlab.close(), registry.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Adds AwesomeEncoder to project jina/hub through a merge request, merges it, sends the signed
 * merge hook and waits for the server's queue to drain. Returns the merge commit.
 */
export async function mergeAwesomeEncoder(stack: GitLabMergeStack): Promise<string> {
  const { gitlab, server } = stack;
  const config = TEST_HUB_CONFIG;
  const hub = gitlab.addProject({ id: 1, path: "hub", namespace: "jina" });
  gitlab.commit(1, { ...HUB_BASE, ...config }, { branch: "main" });
  const bundle = exampleBundle("executors/encoders/AwesomeEncoder", AWESOME);
  const mr = openMergeRequest(gitlab, { ...config, ...bundle });
  const mergeSha = gitlab.commit(
    1,
    { ...HUB_BASE, ...config, ...bundle },
    { branch: "main", parents: [hub.branches.get("main")!, mr.headSha] },
  );
  mr.state = "merged";
  const status = await deliverMergeRequestHook(
    server.url,
    mergeRequestHook(gitlab, mr, { action: "merge", mergeCommitSha: mergeSha }),
  );
  if (status !== 202) throw new Error(`the merge hook was answered ${status}, not 202`);
  await server.queue.idle();
  return mergeSha;
}
