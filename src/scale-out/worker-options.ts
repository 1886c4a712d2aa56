import type { ConnectionOptions, WorkerOptions } from "bullmq";

/** What check and publish workers share: where the queue is and how a dead worker's job moves on. */
export interface QueueWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** How long a job's lock lasts without renewal: a killed worker's job moves on after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** BullMQ settings for either role; the caller starts the worker (`autorun: false`) when it is ready. */
export function bullWorkerOptions(options: QueueWorkerOptions): WorkerOptions {
  return {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A job whose worker died twice is more likely killing workers than unlucky.
    maxStalledCount: 2,
    autorun: false,
  };
}
