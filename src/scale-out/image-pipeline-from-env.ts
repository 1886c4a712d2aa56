import type { ImagePipeline } from "../pipeline/image-pipeline.js";
import type { Logger } from "../pipeline/logger.js";
import { readQueueSettings } from "../settings/queue-settings.js";

/**
 * The server's image pipeline: with HUBGATE_REDIS_URL, builds go to `check` workers through
 * BullMQ (this process never runs contributor code); without it, this process builds on its
 * own Docker engine, as a single process always has.
 */
export async function imagePipelineFromEnv(env: NodeJS.ProcessEnv, logger: Logger): Promise<ImagePipeline> {
  const settings = readQueueSettings(env);
  if (settings.redisUrl) {
    const [{ createRemoteImagePipeline }, { redisConnection }] = await Promise.all([
      import("./remote-image-pipeline.js"),
      import("./redis-connection.js"),
    ]);
    logger.info({ prefix: settings.prefix }, "builds run on workers (HUBGATE_REDIS_URL)");
    return createRemoteImagePipeline({
      connection: redisConnection(settings.redisUrl),
      prefix: settings.prefix,
      attempts: settings.attempts,
      backoffMs: settings.backoffMs,
      logger,
    });
  }
  const { createDockerImagePipeline } = await import("../docker/docker-image-pipeline.js");
  return createDockerImagePipeline({ logger });
}
