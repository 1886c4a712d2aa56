/**
 * The job port: how a webhook's work is kept, handed out and finished, whatever holds it.
 *
 * A job is data only (JSON-serialisable), so it can be written to SQLite before the webhook
 * is acknowledged, sent over Redis to a separate worker, and run again after a restart.
 * Platform adapters describe a job (`JobSpec`); the dispatcher (src/pipeline/dispatch.ts)
 * owns dedupe, supersede and retries; a JobStore keeps the state. Implementations:
 * src/store/job-store.ts (SQLite, the default) and a BullMQ/Redis queue for scale-out.
 *
 * Stable interface: other parts build on it. Changes are announced in commit messages.
 */

/**
 * - `check`: check a pull/merge request's head commit. Skipped when a live job of the same
 *   key already checks the same commit (a redelivery, a `reopened` right after `opened`);
 *   a later one checks it again, ensuring the same check runs / statuses.
 * - `retry`: check again on request (Re-run button, `rerequested`): always a fresh run.
 * - `publish`: a merge or a push to the default branch; never superseded.
 */
export type JobKind = "check" | "publish" | "retry";

/**
 * - `queued`: waiting to run (also after a restart or a failed report, see `notBefore`).
 * - `running`: claimed by a live worker (`owner`).
 * - `cancel`: superseded; what it already showed on the platform must still be closed
 *   (check runs cancelled, statuses canceled). Handed out like a queued job.
 * - `done`: its result was reported. Only then is a job finished.
 */
export type JobState = "queued" | "running" | "cancel" | "done";

export const JOB_STATES: readonly JobState[] = ["queued", "running", "cancel", "done"];

/** What a platform adapter says about one unit of work. Plain data only. */
export interface JobSpec {
  /** Which adapter can rebuild the change source and reporter from `target`: "github", "gitlab". */
  platform: string;
  kind: JobKind;
  /**
   * Supersede key: a newer check/retry job with the same key supersedes older live ones
   * (e.g. `github:owner/repo#7`, `gitlab:12!3`). Publish keys are per commit.
   */
  key: string;
  /** The commit the job is about (the PR head, or the merge commit for a publish). */
  headSha: string;
  /**
   * Drops a second job with the same value, ever: the delivery id (GitHub `X-GitHub-Delivery`,
   * GitLab `Idempotency-Key`) or, for publishing, `publish:<platform>:<repo>@<sha>` so a merge's
   * two events (PR closed + push) publish once.
   */
  dedupe?: string;
  /** The adapter's own description of where the change lives (ids, refs, URLs). JSON only; no secrets. */
  target: Record<string, unknown>;
  /** For logs: the delivery that created the job. */
  delivery?: string;
}

export interface Job extends JobSpec {
  /** Unique, increasing in enqueue order. Also identifies what the job writes (check run external_id). */
  id: number;
  state: JobState;
  /** How often the job was handed out. */
  attempts: number;
  /** Epoch ms before which a queued job is not handed out (backoff after a failed report). */
  notBefore: number;
  /** The worker holding a running job. */
  owner?: string;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

export type EnqueueOutcome =
  | { status: "queued"; job: Job; superseded: Job[] }
  /** Same `dedupe` seen before, or a live check of the same key and commit. */
  | { status: "duplicate"; job: Job };

/** What running a job ended with, returned by the worker side and applied by the store. */
export type JobOutcome =
  /** Reported: the job is finished. `conclusion` is for metrics and logs. */
  | { status: "done"; conclusion?: string }
  /** Could not report (platform down, rate limit): keep it and hand it out again later. */
  | { status: "retry"; error: string; delayMs: number };

/**
 * Durable job state. Every method is one atomic step, so a crash between two calls leaves
 * a state recovery understands. Synchronous-looking results are wrapped in promises so a
 * networked store (Redis) can implement the same interface.
 */
export interface JobStore {
  /** Record a job durably (before the webhook is acknowledged), applying dedupe and supersede. */
  enqueue(spec: JobSpec): Promise<EnqueueOutcome>;
  /**
   * Hand out up to `limit` jobs (cancel first, then queued, oldest first, `notBefore` passed)
   * to `owner`, marking them running and counting the attempt.
   */
  claim(owner: string, limit: number): Promise<Job[]>;
  /** The job's result was reported, or it must be retried later. */
  finish(id: number, outcome: JobOutcome): Promise<void>;
  /** Put a running job back in the queue untouched (graceful shutdown: it resumes at next start). */
  release(id: number, reason: string): Promise<void>;
  /** Current state of one job (a running worker checks whether it was superseded meanwhile). */
  get(id: number): Promise<Job | undefined>;
  /**
   * Start-up: jobs left running by an owner that is not alive are put back (running → queued,
   * or → cancel when superseded meanwhile). Returns the jobs recovered.
   */
  recover(isAlive: (owner: string) => boolean): Promise<Job[]>;
  /** True when a live (queued or running) job of `key` checks `headSha`, other than `exceptId`. */
  hasLiveJob(key: string, headSha: string, exceptId?: number): Promise<boolean>;
  /** Number of jobs per state (metrics, readiness). */
  counts(): Promise<Record<JobState, number>>;
  /** Drop finished jobs older than `ms` (housekeeping). */
  prune(olderThanMs: number): Promise<number>;
  /** Probe that the store can be written (readiness). Throws with the reason when not. */
  probe(): Promise<void>;
}

/** The worker side: run one job (check, publish, or close what a superseded job showed). */
export type JobRunner = (job: Job, signal: AbortSignal) => Promise<JobOutcome>;

/**
 * The queue the gateway talks to: it records jobs and makes sure a runner sees them.
 * The embedded implementation (src/pipeline/work-queue.ts) runs jobs in this process from a
 * JobStore; a Redis implementation hands them to `hubgate worker` processes.
 */
export interface JobQueue {
  /** Durably record the job and wake a runner; resolves once the job is stored. */
  enqueue(spec: JobSpec): Promise<EnqueueOutcome>;
  /** Start handing jobs to `runner` (after recovery). */
  start(runner: JobRunner): Promise<void>;
  /**
   * Stop taking work; let running jobs finish within `graceMs`, then abort the rest and put
   * them back in the store (they resume at next start).
   */
  close(graceMs: number): Promise<void>;
  /** True when a newly queued job will wait for a free runner (the platform then shows it queued). Optional. */
  saturated?(): boolean;
  /** Resolves when nothing is queued or running in this process (tests, benches). */
  idle(): Promise<void>;
  counts(): Promise<Record<JobState, number>>;
}
