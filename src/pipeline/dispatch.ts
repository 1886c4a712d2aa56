/**
 * One dispatch for every platform. Adapters translate a webhook into a JobSpec (data only);
 * this module owns what happens next, the same way for GitHub and GitLab:
 * - accept: write the job to the store before the webhook is acknowledged (dedupe by
 *   delivery or publish key, a live check of the same commit is not started twice, a newer
 *   commit supersedes the older job of the same pull/merge request);
 * - run: rebuild source and reporter from the job, check or publish, and finish the job only
 *   once its result is reported; a report that cannot be written keeps the job for later;
 * - close what a superseded job, or the earlier life of a restarted one, left open.
 */
import type { ChangeReporter } from "./change-request.js";
import { checkChangeRequest, type ChangeRequestDeps } from "./change-request.js";
import type {
  EnqueueOutcome,
  Job,
  JobOutcome,
  JobQueue,
  JobRunner,
  JobSpec,
  JobStore,
} from "../ports/job-queue.js";
import type { JobPlatform, JobReporter } from "../ports/job-platform.js";
import type { Publisher } from "../publish/publisher.js";
import { backoff, SHUTDOWN } from "./embedded-job-queue.js";
import { publishChange, type RemotePublishing } from "./publish-change.js";

export const INTERRUPTED_MESSAGE =
  "hubgate was interrupted on our side (a restart or a crash) before this finished. This is not a problem in your bundle.";

export interface DispatchObserver {
  accepted?(spec: JobSpec, outcome: EnqueueOutcome["status"]): void;
  finished?(job: Job, outcome: JobOutcome, conclusion: string | undefined, ms: number): void;
}

export interface DispatchDeps extends ChangeRequestDeps {
  queue: JobQueue;
  store: Pick<JobStore, "hasLiveJob">;
  /** More can be registered later (the GitHub adapter registers once Probot hands it the app). */
  platforms?: JobPlatform[];
  /** Publishing on merge; without it merges are accepted and acknowledged as "not configured". */
  publisher?: Publisher;
  /** Scale-out: merged code is built and pushed by publish workers; this process keeps the records. */
  remotePublishing?: RemotePublishing;
  observer?: DispatchObserver;
}

export class Dispatcher {
  private readonly platforms: Map<string, JobPlatform>;

  constructor(private readonly deps: DispatchDeps) {
    this.platforms = new Map((deps.platforms ?? []).map((p) => [p.name, p]));
  }

  /** Queued runs being created, by job: the job waits for its own before it opens. */
  private readonly showingQueued = new Map<number, Promise<void>>();

  register(platform: JobPlatform): void {
    this.platforms.set(platform.name, platform);
  }

  /** Whether merges are published (adapters say so in the webhook answer). */
  get publishes(): boolean {
    return this.deps.publisher !== undefined || this.deps.remotePublishing !== undefined;
  }

  /** Record the job; resolves once it is durable, which is when the webhook may be answered. */
  async accept(spec: JobSpec): Promise<EnqueueOutcome> {
    if (!this.platforms.has(spec.platform)) throw new Error(`no platform adapter for "${spec.platform}"`);
    const busy = this.deps.queue.saturated?.() ?? false;
    const outcome = await this.deps.queue.enqueue(spec);
    const platform = this.platforms.get(spec.platform);
    if (outcome.status === "queued" && busy && spec.kind !== "publish" && platform?.queued) {
      // Not awaited: the webhook is answered once the job is on disk, not after GitHub answers.
      const job = outcome.job;
      const logger = this.deps.logger.child({ job: job.id, key: job.key });
      const shown = platform
        .queued(job, {
          signal: new AbortController().signal,
          logger,
          ownsOutputs: async () => !(await this.deps.store.hasLiveJob(job.key, job.headSha, job.id)),
        })
        .catch((error: Error) => logger.warn({ err: error.message }, "could not show the job as queued"))
        .finally(() => this.showingQueued.delete(job.id));
      // The job's own reporter must see that run: it starts only once the run exists.
      this.showingQueued.set(job.id, shown);
    }
    this.deps.observer?.accepted?.(spec, outcome.status);
    this.deps.logger.info(
      {
        key: spec.key,
        kind: spec.kind,
        sha: spec.headSha.slice(0, 8),
        delivery: spec.delivery,
        job: outcome.job.id,
        outcome: outcome.status,
      },
      outcome.status === "queued" ? "job queued" : "duplicate delivery: nothing new to do",
    );
    return outcome;
  }

  /** The JobRunner of this process (given to the queue's start). */
  readonly run: JobRunner = async (job, signal) => {
    const started = Date.now();
    const logger = this.deps.logger.child({
      job: job.id,
      key: job.key,
      kind: job.kind,
      sha: job.headSha.slice(0, 8),
    });
    const platform = this.platforms.get(job.platform);
    if (!platform)
      return {
        status: "retry",
        error: `no platform adapter for "${job.platform}"`,
        delayMs: backoff(job.attempts),
      };
    let failed: Error | undefined;
    let conclusion: string | undefined;
    let outcome: JobOutcome;
    try {
      await this.showingQueued.get(job.id);
      const opened = await platform.open(job, {
        signal,
        logger,
        ownsOutputs: async () => !(await this.deps.store.hasLiveJob(job.key, job.headSha, job.id)),
      });
      const reporter = guard(opened.reporter, signal, (error) => (failed ??= error));
      if (job.state === "cancel") {
        await reporter.abandon("superseded", "A newer commit superseded this one; see its checks.");
        conclusion = "cancelled";
      } else {
        const deps = { ...this.deps, logger };
        if (job.kind === "publish") {
          const { publisher, remotePublishing: remote } = this.deps;
          if (!publisher && !remote) throw new Error("publishing is not configured on this server");
          await publishChange(opened.source, reporter, { ...deps, publisher, remote }, signal);
        } else {
          const result = await checkChangeRequest(opened.source, reporter, deps, signal);
          conclusion = result.result?.conclusion;
        }
        if (signal.aborted) conclusion = signal.reason === SHUTDOWN ? "interrupted" : "cancelled";
        else if (job.attempts > 1 && !failed) await reporter.closeStale?.(INTERRUPTED_MESSAGE);
      }
      outcome = failed
        ? { status: "retry", error: failed.message, delayMs: retryDelay(failed, job.attempts) }
        : { status: "done", ...(conclusion ? { conclusion } : {}) };
    } catch (error) {
      // Opening the job (installation token, GitLab client) or the last report failed: keep it.
      const e = error instanceof Error ? error : new Error(String(error));
      outcome = { status: "retry", error: e.message, delayMs: retryDelay(e, job.attempts) };
    }
    if (signal.aborted && signal.reason === SHUTDOWN) {
      // Nothing was reported as finished: put back, it resumes at next start.
      logger.info("interrupted by shutdown; resumes at next start");
      outcome = { status: "retry", error: SHUTDOWN, delayMs: 0 };
    }
    this.deps.observer?.finished?.(
      job,
      outcome,
      conclusion ?? (outcome.status === "retry" ? "retry" : undefined),
      Date.now() - started,
    );
    return outcome;
  };
}

/** A platform's own wait (retry-after) when it named one, else exponential backoff. */
function retryDelay(error: Error, attempts: number): number {
  const after = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof after === "number" && after > 0 ? Math.max(after, 1000) : backoff(attempts);
}

/**
 * Notes every report that failed (after the platform client's own retries), so the job is
 * kept rather than called done; and keeps a shutdown from being reported as "cancelled by a
 * newer commit": an interrupted job resumes at next start instead.
 */
function guard(reporter: JobReporter, signal: AbortSignal, onFailure: (error: Error) => void): JobReporter {
  const wrap =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await fn(...args);
      } catch (error) {
        onFailure(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    };
  const r = reporter;
  const wrapped: ChangeReporter = {
    planned: wrap((b, o) => r.planned(b, o)),
    staticDone: wrap((x) => r.staticDone(x)),
    phase: (b, p, ms) => r.phase(b, p, ms), // progress only: a lost one is not worth a re-run
    bundleDone: wrap((x) => r.bundleDone(x)),
    finished: wrap((x) => r.finished(x)),
    infrastructureFailure: wrap((m) => r.infrastructureFailure(m)),
    cancelled: wrap(async () => {
      if (signal.reason === SHUTDOWN) return;
      await r.cancelled();
    }),
  };
  return {
    ...wrapped,
    abandon: wrap((reason: "superseded" | "interrupted", message: string) => r.abandon(reason, message)),
    ...(r.closeStale ? { closeStale: wrap((m: string) => r.closeStale!(m)) } : {}),
  };
}
