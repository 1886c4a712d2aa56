import { Queue } from "bullmq";
import Dockerode from "dockerode";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Catalogue } from "../../src/catalogue/catalogue-store.js";
import { listPublished } from "../../src/publish/list-published.js";
import { CHECK_QUEUE, PUBLISH_QUEUE } from "../../src/scale-out/queue-keys.js";
import { redisConnection } from "../../src/scale-out/redis-connection.js";
import { deliverWebhook, startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "../helpers/docker-base-image.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/gateway-process.js";
import {
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import { serverEnv, WEBHOOK_SECRET } from "../helpers/hubgate-server.js";
import { registryDigest, startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import {
  startWorkerProcess,
  TEST_REDIS_URL as REDIS_URL,
  type LogLine,
  type WorkerProcess,
} from "../helpers/worker-process.js";

/**
 * Publishing scaled out, with real parts: the gateway (its own process, signed webhooks, fake
 * GitHub, no registry credentials and no Docker engine in its environment) puts each merged
 * bundle on the `publish` queue in Redis; a real `hubgate worker` with HUBGATE_WORKER_QUEUE=
 * publish builds it on the real Docker engine and pushes it to a real registry
 * (docker-registry, htpasswd); the gateway records it in its SQLite store and reports it.
 */
const AWESOME = "executors/encoders/AwesomeEncoder";
const REPOSITORY = "jinahub/pod.encoder.awesomeencoder";
const bundle = exampleBundleFiles(AWESOME);
const docker = new Dockerode();
const mergeSha = (n: number) => `e${n.toString(16).padStart(39, "0")}`;
const withVersion = (version: string, dockerfile?: string) => ({
  ...TEST_HUB_CONFIG,
  ...bundle,
  [`${AWESOME}/manifest.yml`]: bundle[`${AWESOME}/manifest.yml`]!.replace(
    "version: 0.0.1",
    `version: ${version}`,
  ),
  ...(dockerfile ? { [`${AWESOME}/Dockerfile`]: dockerfile } : {}),
});
const slowDockerfile = (seconds: number) =>
  bundle[`${AWESOME}/Dockerfile`]!.replace(
    "WORKDIR /app",
    `WORKDIR /app\nRUN sleep ${seconds} # ${Date.now()}`,
  );
const started = (line: LogLine) => line.msg === "publish job started";

let fake: FakeGitHub;
let registry: RegistryServer;
let prefix: string;
let dataDir: string;
let gateway: GatewayProcess | undefined;
let workers: WorkerProcess[] = [];
let n = 0;

function gatewayEnv(registryHost = registry.host) {
  return serverEnv(fake, {
    HUBGATE_DATA_DIR: dataDir,
    HUBGATE_REDIS_URL: REDIS_URL,
    HUBGATE_QUEUE_PREFIX: prefix,
    HUBGATE_REGISTRY: registryHost,
    HUBGATE_JOB_BACKOFF_MS: "500",
    PORT: "0",
    HOST: "127.0.0.1",
  });
}

function startPublishWorker(registryHost = registry.host) {
  return startWorkerProcess({
    HUBGATE_REDIS_URL: REDIS_URL,
    HUBGATE_QUEUE_PREFIX: prefix,
    HUBGATE_WORKER_QUEUE: "publish",
    HUBGATE_REGISTRY: registryHost,
    HUBGATE_REGISTRY_USERNAME: registry.username,
    HUBGATE_REGISTRY_PASSWORD: registry.password,
    // A killed worker's job moves on after 3 s instead of 30.
    HUBGATE_WORKER_LOCK_MS: "3000",
  }).then((worker) => {
    workers.push(worker);
    return worker;
  });
}

async function deliverMerge(version: string, dockerfile?: string) {
  const number = 40 + ++n;
  const pull = setUpPull(fake, { number, base: TEST_HUB_CONFIG, head: withVersion(version, dockerfile) });
  const sha = mergeSha(number);
  fake.setCommit(OWNER, REPO, sha, withVersion(version, dockerfile));
  const payload = pullRequestPayload(fake, "closed", { ...pull, merged: true, mergeSha: sha });
  const response = await deliverWebhook({
    url: `${gateway!.url}/api/github/webhooks`,
    secret: WEBHOOK_SECRET,
    event: "pull_request",
    payload,
  });
  expect(response.status).toBeLessThan(300);
  return sha;
}

async function finishedRun(sha: string) {
  for (;;) {
    const run = fake.checkRuns(OWNER, REPO).find((r) => r.head_sha === sha && r.status === "completed");
    if (run) return run;
    await sleep(200);
  }
}

const digestOf = (tag: string) => registryDigest(registry, REPOSITORY, tag);

beforeAll(async () => {
  await ensureBaseImage(docker);
  fake = await startFakeGitHub();
  registry = await startRegistry();
});
afterAll(async () => {
  await registry.stop();
  await fake.close();
  for (const version of ["0.3.0", "0.4.0", "0.5.0", "0.6.0"])
    await docker
      .getImage(`${REPOSITORY}:${version}`)
      .remove({ force: true })
      .catch(() => undefined);
});
beforeEach(async () => {
  prefix = `hgtest-publish-${process.pid}-${++n}`;
  dataDir = await mkdtemp(join(tmpdir(), "hubgate-gw-"));
  fake.reset();
  gateway = await startGatewayProcess(gatewayEnv());
});
afterEach(async () => {
  await gateway?.stop("SIGTERM");
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  for (const name of [CHECK_QUEUE, PUBLISH_QUEUE]) {
    const queue = new Queue(name, { connection: redisConnection(REDIS_URL), prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await rm(dataDir, { recursive: true, force: true });
  expect(fake.violations).toEqual([]);
});

test("a merged pull request is published by a publish worker; the gateway holds no registry credentials", async () => {
  const env = gatewayEnv();
  expect(Object.keys(env).filter((name) => /REGISTRY_(USERNAME|PASSWORD)|DOCKER_HOST/.test(name))).toEqual(
    [],
  );
  const worker = await startPublishWorker();
  const sha = await deliverMerge("0.3.0");
  const run = await finishedRun(sha);
  expect(run.conclusion).toBe("success");

  const digest = await digestOf("0.3.0");
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(await digestOf("latest")).toBe(digest);
  // The gateway recorded what the worker pushed, in its own store.
  expect(await listPublished(dataDir)).toEqual([
    expect.objectContaining({
      repository: `${registry.host}/${REPOSITORY}`,
      version: "0.3.0",
      digest,
      commit: sha,
    }),
  ]);
  const catalogue = Catalogue.open(dataDir, { readOnly: true });
  try {
    expect(catalogue.list().map((image) => [image.version, image.digest])).toEqual([["0.3.0", digest]]);
  } finally {
    catalogue.close();
  }
  expect(run.annotations.map((a) => a.message).join("\n")).toContain(digest!);
  expect(worker.lines.filter((l) => l.msg === "publish job done").map((l) => l.status)).toEqual([
    "published",
  ]);
  expect(gateway!.output()).toContain("merges are published by publish workers");
  expect(JSON.stringify(fake.calls)).not.toContain(registry.password);
});

test("kill -9 of the publish worker mid-publish: the job completes on the next worker, pushed and recorded once", async () => {
  const first = await startPublishWorker();
  const sha = await deliverMerge("0.4.0", slowDockerfile(6));
  const { jobId } = await first.waitFor(started);
  await first.stop("SIGKILL");
  const second = await startPublishWorker();
  // BullMQ's stalled-job check hands the job to the worker started after the kill.
  await second.waitFor((line) => started(line) && line.jobId === jobId);
  const run = await finishedRun(sha);
  expect(run.conclusion).toBe("success");

  const digest = await digestOf("0.4.0");
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  const records = await listPublished(dataDir);
  expect(records.map((r) => [r.version, r.digest])).toEqual([["0.4.0", digest]]);
  const lines = [...first.lines, ...second.lines];
  expect(lines.filter((l) => l.msg === "pushed").map((l) => l.digest)).toEqual([digest]);
  expect(second.lines.filter((l) => l.msg === "publish job done").map((l) => [l.jobId, l.status])).toEqual([
    [jobId, "published"],
  ]);
  expect(fake.checkRuns(OWNER, REPO).filter((r) => r.head_sha === sha)).toHaveLength(1);
});

test("the gateway killed and restarted while the publish worker builds: one push, one record, one result", async () => {
  const worker = await startPublishWorker();
  const sha = await deliverMerge("0.5.0", slowDockerfile(6));
  const { jobId } = await worker.waitFor(started);
  await gateway!.stop("SIGKILL");
  // Recovery runs the merge's job again: it asks for the same publish job and waits for it.
  gateway = await startGatewayProcess(gatewayEnv());
  const run = await finishedRun(sha);
  expect(run.conclusion).toBe("success");

  const digest = await digestOf("0.5.0");
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect((await listPublished(dataDir)).map((r) => [r.version, r.digest])).toEqual([["0.5.0", digest]]);
  expect(worker.lines.filter(started).map((l) => l.jobId)).toEqual([jobId]);
  expect(worker.lines.filter((l) => l.msg === "pushed").map((l) => l.digest)).toEqual([digest]);
  expect(
    fake
      .checkRuns(OWNER, REPO)
      .filter((r) => r.head_sha === sha)
      .map((r) => r.conclusion),
  ).toEqual(["success"]);
});

test("kill -9 after the push, rebuilt with other layers: the retry knows the registry's version is its own", async () => {
  // The worker and its engine reach the registry through a relay that holds every request
  // once the version's manifest is in: the first worker is stuck right after its push.
  const relay = await startHoldingRelay(registry.host, /\/manifests\/0\.6\.0$/);
  try {
    await gateway!.stop("SIGTERM");
    gateway = await startGatewayProcess(gatewayEnv(relay.host));
    const first = await startPublishWorker(relay.host);
    // Not reproducible: a rebuild without the cache makes other layers.
    const dockerfile = bundle[`${AWESOME}/Dockerfile`]!.replace(
      "WORKDIR /app",
      "WORKDIR /app\nRUN cat /proc/sys/kernel/random/uuid > /built-at",
    );
    const sha = await deliverMerge("0.6.0", dockerfile);
    const { digest } = await first.waitFor((line) => line.msg === "pushed");
    await relay.holding;
    await first.stop("SIGKILL");
    const built = await docker.getImage(`${REPOSITORY}:0.6.0`).inspect();
    await docker.getImage(built.Id).remove({ force: true });
    relay.release();

    const second = await startPublishWorker(relay.host);
    const run = await finishedRun(sha);
    expect(run.conclusion).toBe("success");
    expect((await docker.getImage(`${REPOSITORY}:0.6.0`).inspect()).Id).not.toBe(built.Id);
    expect(second.lines.filter((l) => l.msg === "publish job done").map((l) => [l.status, l.digest])).toEqual(
      [["unchanged", digest]],
    );
    expect(second.lines.filter((l) => l.msg === "pushed")).toEqual([]);
    expect(await digestOf("0.6.0")).toBe(digest);
    expect(await digestOf("latest")).toBe(digest);
    expect((await listPublished(dataDir)).map((r) => [r.version, r.digest])).toEqual([["0.6.0", digest]]);
  } finally {
    await relay.close();
  }
});

/**
 * An HTTP relay to the registry (Host header kept, so the registry's upload URLs point back
 * here) that, once a PUT to a path matching `holdAfter` succeeded, holds every later request.
 */
async function startHoldingRelay(target: string, holdAfter: RegExp) {
  const [hostname, port] = target.split(":");
  const held: ServerResponse[] = [];
  let hold = false;
  let onHold: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => (onHold = resolve));
  const server = createServer((req, res) => {
    if (hold) {
      held.push(res);
      onHold();
      return;
    }
    const upstream = request(
      { hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () => {
          if (req.method === "PUT" && holdAfter.test(req.url ?? "") && (answer.statusCode ?? 0) < 300)
            hold = true;
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    holding,
    release() {
      hold = false;
      for (const res of held.splice(0)) res.destroy();
    },
    async close() {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
