import type { ConnectionOptions } from "bullmq";
import type { ImageJob, ImageOutcome, ImagePipeline, Phase } from "../pipeline/image-pipeline.js";
import { silentLogger, type Logger } from "../pipeline/logger.js";
import { packBundle } from "./bundle-archive.js";
import type { CheckJobData } from "./check-job.js";
import { jobSubmitter } from "./job-submitter.js";
import { cancelChannel, cancelKey, CHECK_QUEUE, KEEP_SECONDS } from "./queue-keys.js";

export interface RemoteImagePipelineOptions {
  connection: ConnectionOptions;
  prefix: string;
  logger?: Logger;
  /** Tries per job: an engine problem on one worker is retried, with backoff, maybe on another. */
  attempts?: number;
  backoffMs?: number;
}

export interface RemoteImagePipeline extends ImagePipeline {
  /** Redis answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Told to the caller in place of a result when the run was aborted (as the local pipeline does). */
const CANCELLED = "cancelled";

/**
 * The gateway's image pipeline when builds run on workers: each bundle becomes a job on the
 * `check` queue carrying its files and the hub config, and the worker's ImageOutcome comes
 * back as the job's result. The gateway never builds and the worker never sees a secret.
 *
 * The job id is a hash of everything the build depends on (files, config, image, revision),
 * so a gateway that restarts and asks again gets the same job, running or finished, never a
 * second one. A superseded change (its signal aborts) cancels the job wherever it is:
 * removed while it waits, aborted through the worker's `cancelJob` while it runs.
 */
export function createRemoteImagePipeline(options: RemoteImagePipelineOptions): RemoteImagePipeline {
  const logger = options.logger ?? silentLogger;
  const { prefix } = options;
  const jobs = jobSubmitter<CheckJobData, ImageOutcome>(CHECK_QUEUE, options);

  return {
    async run(job: ImageJob, onPhase: (phase: Phase) => void, signal?: AbortSignal): Promise<ImageOutcome> {
      const log = logger.child({ bundle: job.bundlePath, image: job.image.reference });
      const packed = await packBundle(job.bundleDir, job.bundlePath, job.config.build.maxContextBytes);
      if (!packed.archive) return { findings: packed.plan.findings, smoke: [] };
      if (signal?.aborted) return { findings: [], smoke: [], infrastructureError: CANCELLED };
      const data: CheckJobData = {
        bundlePath: job.bundlePath,
        image: job.image,
        manifest: job.manifest,
        config: job.config,
        ...(job.revision ? { revision: job.revision } : {}),
      };
      const jobId = await jobs.stored(data, packed.archive);
      await (await jobs.client()).del(cancelKey(prefix, CHECK_QUEUE, jobId));
      try {
        const outcome = await jobs.run({
          jobId,
          data,
          onPhase,
          signal,
          reusable: (done) => done.infrastructureError === undefined,
        });
        if (outcome === undefined) {
          await cancel(jobId);
          return { findings: [], smoke: [], infrastructureError: CANCELLED };
        }
        return { ...outcome, findings: [...packed.plan.findings, ...outcome.findings] };
      } catch (error) {
        if (signal?.aborted) return { findings: [], smoke: [], infrastructureError: CANCELLED };
        log.error({ err: (error as Error).message, jobId }, "remote build failed");
        return {
          findings: [],
          smoke: [],
          infrastructureError: `the build worker could not finish (${(error as Error).message}); not a problem in the bundle.`,
        };
      }
    },
    async ping() {
      await (await jobs.client()).ping();
    },
    close: jobs.close,
  };

  async function cancel(jobId: string): Promise<void> {
    const client = await jobs.client();
    await client.set(cancelKey(prefix, CHECK_QUEUE, jobId), "1", "EX", KEEP_SECONDS);
    // A waiting job is simply removed; a running one is locked by its worker, which is told.
    await jobs.queue.remove(jobId).catch(() => 0);
    await client.publish(cancelChannel(prefix, CHECK_QUEUE), jobId);
    logger.info({ jobId }, "remote build cancelled");
  }
}
