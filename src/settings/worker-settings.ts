import { defaultJobs, positiveIntegerOr, type MachineSize } from "./parallelism.js";
import { readQueueSettings } from "./queue-settings.js";
import { forbiddenSecrets, type WorkerQueue } from "./role-secrets.js";

export interface WorkerSettings {
  redisUrl: string;
  /** The one queue this worker serves (HUBGATE_WORKER_QUEUE). */
  queue: WorkerQueue;
  /** Key prefix of every BullMQ key (HUBGATE_QUEUE_PREFIX, default `hubgate`). */
  prefix: string;
  /** Jobs (one bundle each) this worker runs at once (HUBGATE_WORKER_CONCURRENCY). */
  concurrency: number;
  /** Port of /healthz (PORT, default 3000; 0 picks a free one). */
  port: number;
  host: string;
  /** Where bundles are unpacked while they build (HUBGATE_WORK_DIR, default the OS temp dir). */
  workDir?: string;
  /** HUBGATE_WORKER_LOCK_MS (see queue-settings). */
  lockMs: number;
}

export class WorkerSettingsError extends Error {
  override readonly name = "WorkerSettingsError";
}

/**
 * The worker's environment, read once. Throws WorkerSettingsError (exit 2) when it cannot run:
 * no Redis, an unknown queue, a secret this role must not hold (named, never shown), or a
 * publish worker without a registry.
 */
export function readWorkerSettings(env: NodeJS.ProcessEnv, size?: MachineSize): WorkerSettings {
  const shared = readQueueSettings(env);
  const redisUrl = shared.redisUrl ?? "";
  if (!redisUrl) {
    throw new WorkerSettingsError(
      "a worker takes its jobs from Redis: set HUBGATE_REDIS_URL (e.g. redis://127.0.0.1:6379)",
    );
  }
  const queue = (env.HUBGATE_WORKER_QUEUE ?? "check").trim();
  if (queue !== "check" && queue !== "publish") {
    throw new WorkerSettingsError(
      `HUBGATE_WORKER_QUEUE must be "check" or "publish", not "${queue}": one worker serves one queue, ` +
        "because a publish worker holds registry credentials that a check worker must never see",
    );
  }
  const found = forbiddenSecrets(queue, env);
  if (found.length > 0) {
    throw new WorkerSettingsError(
      `refusing to start a ${queue} worker with ${found.join(", ")} in its environment: ` +
        (queue === "check"
          ? "check workers run pull-request code and must hold no platform or registry secret"
          : "publish workers hold registry credentials only; platform secrets stay with the gateway") +
        ". Remove them from this worker's environment (see README, Deploying).",
    );
  }
  if (queue === "publish" && !env.HUBGATE_REGISTRY?.trim())
    throw new WorkerSettingsError(
      "a publish worker pushes to HUBGATE_REGISTRY: set it (the same host as the gateway's) and its credentials",
    );
  const port = env.PORT === undefined || env.PORT === "" ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new WorkerSettingsError(`PORT must be a port number, not "${env.PORT}"`);
  return {
    redisUrl,
    queue,
    prefix: shared.prefix,
    lockMs: shared.lockMs,
    // Publishes run one at a time anyway (the gateway sets the publish queue's global concurrency).
    concurrency: positiveIntegerOr(
      env.HUBGATE_WORKER_CONCURRENCY,
      queue === "publish" ? 1 : defaultJobs(size),
    ),
    port,
    host: env.HOST || "0.0.0.0",
    workDir: env.HUBGATE_WORK_DIR || undefined,
  };
}
