import { Queue } from "bullmq";
import Dockerode from "dockerode";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_QUEUE } from "../../src/scale-out/queue-keys.js";
import { redisConnection } from "../../src/scale-out/redis-connection.js";
import {
  createRemoteImagePipeline,
  type RemoteImagePipeline,
} from "../../src/scale-out/remote-image-pipeline.js";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "../helpers/docker-base-image.js";
import {
  serverEnv,
  startHubgateServer,
  WEBHOOK_SECRET,
  type RunningServer,
} from "../helpers/hubgate-server.js";
import { startGatewayProcess } from "../helpers/gateway-process.js";
import { deliverWebhook } from "../fakes/github/index.js";
import {
  deliver,
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import {
  startWorkerProcess,
  TEST_REDIS_URL as REDIS_URL,
  type LogLine,
  type WorkerProcess,
} from "../helpers/worker-process.js";

/**
 * Scale-out with real parts: the gateway (real server, signed webhooks, fake GitHub) sends
 * each bundle to the `check` queue in Redis (127.0.0.1:6379, a prefix of its own per test);
 * two real `hubgate worker` processes build and smoke-test on the real Docker engine.
 */
const AWESOME = "executors/encoders/AwesomeEncoder";
const bundle = exampleBundleFiles(AWESOME);
const docker = new Dockerode();
const versions = (n: number) => `0.1.${n}`;
const withVersion = (n: number, extra: Record<string, string> = {}) => ({
  ...TEST_HUB_CONFIG,
  ...bundle,
  [`${AWESOME}/manifest.yml`]: bundle[`${AWESOME}/manifest.yml`]!.replace(
    "version: 0.0.1",
    `version: ${versions(n)}`,
  ),
  ...extra,
});
const slowDockerfile = (seconds: number) =>
  bundle[`${AWESOME}/Dockerfile`]!.replace(
    "WORKDIR /app",
    `WORKDIR /app\nRUN sleep ${seconds} # ${Date.now()}`,
  );
const sha = (n: number) => n.toString(16).padStart(40, "0");

let fake: FakeGitHub;
let prefix: string;
let workers: WorkerProcess[] = [];
let images: RemoteImagePipeline;
let server: RunningServer;
let test_n = 0;

const started = (line: LogLine) => line.msg === "check job started";

async function startAll(count = 2, lockMs = 30_000) {
  prefix = `hgtest-${process.pid}-${++test_n}`;
  const env = {
    HUBGATE_REDIS_URL: REDIS_URL,
    HUBGATE_QUEUE_PREFIX: prefix,
    HUBGATE_WORKER_CONCURRENCY: "2",
    // The kill -9 test shortens it: a killed worker's job moves on after 3 s instead of 30.
    HUBGATE_WORKER_LOCK_MS: String(lockMs),
  };
  workers = await Promise.all(Array.from({ length: count }, () => startWorkerProcess(env)));
  images = createRemoteImagePipeline({ connection: redisConnection(REDIS_URL), prefix, backoffMs: 500 });
  fake.reset();
  server = await startHubgateServer(fake, { images, env: { HUBGATE_CONCURRENCY: "16" } });
}

beforeAll(async () => {
  await ensureBaseImage(docker);
  fake = await startFakeGitHub();
});
afterAll(async () => {
  await fake.close();
  const tags = Array.from({ length: 12 }, (_, i) => `jinahub/pod.encoder.awesomeencoder:${versions(i + 1)}`);
  for (const tag of tags)
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
});
afterEach(async () => {
  await server.close();
  await images.close();
  await Promise.all(workers.map((w) => w.stop()));
  // This test's keys only (its own prefix), through BullMQ.
  const queue = new Queue(CHECK_QUEUE, { connection: redisConnection(REDIS_URL), prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  expect(fake.violations).toEqual([]);
});

test("a burst of pull requests is spread across both workers, one result each", async () => {
  await startAll();
  const pulls = [1, 2, 3, 4, 5, 6].map((n) =>
    setUpPull(fake, { number: n, base: TEST_HUB_CONFIG, head: withVersion(n), headSha: sha(n) }),
  );
  await Promise.all(
    pulls.map((pull) => deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull))),
  );
  await server.queue.idle();
  const runs = fake.checkRuns(OWNER, REPO);
  expect(runs.map((r) => [r.head_sha, r.conclusion]).sort()).toEqual(
    pulls.map((p) => [p.headSha, "success"]).sort(),
  );
  // Both workers took some of them; each pull request has exactly one result (above).
  const perWorker = workers.map((w) => w.lines.filter(started).map((l) => l.jobId));
  expect(perWorker.every((ids) => ids.length > 0)).toBe(true);
  expect(new Set(perWorker.flat()).size).toBe(6);
});

test("kill -9 of a worker mid-build: the job completes on the other, one final result", async () => {
  await startAll(2, 3000);
  const pull = setUpPull(fake, {
    number: 7,
    base: TEST_HUB_CONFIG,
    head: withVersion(7, { [`${AWESOME}/Dockerfile`]: slowDockerfile(6) }),
    headSha: sha(7),
  });
  await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
  const first = await Promise.race(workers.map((w) => w.waitFor(started).then(() => w)));
  const other = workers.find((w) => w !== first)!;
  const { jobId } = first.lines.find(started)!;
  await first.stop("SIGKILL");
  // BullMQ's stalled-job check hands the job to the surviving worker.
  await other.waitFor((line) => started(line) && line.jobId === jobId);
  await server.queue.idle();
  const runs = fake.checkRuns(OWNER, REPO);
  expect(runs.map((r) => [r.head_sha, r.conclusion])).toEqual([[pull.headSha, "success"]]);
  expect(runs[0]!.output.title).toContain("built and passed 3 smoke tests");
  expect(other.lines.filter((l) => l.msg === "check job done").map((l) => l.jobId)).toEqual([jobId]);
});

test("a newer push cancels the older commit's build on whichever worker runs it", async () => {
  await startAll();
  const old = setUpPull(fake, {
    number: 8,
    base: TEST_HUB_CONFIG,
    head: withVersion(8, { [`${AWESOME}/Dockerfile`]: slowDockerfile(120) }),
    headSha: sha(8),
  });
  await deliver(server, "pull_request", pullRequestPayload(fake, "opened", old));
  const runner = await Promise.race(workers.map((w) => w.waitFor(started).then(() => w)));
  const { jobId } = runner.lines.find(started)!;
  const newer = setUpPull(fake, { number: 8, base: TEST_HUB_CONFIG, head: withVersion(9), headSha: sha(9) });
  await deliver(server, "pull_request", pullRequestPayload(fake, "synchronize", newer));
  await runner.waitFor((line) => line.msg === "check job cancelled while running" && line.jobId === jobId);
  await server.queue.idle();
  expect(fake.checkRuns(OWNER, REPO).map((r) => [r.head_sha, r.conclusion])).toEqual([
    [old.headSha, "cancelled"],
    [newer.headSha, "success"],
  ]);
  // The cancelled build was stopped, not finished in the background.
  await runner.waitFor((line) => line.msg === "check job failed" || line.msg === "check job done");
  expect(
    workers.flatMap((w) => w.lines).filter((l) => l.msg === "check job done" && l.jobId === jobId),
  ).toEqual([]);
});

test("the gateway killed and restarted while a worker builds: nothing lost, one build, one result", async () => {
  await startAll();
  await server.close(); // this test runs the gateway as its own process, as the README does
  const dataDir = await mkdtemp(join(tmpdir(), "hubgate-gw-"));
  const env = serverEnv(fake, {
    HUBGATE_DATA_DIR: dataDir,
    HUBGATE_REDIS_URL: REDIS_URL,
    HUBGATE_QUEUE_PREFIX: prefix,
    PORT: "0",
    HOST: "127.0.0.1",
  });
  const pull = setUpPull(fake, {
    number: 11,
    base: TEST_HUB_CONFIG,
    head: withVersion(11, { [`${AWESOME}/Dockerfile`]: slowDockerfile(6) }),
    headSha: sha(11),
  });
  let gateway = await startGatewayProcess(env);
  try {
    await deliverTo(gateway.url, pullRequestPayload(fake, "opened", pull));
    const runner = await Promise.race(workers.map((w) => w.waitFor(started).then(() => w)));
    const { jobId } = runner.lines.find(started)!;
    await gateway.stop("SIGKILL");
    gateway = await startGatewayProcess(env);
    // Recovery runs the PR's job again; it finds the same build job, still running on the worker.
    while (fake.checkRuns(OWNER, REPO).at(-1)?.conclusion !== "success")
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(workers.flatMap((w) => w.lines.filter(started).map((l) => l.jobId))).toEqual([jobId]);
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.head_sha, r.status, r.conclusion])).toEqual([
      [pull.headSha, "completed", "success"],
    ]);
  } finally {
    await gateway.stop("SIGTERM");
    await rm(dataDir, { recursive: true, force: true });
  }
});

function deliverTo(url: string, payload: unknown) {
  return deliverWebhook({
    url: `${url}/api/github/webhooks`,
    secret: WEBHOOK_SECRET,
    event: "pull_request",
    payload,
  });
}
