import type { Logger } from "../pipeline/logger.js";
import type { QueueSettings } from "../settings/queue-settings.js";
import { redisConnection } from "./redis-connection.js";
import { createRemoteImagePipeline, type RemoteImagePipeline } from "./remote-image-pipeline.js";
import { createRemotePublishing, type GatewayPublishing } from "./remote-publishing.js";
import { Catalogue } from "../catalogue/catalogue-store.js";
import { readPublishSettings } from "../publish/publish-settings.js";
import { PublishStore } from "../publish/publish-store.js";
import type { Db } from "../store/database.js";

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

/**
 * The gateway's publishing in scale-out with HUBGATE_REGISTRY set: publish workers build and
 * push; this process keeps the records and the catalogue in its own store (`db`) and holds no
 * registry credentials.
 */
export async function publishingOnWorkers(
  settings: QueueSettings,
  env: NodeJS.ProcessEnv,
  db: Db,
  logger: Logger,
): Promise<GatewayPublishing> {
  if (!settings.redisUrl) throw new Error("publishingOnWorkers needs HUBGATE_REDIS_URL");
  const publish = readPublishSettings(env);
  if (publish.credentials)
    logger.warn(
      "HUBGATE_REGISTRY_USERNAME/PASSWORD are set on the gateway, which does not use them: publish workers push. Keep them on the publish workers only (README, Deploying)",
    );
  logger.info({ registry: publish.registry }, "merges are published by publish workers (HUBGATE_REDIS_URL)");
  return createRemotePublishing({
    connection: redisConnection(settings.redisUrl),
    prefix: settings.prefix,
    settings: { ...publish, credentials: undefined },
    store: PublishStore.on(db),
    catalogue: Catalogue.on(db),
    attempts: settings.attempts,
    backoffMs: settings.backoffMs,
    logger,
  });
}
