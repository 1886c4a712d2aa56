import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../../src/docker/docker-image-pipeline.js";
import { listPublished } from "../../../src/publish/list-published.js";
import { startFakeGitHub, loadExamplePayload, type FakeGitHub } from "../../fakes/github/index.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "../../helpers/docker-base-image.js";
import { startHubgateServer, type RunningServer } from "../../helpers/hubgate-server.js";
import {
  deliver,
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
  BASE_SHA,
} from "../../helpers/github-scenario.js";
import { registryDigest, startRegistry, type RegistryServer } from "../../helpers/registry-server.js";

const AWESOME = "executors/encoders/AwesomeEncoder";
const CONFIG = TEST_HUB_CONFIG;
const bundle = exampleBundleFiles(AWESOME);
const MERGE_SHA = "d".repeat(40);
const REPOSITORY = "jinahub/pod.encoder.awesomeencoder";
const docker = new Dockerode();

describe("publish on merge to a real registry", () => {
  let fake: FakeGitHub;
  let registry: RegistryServer;
  let server: RunningServer;
  let dataDir: string;

  const headDigest = (tag: string) => registryDigest(registry, REPOSITORY, tag);

  beforeAll(async () => {
    await ensureBaseImage(docker);
    fake = await startFakeGitHub();
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry.stop();
    await fake.close();
  });
  beforeEach(async () => {
    fake.reset();
    dataDir = mkdtempSync(join(tmpdir(), "hubgate-data-"));
    const env = {
      HUBGATE_REGISTRY: registry.host,
      HUBGATE_REGISTRY_USERNAME: registry.username,
      HUBGATE_REGISTRY_PASSWORD: registry.password,
      HUBGATE_DATA_DIR: dataDir,
    };
    server = await startHubgateServer(fake, {
      env,
      images: createDockerImagePipeline({ docker, sweepOnStart: false }),
    });
  });
  afterEach(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(fake.violations).toEqual([]);
  });

  const merged = (number: number, opts: { fork?: boolean } = {}) => {
    const pull = setUpPull(fake, { base: CONFIG, head: { ...CONFIG, ...bundle }, number, ...opts });
    fake.setCommit(OWNER, REPO, MERGE_SHA, { ...CONFIG, ...bundle });
    return pullRequestPayload(fake, "closed", { ...pull, merged: true, mergeSha: MERGE_SHA, ...opts });
  };

  it("publishes the merged bundle under its version and latest, and records the digest", async () => {
    await deliver(server, "pull_request", merged(21, { fork: true }));
    await server.queue.idle();
    const digest = await headDigest("0.0.1");
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await headDigest("latest")).toBe(digest);
    const records = await listPublished(dataDir);
    expect(records).toEqual([expect.objectContaining({ version: "0.0.1", digest, commit: MERGE_SHA })]);
    const [run] = fake.checkRuns(OWNER, REPO).filter((r) => r.head_sha === MERGE_SHA);
    expect(run!.conclusion).toBe("success");
    expect(run!.annotations.map((a) => a.message).join("\n")).toContain(digest!);
    expect(JSON.stringify(fake.calls)).not.toContain(registry.password);
  });

  it("publishes a merge once, though both pull_request.closed and push arrive", async () => {
    await deliver(server, "pull_request", merged(22));
    const push = loadExamplePayload("push") as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    Object.assign(push, {
      ref: "refs/heads/main",
      before: BASE_SHA,
      after: MERGE_SHA,
      deleted: false,
      installation: { id: fake.installationId },
    });
    push.repository.default_branch = "main";
    await deliver(server, "push", push);
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO).filter((r) => r.head_sha === MERGE_SHA)).toHaveLength(1);
  });

  it("pushes nothing for a pull request closed without merging", async () => {
    const pull = setUpPull(fake, { base: CONFIG, head: { ...CONFIG, ...bundle }, number: 23 });
    await deliver(server, "pull_request", pullRequestPayload(fake, "closed", { ...pull, merged: false }));
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO)).toEqual([]);
    expect(await listPublished(dataDir)).toEqual([]);
  });
});
