import { hostname } from "node:os";
import Dockerode from "dockerode";
import { resolveHubConfig } from "../../src/core/hub-config.js";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import { silentLogger } from "../../src/docker/logger.js";
import { SMOKE_LABEL, sweepLeftovers } from "../../src/docker/sandbox.js";
import { smokePod, smokeRun, type SmokeContext } from "../../src/docker/smoke-tests.js";
import { ensureBaseImage } from "../helpers/docker-base-image.js";
import {
  FAST_CONFIG,
  removeImages,
  smokeContainers,
  testJob,
  writeBundle,
  type TestBundle,
} from "../helpers/docker-bundle.js";

/**
 * Hostile containers against the sandbox: one image (the pod fixture), misbehaving as
 * told by `--mode X` in the run arguments. Every case must end, fail, and leave nothing.
 */
const docker = new Dockerode();
const BUNDLE_PATH = "executors/encoders/sandbox-pod";
let bundle: TestBundle;
let imageId: string;
let reference: string;

beforeAll(async () => {
  await ensureBaseImage(docker);
  bundle = await writeBundle();
  const job = testJob(bundle.dir, "sandbox-pod");
  reference = job.image.reference;
  const outcome = await createDockerImagePipeline({ docker }).run(job, () => {});
  if (!outcome.build) throw new Error(`fixture did not build: ${JSON.stringify(outcome)}`);
  imageId = outcome.build.imageId;
});

afterAll(async () => {
  await bundle.cleanup();
  await removeImages(docker, [reference]);
});

afterEach(async () => {
  expect(await smokeContainers(docker, BUNDLE_PATH)).toEqual([]);
});

function context(runArgs: string[], signal?: AbortSignal): SmokeContext {
  const config = resolveHubConfig(FAST_CONFIG).smoke;
  return {
    docker,
    imageId,
    config: { ...config, runArgs, podArgs: runArgs },
    bundlePath: BUNDLE_PATH,
    logger: silentLogger,
    signal,
  };
}

test("the sandbox: read-only root, noexec /tmp, no capabilities, no privilege gain, limits, no network", async () => {
  const result = await smokeRun(context(["--mode", "sandbox-facts"]));
  expect(result.passed).toBe(true);
  expect(result.logTail).toEqual(
    expect.arrayContaining([
      "pids.max=64",
      `memory.limit=${64 * 1024 * 1024}`,
      expect.stringMatching(/^CapEff:\s+0+$/),
      expect.stringMatching(/^NoNewPrivs:\s+1$/),
      "rootfs=read-only",
      "tmp=writable",
      "tmp-exec=denied",
      "interfaces=lo",
    ]),
  );
});

test("a container that hangs is killed at the timeout", async () => {
  const result = await smokeRun(context(["--mode", "hang"]));
  expect(result).toMatchObject({
    name: "run",
    passed: false,
    reason: "did not exit within 6s; it was killed",
  });
  expect(result.logTail).toContain("hanging");
});

test("a container that exits non-zero fails with its exit code", async () => {
  const result = await smokeRun(context(["--mode", "exit-nonzero"]));
  expect(result).toMatchObject({
    passed: false,
    reason: "exited with code 3",
    logTail: ["failing on purpose"],
  });
});

test("a container allocating past its memory limit is OOM-killed", async () => {
  const result = await smokeRun(context(["--mode", "oom"]));
  expect(result).toMatchObject({
    passed: false,
    reason: "killed for using more than its 64 MB memory limit",
  });
});

test("a container trying the network finds none", async () => {
  const result = await smokeRun(context(["--mode", "network"]));
  expect(result).toMatchObject({ passed: false, reason: "exited with code 7" });
  expect(result.logTail?.join("\n")).toMatch(/Network is unreachable/);
  expect(result.logTail).not.toContain("NETWORK REACHABLE");
});

test("a fork bomb hits the pids limit and the test still completes", async () => {
  const result = await smokeRun(context(["--mode", "forkbomb"]));
  // Either the shell itself fails to fork and exits, or it hangs and is killed: never passes.
  expect(result.passed).toBe(false);
  expect(result.reason).toMatch(/^(exited with code \d+|did not exit within 6s; it was killed)$/);
  expect(result.logTail?.join("\n")).toMatch(/can't fork|Resource temporarily unavailable/);
});

test("an abort mid smoke test kills and removes the container at once", async () => {
  const controller = new AbortController();
  const running = smokePod(context(["--mode", "never-ready"], controller.signal));
  setTimeout(() => controller.abort(), 1000);
  await expect(running).rejects.toMatchObject({ name: "AbortError" });
});

test("sweepLeftovers removes smoke containers a crashed run left behind, not a live run's", async () => {
  const create = (owner: string) =>
    docker.createContainer({
      Image: imageId,
      Labels: { [SMOKE_LABEL]: "true", "dev.hubgate.owner": owner, "dev.hubgate.bundle": BUNDLE_PATH },
      HostConfig: { NetworkMode: "none" },
    });
  // A pid that cannot be alive (above the kernel's pid_max) stands for a crashed process.
  const crashed = await create(`${hostname()}/4194999`);
  const live = await create(`${hostname()}/${process.pid}`);
  try {
    expect(await sweepLeftovers(docker)).toBeGreaterThanOrEqual(1);
    await expect(crashed.inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(live.inspect()).resolves.toBeDefined();
  } finally {
    await Promise.all([crashed, live].map((c) => c.remove({ force: true }).catch(() => undefined)));
  }
});
