import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../../src/docker/docker-image-pipeline.js";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github/index.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "../../helpers/docker-base-image.js";
import { startHubgateServer, type RunningServer } from "../../helpers/hubgate-server.js";
import {
  deliver,
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../../helpers/github-scenario.js";

const AWESOME = "executors/encoders/AwesomeEncoder";
const CONFIG = TEST_HUB_CONFIG;
const bundle = exampleBundleFiles(AWESOME);
const withFile = (path: string, text: string) => ({ ...CONFIG, ...bundle, [`${AWESOME}/${path}`]: text });
const docker = new Dockerode();

describe("GitHub pull requests → build, smoke tests and tag (real Docker)", () => {
  let fake: FakeGitHub;
  let server: RunningServer;
  beforeAll(async () => {
    await ensureBaseImage(docker);
    fake = await startFakeGitHub();
  });
  afterAll(async () => fake.close());
  const start = async (images = createDockerImagePipeline({ docker, sweepOnStart: false })) => {
    fake.reset();
    server = await startHubgateServer(fake, { images });
  };
  afterEach(async () => {
    await server.close();
    expect(fake.violations).toEqual([]);
  });

  it("builds, runs the three smoke tests, tags the image and reports success", async () => {
    await start();
    const pull = setUpPull(fake, { base: CONFIG, head: { ...CONFIG, ...bundle } });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({
      conclusion: "success",
      output: expect.objectContaining({
        title: "jinahub/pod.encoder.awesomeencoder:0.0.1 built and passed 3 smoke tests",
      }),
    });
    expect(run!.output.summary).toMatch(
      /\| `run` \| ✅ passed[\s\S]*\| `pod` \| ✅ passed[\s\S]*\| `replicas` \| ✅ passed/,
    );
    expect(run!.updates).toBeGreaterThanOrEqual(2); // static findings first, then the build result
    const image = await docker.getImage("jinahub/pod.encoder.awesomeencoder:0.0.1").inspect();
    expect(image.Config.Labels?.["org.opencontainers.image.revision"]).toBe(pull.headSha);
  });

  it("annotates a failing build on its Dockerfile line", async () => {
    await start();
    const dockerfile = bundle[`${AWESOME}/Dockerfile`]!.replace(
      "WORKDIR /app",
      "WORKDIR /app\nRUN echo 'compiling' && exit 3",
    );
    const pull = setUpPull(fake, { base: CONFIG, head: withFile("Dockerfile", dockerfile) });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run!.conclusion).toBe("failure");
    const line = dockerfile.split("\n").findIndex((l) => l.startsWith("RUN echo")) + 1;
    expect(run!.annotations).toEqual([
      expect.objectContaining({
        path: `${AWESOME}/Dockerfile`,
        start_line: line,
        annotation_level: "failure",
        title: "build/failed",
      }),
    ]);
    expect(run!.output.summary).toContain("❌ The image builds and passes the three basic usage tests");
  });

  it("reports a failing smoke test with its reason and log in the check run", async () => {
    await start();
    const entrypoint = bundle[`${AWESOME}/entrypoint.sh`]!.replace(
      '[ -n "$idle" ] && { echo "pod[I]: idle, shutting down"; exit 0; }',
      '[ -n "$idle" ] && { echo "crashing on purpose"; exit 4; }',
    );
    const pull = setUpPull(fake, { base: CONFIG, head: withFile("entrypoint.sh", entrypoint) });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({
      conclusion: "failure",
      output: expect.objectContaining({ title: "Smoke test failed: run" }),
    });
    expect(run!.output.summary).toMatch(/\| `run` \| ❌ failed \|.*4/);
    expect(run!.output.text).toContain("crashing on purpose");
  });

  it("checks a pull request from a fork through the base repository", async () => {
    await start();
    const pull = setUpPull(fake, { base: CONFIG, head: { ...CONFIG, ...bundle }, fork: true, number: 12 });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", { ...pull, fork: true }));
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.conclusion, r.external_id])).toEqual([
      ["success", JSON.stringify({ pr: 12 })],
    ]);
  });

  it("cancels the older commit's work when a newer one is pushed", async () => {
    await start();
    const slow = bundle[`${AWESOME}/Dockerfile`]!.replace(
      "WORKDIR /app",
      `WORKDIR /app\nRUN sleep 60 # ${Date.now()}`,
    );
    const first = setUpPull(fake, {
      base: CONFIG,
      head: withFile("Dockerfile", slow),
      headSha: "1".repeat(40),
    });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", first));
    // Wait until the first commit's static findings are posted and its build is under way.
    while (!fake.checkRuns(OWNER, REPO).some((r) => r.updates >= 2))
      await new Promise((r) => setTimeout(r, 50));
    const second = setUpPull(fake, { base: CONFIG, head: { ...CONFIG, ...bundle }, headSha: "2".repeat(40) });
    await deliver(server, "pull_request", pullRequestPayload(fake, "synchronize", second));
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.head_sha[0], r.conclusion])).toEqual([
      ["1", "cancelled"],
      ["2", "success"],
    ]);
  });

  it("ends neutral with a Re-run button, not failure, when the Docker daemon is down", async () => {
    await start(
      createDockerImagePipeline({
        docker: new Dockerode({ socketPath: "/nonexistent/docker.sock" }),
        sweepOnStart: false,
      }),
    );
    const pull = setUpPull(fake, { base: CONFIG, head: { ...CONFIG, ...bundle } });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({
      conclusion: "neutral",
      actions: [expect.objectContaining({ identifier: "rerun", label: "Re-run" })],
    });
    expect(run!.output.summary).toContain("hubgate's side");
  });
});
