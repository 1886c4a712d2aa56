// Scale-out throughput: N bundles through the `check` queue (real Redis, real Docker, real
// `hubgate worker` processes), with 1 worker and then 2, measured in the same run. Each worker
// takes the same number of jobs at once, so the second worker adds slots; on this machine both
// drive the same engine, so the figure shows what the queue adds, not what a second machine would.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import Dockerode from "dockerode";
import { CHECK_QUEUE } from "../src/scale-out/queue-keys.js";
import { redisConnection } from "../src/scale-out/redis-connection.js";
import { createRemoteImagePipeline } from "../src/scale-out/remote-image-pipeline.js";
import { ensureBaseImage } from "../test/helpers/docker-base-image.js";
import { podDockerfile, testJob } from "../test/helpers/docker-bundle.js";
import type { Row } from "./measure.js";

// Compiled to bench/out/bench/: the repository is three folders up.
const CLI = fileURLToPath(new URL("../../../dist/cli/main.js", import.meta.url));
const POD_FIXTURE = fileURLToPath(new URL("../../../test/fixtures/docker/pod-bundle", import.meta.url));
const REDIS_URL = process.env.HUBGATE_REDIS_URL ?? "redis://127.0.0.1:6379";
const BUNDLES = Number(process.env.BENCH_BUNDLES ?? 8);
const SLOTS = Number(process.env.BENCH_WORKER_SLOTS ?? 2);

async function startWorker(prefix: string, workDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, "worker"], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HUBGATE_REDIS_URL: REDIS_URL,
      HUBGATE_QUEUE_PREFIX: prefix,
      HUBGATE_WORKER_CONCURRENCY: String(SLOTS),
      HUBGATE_WORK_DIR: workDir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info", // "worker ready" is an info line
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"worker ready"')) resolve();
    });
    child.once("exit", (code) => reject(new Error(`worker exited ${code}`)));
  });
  return child;
}

async function round(workers: number, run: number): Promise<number> {
  const prefix = `hgbench-${process.pid}-${workers}-${run}`;
  const workDir = await mkdtemp(join(tmpdir(), "hubgate-bench-"));
  const bundles: string[] = [];
  const children: ChildProcess[] = [];
  const pipeline = createRemoteImagePipeline({ connection: redisConnection(REDIS_URL), prefix });
  try {
    for (let i = 0; i < BUNDLES; i++) {
      // Content unique to the round: every bundle is really built, none comes from a cache.
      const dir = join(workDir, `bundle-${i}`);
      await cp(POD_FIXTURE, dir, { recursive: true });
      await writeFile(join(dir, "Dockerfile"), podDockerfile(undefined, `RUN echo ${prefix}-${i} > /round`));
      bundles.push(dir);
    }
    for (let i = 0; i < workers; i++) children.push(await startWorker(prefix, workDir));
    const start = process.hrtime.bigint();
    const outcomes = await Promise.all(
      bundles.map((dir, i) => pipeline.run(testJob(dir, `bench-${workers}-${i}`), () => {})),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const failed = outcomes.filter(
      (o) => o.infrastructureError || !o.build || o.smoke.some((s) => !s.passed),
    );
    if (failed.length) throw new Error(`${failed.length} bundles failed: ${JSON.stringify(failed[0])}`);
    return seconds;
  } finally {
    await pipeline.close();
    await Promise.all(
      children.map(async (child) => {
        child.kill("SIGTERM");
        await once(child, "exit");
      }),
    );
    const queue = new Queue(CHECK_QUEUE, { connection: redisConnection(REDIS_URL), prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await rm(workDir, { recursive: true, force: true });
    const docker = new Dockerode();
    for (let i = 0; i < BUNDLES; i++)
      await docker
        .getImage(`hubgate-test/pod.encoder.bench-${workers}-${i}:0.0.1`)
        .remove({ force: true })
        .catch(() => undefined);
  }
}

export async function benchScaleOut(): Promise<Row[]> {
  await ensureBaseImage(new Dockerode());
  // Interleaved (1, 2, 1, 2): a slow moment of the shared machine hits both alike.
  const one: number[] = [];
  const two: number[] = [];
  for (let run = 0; run < 2; run++) {
    one.push(await round(1, run));
    two.push(await round(2, run));
  }
  const best = (xs: number[]) => Math.min(...xs);
  const perMinute = (seconds: number) => (BUNDLES / seconds) * 60;
  return [
    {
      name: `${BUNDLES} bundles, 1 worker × ${SLOTS} slots (best of 2)`,
      value: perMinute(best(one)),
      unit: "bundles/min",
    },
    {
      name: `${BUNDLES} bundles, 2 workers × ${SLOTS} slots (best of 2)`,
      value: perMinute(best(two)),
      unit: "bundles/min",
      baseline: "1 worker",
      ratio: best(one) / best(two),
    },
  ];
}
