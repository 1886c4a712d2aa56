import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type {
  EnqueueOutcome,
  Job,
  JobQueue,
  JobRunner,
  JobSpec,
  JobState,
  JobStore,
} from "../ports/job-queue.js";
import type { Logger } from "./logger.js";

/** Why a running job's signal aborted; the runner tells a shutdown from a supersede by it. */
export const SHUTDOWN = "hubgate is shutting down";
export const SUPERSEDED = "superseded by a newer commit";

export interface EmbeddedJobQueueOptions {
  /** Jobs run at once (HUBGATE_CONCURRENCY). */
  concurrency: number;
  logger: Logger;
  /** How often waiting retries are looked for. */
  pollMs?: number;
  /** This process's owner id in the store; unique per start. */
  owner?: string;
  /** Called whenever a job ends or is released (metrics). */
  onSettled?: (job: Job, outcome: "done" | "retry" | "released", ms: number) => void;
}

/** `host/pid/instance`: unique per process start, so a restarted container (pid 1 again) is not taken for the old one. */
export function ownerId(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** A job's owner is alive when it is this process, or another live process on this host. */
export function ownerAlive(me: string) {
  return (owner: string): boolean => {
    if (owner === me) return true;
    const [host, pid] = owner.split("/");
    if (host !== hostname() || !pid || Number(pid) === process.pid) return false;
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  };
}

/**
 * The default JobQueue: jobs live in a JobStore (SQLite) and run in this process, at most
 * `concurrency` at once. A newer job of the same key aborts an older running one at once.
 */
export class EmbeddedJobQueue implements JobQueue {
  readonly owner: string;
  private runner: JobRunner | undefined;
  private readonly running = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private closing = false;
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;

  constructor(
    private readonly store: JobStore,
    private readonly options: EmbeddedJobQueueOptions,
  ) {
    this.owner = options.owner ?? ownerId();
  }

  async enqueue(spec: JobSpec): Promise<EnqueueOutcome> {
    const outcome = await this.store.enqueue(spec);
    if (outcome.status === "queued") {
      for (const old of outcome.superseded) this.running.get(old.id)?.controller.abort(SUPERSEDED);
      this.pump();
    }
    return outcome;
  }

  async start(runner: JobRunner): Promise<void> {
    this.runner = runner;
    const recovered = await this.store.recover(ownerAlive(this.owner));
    if (recovered.length)
      this.options.logger.info(
        { jobs: recovered.map((j) => ({ id: j.id, key: j.key, kind: j.kind })) },
        "resuming jobs interrupted by a stop",
      );
    this.timer = setInterval(() => this.pump(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.pump();
  }

  saturated(): boolean {
    return this.running.size >= this.options.concurrency;
  }

  counts(): Promise<Record<JobState, number>> {
    return this.store.counts();
  }

  /** Nothing running here and nothing ready to be handed out. */
  async idle(): Promise<void> {
    for (;;) {
      await this.pumping;
      if (this.running.size === 0) {
        this.pump();
        await this.pumping;
        if (this.running.size === 0) return;
      }
      await Promise.allSettled([...this.running.values()].map((r) => r.done));
    }
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.pumping;
    const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
    if (this.running.size) {
      this.options.logger.info({ running: this.running.size, graceMs }, "waiting for running jobs");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    if (this.running.size) {
      this.options.logger.warn(
        { jobs: [...this.running.keys()] },
        "grace period over: interrupting running jobs; they resume at next start",
      );
      for (const r of this.running.values()) r.controller.abort(SHUTDOWN);
      // Bounded: a job that ignores its signal stays `running` under this (soon dead) owner,
      // and recovery at the next start puts it back.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
    }
  }

  private pump(): void {
    if (!this.runner || this.closing) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    const pass = async () => {
      try {
        do {
          this.pumpAgain = false;
          const free = this.options.concurrency - this.running.size;
          if (free <= 0 || this.closing) break;
          const jobs = await this.store.claim(this.owner, free);
          for (const job of jobs) this.run(job);
          if (jobs.length === free) this.pumpAgain = true;
        } while (this.pumpAgain && !this.closing);
      } catch (error) {
        this.options.logger.error({ err: error }, "could not take jobs from the store");
      }
    };
    // Cleared in a callback, never synchronously: a pass that ends before its first await
    // must not leave `pumping` set for good.
    this.pumping = pass().finally(() => {
      this.pumping = undefined;
    });
  }

  private run(job: Job): void {
    const controller = new AbortController();
    const started = Date.now();
    const done = (async () => {
      let settled: "done" | "retry" | "released" = "released";
      try {
        const outcome = await this.runner!(job, controller.signal).catch(
          (error: Error) =>
            ({ status: "retry", error: error.message, delayMs: backoff(job.attempts) }) as const,
        );
        if (controller.signal.reason === SHUTDOWN && outcome.status !== "done") {
          await this.store.release(job.id, SHUTDOWN);
        } else {
          await this.store.finish(job.id, outcome);
          settled = outcome.status;
          if (outcome.status === "retry")
            this.options.logger.warn(
              { job: job.id, key: job.key, error: outcome.error, retryInMs: outcome.delayMs },
              "job could not report; kept and retried later",
            );
        }
      } catch (error) {
        this.options.logger.error({ err: error, job: job.id }, "could not record the end of a job");
      } finally {
        this.running.delete(job.id);
        this.options.onSettled?.(job, settled, Date.now() - started);
        this.pump();
      }
    })();
    this.running.set(job.id, { controller, done });
  }
}

/** 5 s, 10 s, 20 s … capped at 10 minutes: a platform outage is waited out, never dropped. */
export function backoff(attempts: number): number {
  return Math.min(600_000, 5_000 * 2 ** Math.max(0, attempts - 1));
}
