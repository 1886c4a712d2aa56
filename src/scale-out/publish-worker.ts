import { UnrecoverableError, Worker, type Job } from "bullmq";
import type Docker from "dockerode";
import { withImageOutcome } from "../pipeline/check-bundles.js";
import type { ImagePipeline } from "../pipeline/image-pipeline.js";
import type { Logger } from "../pipeline/logger.js";
import { publishRequestFor, publishSkip } from "../publish/publish-bundle.js";
import type { PublishSettings } from "../publish/publish-settings.js";
import { PublishStore } from "../publish/publish-store.js";
import { createPublisher } from "../publish/publisher.js";
import { openMemoryDatabase } from "../store/database.js";
import { unpackBundle } from "./bundle-archive.js";
import type { PublishJobData, PublishJobResult, PublishLedger } from "./publish-job.js";
import { commands } from "./redis-client.js";
import { bullWorkerOptions, type QueueWorkerOptions } from "./worker-options.js";
import { bundleKey, PUBLISH_QUEUE } from "./queue-keys.js";

export interface PublishWorkerOptions extends QueueWorkerOptions {
  /** The real Docker pipeline on this worker's own engine (the one that pushes). */
  images: ImagePipeline;
  docker: Docker;
  /** This worker's registry and credentials (HUBGATE_REGISTRY*). */
  settings: PublishSettings;
  logger: Logger;
  workDir?: string;
}

export interface PublishWorker {
  close(): Promise<void>;
}

/**
 * Takes `publish` jobs: builds and smoke-tests the merged bundle on this worker's engine and,
 * when it passes, publishes that very image with src/publish (versions never overwritten,
 * `latest` only forward). The gateway's records for the repository come with the job, in a
 * throw-away store the publisher reads and writes; what it wrote goes back with the result.
 *
 * BullMQ does the rest: a job whose worker died (lock not renewed) is taken by another (the
 * registry then says whether the version was pushed, so it is pushed once); an engine or
 * registry problem is thrown, so the job is tried again with backoff until its last attempt,
 * whose outcome the gateway reports as ours.
 */
export async function startPublishWorker(options: PublishWorkerOptions): Promise<PublishWorker> {
  const { prefix, logger, settings } = options;
  const worker = new Worker<PublishJobData, PublishJobResult>(
    PUBLISH_QUEUE,
    (job) => runJob(job),
    bullWorkerOptions(options),
  );
  worker.on("failed", (job, error) =>
    logger.warn(
      { jobId: job?.id, bundle: job?.data.check.bundlePath, err: error.message },
      "publish job failed",
    ),
  );
  worker.on("error", (error) => logger.error({ err: error.message }, "publish worker error"));
  const client = commands(await worker.client);
  void worker.run();
  await worker.waitUntilReady();

  async function runJob(job: Job<PublishJobData, PublishJobResult>): Promise<PublishJobResult> {
    const { data } = job;
    const log = logger.child({ jobId: job.id, bundle: data.check.bundlePath, attempt: job.attemptsMade + 1 });
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const final = async <T>(value: T): Promise<T> => {
      await client.del(bundleKey(prefix, PUBLISH_QUEUE, job.id ?? ""));
      return value;
    };
    if (settings.registry !== data.registry)
      throw new UnrecoverableError(
        `this publish worker pushes to ${settings.registry ?? "no registry (HUBGATE_REGISTRY unset)"}, ` +
          `the gateway publishes to ${data.registry}: give both the same HUBGATE_REGISTRY`,
      );
    const archive = await client.getBuffer(bundleKey(prefix, PUBLISH_QUEUE, job.id ?? ""));
    if (!archive) throw new UnrecoverableError("the bundle's files are gone from Redis (expired)");
    const bundle = await unpackBundle(archive, data.check.config.build.maxContextBytes, options.workDir);
    log.info({ worker: worker.id }, "publish job started");
    try {
      const built = await options.images.run(
        { bundleDir: bundle.dir, ...data.check },
        (phase) => void job.updateProgress({ phase }).catch(() => undefined),
      );
      const image = { ...built, findings: [...data.contextFindings, ...built.findings] };
      if (image.infrastructureError && !lastAttempt) throw new Error(image.infrastructureError);
      const result = withImageOutcome(data.checked, image);
      const skipped = publishSkip(result, data.hubNamespace);
      if (skipped) {
        log.info({ status: skipped.status, message: skipped.message }, "publish job done");
        return await final({ image, publish: skipped, ledger: { records: [], tags: [] } });
      }
      const request = publishRequestFor(result, data.check.revision ?? {}, data.namespace);
      const { outcome, ledger } = await publishWithLedger(request, data, options, async (digest) => {
        await job.updateData({ ...job.data, pushed: digest });
      });
      if (outcome.status === "failed" && outcome.infrastructure && !lastAttempt)
        throw new Error(outcome.message);
      log.info({ status: outcome.status, digest: outcome.digest }, "publish job done");
      return await final({ image, publish: { path: result.path, ...outcome }, request, ledger });
    } finally {
      await bundle.remove();
    }
  }

  return {
    async close() {
      await worker.close();
    },
  };
}

/** Publish against a throw-away copy of the gateway's records; return what changed in it. */
async function publishWithLedger(
  request: ReturnType<typeof publishRequestFor>,
  data: PublishJobData,
  options: PublishWorkerOptions,
  onPushed: (digest: string) => Promise<void>,
) {
  const db = openMemoryDatabase();
  try {
    const store = PublishStore.on(db);
    for (const row of data.ledger.records) await store.record(row);
    for (const tag of data.ledger.tags) await store.recordTag(tag);
    const publisher = await createPublisher(
      { ...options.settings, namespace: data.namespace },
      {
        docker: options.docker,
        logger: options.logger,
        store,
        knownProtected: new Map(data.ledger.protectedTags.map(([tag, digest]) => [tag, digest ?? undefined])),
        pushedBefore: data.pushed,
        onPushed,
      },
    );
    const outcome = await publisher.publish(request);
    await publisher.close();
    const seen = new Set([...data.ledger.records, ...data.ledger.tags].map((row) => JSON.stringify(row)));
    const changed = <T>(rows: T[]) => rows.filter((row) => !seen.has(JSON.stringify(row)));
    const ledger: PublishLedger = { records: changed(store.list()), tags: changed(store.tags()) };
    return { outcome, ledger };
  } finally {
    db.close();
  }
}
