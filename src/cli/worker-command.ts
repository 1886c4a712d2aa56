// `hubgate worker`: a build worker on its own Docker engine (DOCKER_HOST), taking jobs from
// Redis (HUBGATE_REDIS_URL). HUBGATE_WORKER_QUEUE=check (default): builds and smoke-tests
// pull-request code, returns the outcome; refuses to start with any platform or registry
// secret. HUBGATE_WORKER_QUEUE=publish: builds merged code and pushes it with the registry
// credentials (HUBGATE_REGISTRY*); refuses to start with a platform secret.
import pino from "pino";
import { readWorkerSettings } from "../settings/worker-settings.js";

export async function runWorker(env: NodeJS.ProcessEnv): Promise<number> {
  const settings = readWorkerSettings(env);
  const logger = pino({ name: "hubgate-worker", level: env.LOG_LEVEL || "info" });
  const [{ default: Dockerode }, { createDockerImagePipeline }, { redisConnection }, { startHealthServer }] =
    await Promise.all([
      import("dockerode"),
      import("../docker/docker-image-pipeline.js"),
      import("../scale-out/redis-connection.js"),
      import("../worker/health-server.js"),
    ]);
  const docker = new Dockerode();
  const { sweepJobFolders } = await import("../scale-out/bundle-archive.js");
  const swept = await sweepJobFolders(settings.workDir);
  if (swept > 0) logger.info({ swept }, "removed job folders a dead worker left");
  const common = {
    connection: redisConnection(settings.redisUrl),
    prefix: settings.prefix,
    images: createDockerImagePipeline({ docker, logger }),
    concurrency: settings.concurrency,
    logger,
    workDir: settings.workDir,
    lockDurationMs: settings.lockMs,
    stalledIntervalMs: Math.max(1000, Math.floor(settings.lockMs / 2)),
  };
  let worker: { close(): Promise<void> };
  if (settings.queue === "publish") {
    const [{ startPublishWorker }, { readPublishSettings }] = await Promise.all([
      import("../scale-out/publish-worker.js"),
      import("../publish/publish-settings.js"),
    ]);
    worker = await startPublishWorker({ ...common, docker, settings: readPublishSettings(env) });
  } else {
    const { startCheckWorker } = await import("../scale-out/check-worker.js");
    worker = await startCheckWorker(common);
  }
  const health = await startHealthServer(settings.port, settings.host, async () => {
    try {
      await docker.ping();
      return undefined;
    } catch (error) {
      return `the Docker engine does not answer (${(error as Error).message})`;
    }
  });
  logger.info(
    { queue: settings.queue, concurrency: settings.concurrency, port: health.port, pid: process.pid },
    "worker ready",
  );
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  // Running jobs finish (BullMQ's close waits for them); waiting ones stay for other workers.
  logger.info({ signal }, "worker stopping after its running jobs");
  await worker.close();
  await health.close();
  logger.info("worker stopped");
  return 0;
}
