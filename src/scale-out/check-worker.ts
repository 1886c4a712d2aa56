import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { ImageOutcome, ImagePipeline } from "../pipeline/image-pipeline.js";
import type { Logger } from "../pipeline/logger.js";
import { unpackBundle } from "./bundle-archive.js";
import { commands } from "./redis-client.js";
import type { CheckJobData } from "./check-job.js";
import { bullWorkerOptions, type QueueWorkerOptions } from "./worker-options.js";
import { bundleKey, cancelChannel, cancelKey, CANCELLED_MESSAGE, CHECK_QUEUE } from "./queue-keys.js";

export interface CheckWorkerOptions extends QueueWorkerOptions {
  /** The real Docker pipeline on this worker's own engine. */
  images: ImagePipeline;
  logger: Logger;
  workDir?: string;
}

export interface CheckWorker {
  close(): Promise<void>;
}

/** Told by the pipeline when the run was aborted (src/docker CANCELLED). */
const PIPELINE_CANCELLED = "cancelled";

/**
 * Takes `check` jobs: unpacks the bundle, builds and smoke-tests it on this worker's engine,
 * returns the ImageOutcome. What BullMQ does for us: a job whose worker died (lock not
 * renewed) is moved back and taken by another worker (stalled-job detection); an engine
 * problem is thrown, so the job is tried again with backoff (maybe elsewhere) until its
 * last attempt, which returns the outcome for the gateway to report as ours, not the
 * contributor's. A cancelled job fails without retry.
 */
export async function startCheckWorker(options: CheckWorkerOptions): Promise<CheckWorker> {
  const { prefix, logger } = options;
  const worker = new Worker<CheckJobData, ImageOutcome>(
    CHECK_QUEUE,
    (job, _token, signal) => runJob(job, signal),
    bullWorkerOptions(options),
  );
  worker.on("failed", (job, error) =>
    logger.warn({ jobId: job?.id, bundle: job?.data.bundlePath, err: error.message }, "check job failed"),
  );
  worker.on("error", (error) => logger.error({ err: error.message }, "check worker error"));
  const client = commands(await worker.client);
  const subscriber = client.duplicate();
  await subscriber.subscribe(cancelChannel(prefix, CHECK_QUEUE));
  subscriber.on("message", (_channel: string, jobId: string) => {
    if (worker.cancelJob(jobId, CANCELLED_MESSAGE))
      logger.info({ jobId }, "check job cancelled while running");
  });
  void worker.run();
  await worker.waitUntilReady();

  async function runJob(job: Job<CheckJobData, ImageOutcome>, signal?: AbortSignal): Promise<ImageOutcome> {
    const log = logger.child({ jobId: job.id, bundle: job.data.bundlePath, attempt: job.attemptsMade + 1 });
    const id = job.id ?? "";
    // The files are kept while a retry may need them, and dropped with the final answer.
    const final = async <T>(value: T): Promise<T> => {
      await client.del(bundleKey(prefix, CHECK_QUEUE, id));
      return value;
    };
    if (await client.exists(cancelKey(prefix, CHECK_QUEUE, id)))
      throw await final(new UnrecoverableError(CANCELLED_MESSAGE));
    const archive = await client.getBuffer(bundleKey(prefix, CHECK_QUEUE, id));
    if (!archive)
      throw new UnrecoverableError("the bundle's files are gone from Redis (expired); push again");
    const bundle = await unpackBundle(archive, job.data.config.build.maxContextBytes, options.workDir);
    log.info({ worker: worker.id }, "check job started");
    try {
      const outcome = await options.images.run(
        {
          bundleDir: bundle.dir,
          bundlePath: job.data.bundlePath,
          image: job.data.image,
          manifest: job.data.manifest,
          config: job.data.config,
          revision: job.data.revision,
        },
        (phase) => void job.updateProgress({ phase }).catch(() => undefined),
        signal,
      );
      if (signal?.aborted || outcome.infrastructureError === PIPELINE_CANCELLED)
        throw await final(new UnrecoverableError(CANCELLED_MESSAGE));
      const attempts = job.opts.attempts ?? 1;
      if (outcome.infrastructureError && job.attemptsMade + 1 < attempts) {
        // Thrown, so BullMQ retries it with backoff; the last attempt's outcome is reported.
        throw new Error(outcome.infrastructureError);
      }
      log.info({ infrastructureError: outcome.infrastructureError }, "check job done");
      return await final(outcome);
    } finally {
      await bundle.remove();
    }
  }

  return {
    async close() {
      await worker.close();
      await subscriber.quit().catch(() => undefined);
    },
  };
}
