import type { Logger } from "../pipeline/logger.js";
import type { QueueSettings } from "../settings/queue-settings.js";
import { redisConnection } from "./redis-connection.js";
import { createRemoteImagePipeline, type RemoteImagePipeline } from "./remote-image-pipeline.js";

/**
 * The gateway's image pipeline in scale-out mode: builds go to `check` workers through BullMQ
 * on HUBGATE_REDIS_URL, so the process holding the platform secrets never runs contributor code.
 */
export function remoteImagePipeline(settings: QueueSettings, logger: Logger): RemoteImagePipeline {
  if (!settings.redisUrl) throw new Error("remoteImagePipeline needs HUBGATE_REDIS_URL");
  logger.info({ prefix: settings.prefix }, "builds run on workers (HUBGATE_REDIS_URL)");
  return createRemoteImagePipeline({
    connection: redisConnection(settings.redisUrl),
    prefix: settings.prefix,
    attempts: settings.attempts,
    backoffMs: settings.backoffMs,
    logger,
  });
}
