import { positiveIntegerOr } from "./parallelism.js";

/** Scale-out settings shared by the gateway and the workers (README "Deploying"). */
export interface QueueSettings {
  /** HUBGATE_REDIS_URL: when set, builds run on workers through BullMQ; else in this process. */
  redisUrl?: string;
  /** HUBGATE_QUEUE_PREFIX: prefix of every BullMQ key (default `hubgate`), one per hub. */
  prefix: string;
  /** HUBGATE_JOB_ATTEMPTS: tries per build job when a worker's engine fails (default 3). */
  attempts: number;
  /** HUBGATE_JOB_BACKOFF_MS: first retry delay, doubled each time (default 5000). */
  backoffMs: number;
  /** HUBGATE_WORKER_LOCK_MS: a killed worker's job moves to another after this (default 30000). */
  lockMs: number;
}

export function readQueueSettings(env: NodeJS.ProcessEnv): QueueSettings {
  return {
    redisUrl: env.HUBGATE_REDIS_URL || undefined,
    prefix: env.HUBGATE_QUEUE_PREFIX || "hubgate",
    attempts: positiveIntegerOr(env.HUBGATE_JOB_ATTEMPTS, 3),
    backoffMs: positiveIntegerOr(env.HUBGATE_JOB_BACKOFF_MS, 5000),
    lockMs: positiveIntegerOr(env.HUBGATE_WORKER_LOCK_MS, 30_000),
  };
}
