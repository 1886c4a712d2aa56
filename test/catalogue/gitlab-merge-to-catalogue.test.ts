import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";
import { startFakeGitLab, type FakeGitLab } from "../fakes/gitlab/fake-gitlab.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "../helpers/docker-base-image.js";
import { startHubgateServer, type RunningServer } from "../helpers/hubgate-server.js";
import { startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import {
  AWESOME,
  exampleBundle,
  HUB_BASE,
  mergeRequestHook,
  openMergeRequest,
  SECRET,
} from "../platform/gitlab/gitlab-harness.js";

const CONFIG = TEST_HUB_CONFIG;

describe("a merged GitLab merge request's image in the catalogue", () => {
  let github: FakeGitHub;
  let gitlab: FakeGitLab;
  let registry: RegistryServer;
  let server: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    await ensureBaseImage(new Dockerode());
    [github, gitlab, registry] = await Promise.all([startFakeGitHub(), startFakeGitLab(), startRegistry()]);
    dataDir = mkdtempSync(join(tmpdir(), "hubgate-data-"));
    server = await startHubgateServer(github, {
      images: createDockerImagePipeline({ sweepOnStart: false }),
      env: {
        GITLAB_URL: gitlab.url,
        GITLAB_TOKEN: gitlab.token,
        GITLAB_WEBHOOK_SECRET: SECRET,
        HUBGATE_REGISTRY: registry.host,
        HUBGATE_REGISTRY_USERNAME: registry.username,
        HUBGATE_REGISTRY_PASSWORD: registry.password,
        HUBGATE_NAMESPACE: "gitlabhub",
        HUBGATE_CATALOGUE_TOKEN: "gitlab-catalogue-token",
        HUBGATE_DATA_DIR: dataDir,
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await Promise.all([github.close(), gitlab.close(), registry.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is recorded with the revision from the event: project URL, merge commit, target branch", async () => {
    const hub = gitlab.addProject({ id: 1, path: "hub", namespace: "jina" });
    gitlab.commit(1, { ...HUB_BASE, ...CONFIG }, { branch: "main" });
    const bundle = exampleBundle("executors/encoders/AwesomeEncoder", AWESOME);
    const mr = openMergeRequest(gitlab, { ...CONFIG, ...bundle });
    const mergeSha = gitlab.commit(
      1,
      { ...HUB_BASE, ...CONFIG, ...bundle },
      { branch: "main", parents: [hub.branches.get("main")!, mr.headSha] },
    );
    mr.state = "merged";
    const answer = await fetch(`${server.url}/api/gitlab/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-gitlab-event": "Merge Request Hook",
        "x-gitlab-token": SECRET,
      },
      body: JSON.stringify(mergeRequestHook(gitlab, mr, { action: "merge", mergeCommitSha: mergeSha })),
    });
    expect(answer.status).toBe(202);
    await server.queue.idle();

    const listed = await fetch(`${server.url}/v1/docker/list`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "encoder" }),
    });
    const text = await listed.text();
    const [image] = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(image).toMatchObject({
      name: "AwesomeEncoder",
      version: "0.0.1",
      registry_url: registry.url,
      revision: {
        repository_url: expect.stringContaining("/jina/hub"),
        commit: mergeSha,
        branch: "main",
        tag: null,
      },
      tags: [
        { tag: "0.0.1", protected: true },
        { tag: "latest", protected: false },
      ],
    });
    expect(image!.url).toBe(
      `${registry.host}/gitlabhub/pod.encoder.awesomeencoder:0.0.1@${String(image!.digest)}`,
    );
    expect(text).not.toContain(registry.password);
  });
});
