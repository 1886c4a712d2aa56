import { createHash } from "node:crypto";
import { Job, Queue, QueueEvents, type ConnectionOptions } from "bullmq";
import type { ImageJob, ImageOutcome, ImagePipeline, Phase } from "../pipeline/image-pipeline.js";
import { silentLogger, type Logger } from "../pipeline/logger.js";
import { packBundle } from "./bundle-archive.js";
import type { CheckJobData } from "./check-job.js";
import { commands } from "./redis-client.js";
import { bundleKey, cancelChannel, cancelKey, CHECK_QUEUE, KEEP_SECONDS } from "./queue-keys.js";

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
  const { prefix, connection } = options;
  const queue = new Queue<CheckJobData, ImageOutcome>(CHECK_QUEUE, { connection, prefix });
  const events = new QueueEvents(CHECK_QUEUE, { connection, prefix });
  const listeners = new Map<string, (phase: Phase) => void>();
  events.on("progress", ({ jobId, data }) => {
    const phase = (data as { phase?: Phase } | undefined)?.phase;
    if (phase) listeners.get(jobId)?.(phase);
  });
  const ready = Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);

  return {
    async run(job: ImageJob, onPhase: (phase: Phase) => void, signal?: AbortSignal): Promise<ImageOutcome> {
      const log = logger.child({ bundle: job.bundlePath, image: job.image.reference });
      const packed = await packBundle(job.bundleDir, job.bundlePath, job.config.build.maxContextBytes);
      if (!packed.archive) return { findings: packed.plan.findings, smoke: [] };
      if (signal?.aborted) return { findings: [], smoke: [], infrastructureError: CANCELLED };
      await ready;
      const data: CheckJobData = {
        bundlePath: job.bundlePath,
        image: job.image,
        manifest: job.manifest,
        config: job.config,
        ...(job.revision ? { revision: job.revision } : {}),
      };
      const jobId = createHash("sha256")
        .update(JSON.stringify(data))
        .update(packed.archive)
        .digest("hex")
        .slice(0, 40);
      const client = commands(await queue.client);
      // The files first: a worker may take the job the moment it is added.
      await client.set(bundleKey(prefix, CHECK_QUEUE, jobId), packed.archive, "EX", KEEP_SECONDS);
      await client.del(cancelKey(prefix, CHECK_QUEUE, jobId));
      listeners.set(jobId, onPhase);
      onPhase("queued");
      try {
        const queued = await enqueue(
          () => queue.add("bundle", data, jobOptions(jobId, options)),
          (done) => done.infrastructureError === undefined,
        );
        const outcome = await untilFinished(queued, events, signal);
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
      } finally {
        listeners.delete(jobId);
        onPhase("done");
      }
    },
    async ping() {
      await commands(await queue.client).ping();
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };

  async function cancel(jobId: string): Promise<void> {
    const client = commands(await queue.client);
    await client.set(cancelKey(prefix, CHECK_QUEUE, jobId), "1", "EX", KEEP_SECONDS);
    // A waiting job is simply removed; a running one is locked by its worker, which is told.
    await queue.remove(jobId).catch(() => 0);
    await client.publish(cancelChannel(prefix, CHECK_QUEUE), jobId);
    logger.info({ jobId }, "remote build cancelled");
  }
}

/**
 * Add the job, or find the one already there under this id (BullMQ dedupes by jobId). A
 * finished job whose result we cannot reuse (cancelled, failed, or a result `reusable` rejects,
 * such as an engine problem that a re-run should retry) is sent round again.
 */
export async function enqueue<J extends Job>(
  add: () => Promise<J>,
  reusable: (result: J["returnvalue"]) => boolean,
): Promise<J> {
  const job = await add();
  const state = await job.getState();
  const stale = state === "failed" || (state === "completed" && !reusable(job.returnvalue));
  if (!stale) return job;
  await job.remove().catch(() => undefined);
  return add();
}

/** Tries with backoff, and how long finished jobs stay: the same for both queues. */
export function jobOptions(jobId: string, options: { attempts?: number; backoffMs?: number }) {
  return {
    jobId,
    attempts: options.attempts ?? 3,
    backoff: { type: "exponential", delay: options.backoffMs ?? 5000 },
    removeOnComplete: { age: KEEP_SECONDS },
    removeOnFail: { age: KEEP_SECONDS },
  };
}

/** The job's result, or undefined when the signal aborted first. */
export async function untilFinished<Result>(
  job: Job<unknown, Result>,
  events: QueueEvents,
  signal: AbortSignal | undefined,
): Promise<Result | undefined> {
  if (signal?.aborted) return undefined;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([job.waitUntilFinished(events), aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
