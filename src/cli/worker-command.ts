// `hubgate worker`: a build worker. Takes `check` jobs from Redis (HUBGATE_REDIS_URL), builds
// and smoke-tests each bundle on its own Docker engine (DOCKER_HOST), returns the outcome.
// It refuses to start with a platform or registry secret in its environment.
import pino from "pino";
import { readWorkerSettings } from "../settings/worker-settings.js";

export async function runWorker(env: NodeJS.ProcessEnv): Promise<number> {
  const settings = readWorkerSettings(env);
  const logger = pino({ name: "hubgate-worker", level: env.LOG_LEVEL || "info" });
  if (settings.queue === "publish") {
    logger.error(
      "publish workers are not available yet: merges publish from the gateway (README, Deploying)",
    );
    return 2;
  }
  const [
    { default: Dockerode },
    { createDockerImagePipeline },
    { startCheckWorker },
    { redisConnection },
    { startHealthServer },
  ] = await Promise.all([
    import("dockerode"),
    import("../docker/docker-image-pipeline.js"),
    import("../scale-out/check-worker.js"),
    import("../scale-out/redis-connection.js"),
    import("../worker/health-server.js"),
  ]);
  const docker = new Dockerode();
  const worker = await startCheckWorker({
    connection: redisConnection(settings.redisUrl),
    prefix: settings.prefix,
    images: createDockerImagePipeline({ docker, logger }),
    concurrency: settings.concurrency,
    logger,
    workDir: settings.workDir,
    lockDurationMs: settings.lockMs,
    stalledIntervalMs: Math.max(1000, Math.floor(settings.lockMs / 2)),
  });
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
