import { createHash } from "node:crypto";
import { Job, Queue, QueueEvents, type ConnectionOptions } from "bullmq";
import type { Phase } from "../pipeline/image-pipeline.js";
import { commands } from "./redis-client.js";
import { bundleKey, KEEP_SECONDS, type QueueName } from "./queue-keys.js";

export interface JobSubmitterOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Tries per job, with exponential backoff from backoffMs. */
  attempts?: number;
  backoffMs?: number;
}

export interface Submission<Data, Result> {
  /** From stored(): the id under which the files wait. */
  jobId: string;
  data: Data;
  onPhase: (phase: Phase) => void;
  signal?: AbortSignal;
  /** Whether an earlier finished job's result may stand for this one (else it is run again). */
  reusable: (result: Result) => boolean;
}

/**
 * The gateway's side of one BullMQ queue, as both remote builds and remote publishing use it.
 * A job's id is a hash of all it carries, so a gateway that restarts and asks again gets the
 * same job, running or finished, never a second one. The worker's phases come back as job
 * progress and are handed to the submitter's onPhase.
 */
export function jobSubmitter<Data, Result>(
  queueName: QueueName,
  options: JobSubmitterOptions,
  whenReady?: (queue: Queue<Data, Result>) => Promise<unknown>,
) {
  const { connection, prefix } = options;
  const queue = new Queue<Data, Result>(queueName, { connection, prefix });
  const events = new QueueEvents(queueName, { connection, prefix });
  const listeners = new Map<string, (phase: Phase) => void>();
  events.on("progress", ({ jobId, data }) => {
    const phase = (data as { phase?: Phase } | undefined)?.phase;
    if (phase) listeners.get(jobId)?.(phase);
  });
  const ready = Promise.all([queue.waitUntilReady().then(() => whenReady?.(queue)), events.waitUntilReady()]);
  const client = async () => commands(await queue.client);

  return {
    queue,
    /**
     * Keep the bundle's files (a tar) for the worker, under the id the job will have: a hash of
     * all it carries. The files go first: a worker may take the job the moment it is added.
     */
    async stored(data: Data, archive: Buffer): Promise<string> {
      await ready;
      const jobId = createHash("sha256")
        .update(JSON.stringify(data))
        .update(archive)
        .digest("hex")
        .slice(0, 40);
      await (await client()).set(bundleKey(prefix, queueName, jobId), archive, "EX", KEEP_SECONDS);
      return jobId;
    },
    /** Add the job (or find it), report its phases, and wait: undefined when the signal aborted first. */
    async run(submission: Submission<Data, Result>): Promise<Result | undefined> {
      const { jobId, data, onPhase, signal } = submission;
      listeners.set(jobId, onPhase);
      onPhase("queued");
      try {
        const queued = await enqueue(
          // BullMQ's job name types are narrower than a generic queue can show.
          () =>
            (queue as Queue).add("bundle", data, jobOptions(jobId, options)) as Promise<Job<Data, Result>>,
          submission.reusable,
        );
        return await untilFinished(queued, events, signal);
      } finally {
        listeners.delete(jobId);
        onPhase("done");
      }
    },
    client,
    async close(): Promise<void> {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}

/**
 * Add the job, or find the one already there under this id (BullMQ dedupes by jobId). A
 * finished job whose result we cannot reuse (cancelled, failed, or a result `reusable` rejects,
 * such as an engine problem that a re-run should retry) is sent round again.
 */
async function enqueue<J extends Job>(
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
function jobOptions(jobId: string, options: { attempts?: number; backoffMs?: number }) {
  return {
    jobId,
    attempts: options.attempts ?? 3,
    backoff: { type: "exponential", delay: options.backoffMs ?? 5000 },
    removeOnComplete: { age: KEEP_SECONDS },
    removeOnFail: { age: KEEP_SECONDS },
  };
}

/** The job's result, or undefined when the signal aborted first. */
async function untilFinished<Result>(
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
