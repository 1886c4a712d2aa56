/**
 * Names shared by the gateway and the workers. Two queues, because the trust differs: `check`
 * runs unmerged pull-request code on workers that hold no secret; `publish` runs merged code
 * on workers that hold the registry credentials.
 */
export const CHECK_QUEUE = "check";
export const PUBLISH_QUEUE = "publish";
export type QueueName = typeof CHECK_QUEUE | typeof PUBLISH_QUEUE;

/** The bundle's files (gzipped tar), kept beside the job so job listings stay small. */
export const bundleKey = (prefix: string, queue: QueueName, jobId: string) =>
  `${prefix}:${queue}:bundle:${jobId}`;

/**
 * Set when a newer head supersedes the job. A worker checks it before it starts and is told
 * on `cancelChannel` while it runs; BullMQ's own `Worker.cancelJob` then aborts the processor.
 */
export const cancelKey = (prefix: string, queue: QueueName, jobId: string) =>
  `${prefix}:${queue}:cancelled:${jobId}`;
export const cancelChannel = (prefix: string, queue: QueueName) => `${prefix}:${queue}:cancel`;

/** How long bundle files, cancel flags and finished results stay in Redis. */
export const KEEP_SECONDS = 24 * 60 * 60;

/** The error a cancelled job fails with (no retry: BullMQ's UnrecoverableError). */
export const CANCELLED_MESSAGE = "cancelled: a newer commit superseded this job";
