/**
 * What a platform adapter gives the dispatcher: a way to turn a stored job back into the
 * change source and reporter it needs. Adapters only translate (DESIGN rule 3); dedupe,
 * supersede, queueing, retries and publishing are the dispatcher's.
 */
import type { BundleResult, CheckResult } from "../core/result.js";
import type { BundleLocation } from "../core/bundle-layout.js";
import type { Finding } from "../core/finding.js";
import type { Logger } from "../pipeline/logger.js";
import type { Phase } from "../pipeline/image-pipeline.js";
import type { ChangeReporter, ChangeSource } from "./change.js";
import type { Job } from "./job-queue.js";

/** A ChangeReporter that can also close what an earlier life of its job left open. */
export interface JobReporter extends ChangeReporter {
  /**
   * Close everything this job shows as queued or in progress on the platform:
   * `superseded` → cancelled (a newer commit took over); `interrupted` → neutral,
   * "interrupted on our side", with Re-run. Only what this job owns is touched.
   */
  abandon(reason: "superseded" | "interrupted", message: string): Promise<void>;
  /** After a restart: close what the job's earlier life opened and this life did not touch. */
  closeStale?(message: string): Promise<void>;
}

export interface OpenedJob {
  source: ChangeSource;
  reporter: JobReporter;
}

export interface JobContext {
  signal: AbortSignal;
  logger: Logger;
  /**
   * False once a newer live job checks the very same commit under the same key: what the
   * platform shows for that commit (GitLab statuses are per name and commit) is then its own.
   */
  ownsOutputs(): Promise<boolean>;
}

export interface JobPlatform {
  /** Matches JobSpec.platform. */
  readonly name: string;
  /** Rebuild source and reporter from the job's data (credentials come from the adapter). */
  open(job: Job, context: JobContext): Promise<OpenedJob>;
  /**
   * Show at once that the job waits for a free runner (a `queued` check run), so a pull request
   * in a busy queue is never without feedback. Optional; best effort.
   */
  queued?(job: Job, context: JobContext): Promise<void>;
}

/**
 * Each ChangeReporter call as data, so a worker in another process can run the check and the
 * gateway (which holds the platform credentials) can apply the calls to the real reporter.
 */
export type ReportEvent =
  | { type: "planned"; bundles: BundleLocation[]; outside: Finding[] }
  | { type: "staticDone"; result: BundleResult }
  | { type: "phase"; bundlePath: string; phase: Phase; elapsedMs: number }
  | { type: "bundleDone"; result: BundleResult }
  | { type: "finished"; result: CheckResult }
  | { type: "infrastructureFailure"; message: string }
  | { type: "cancelled" };

/** Apply one recorded call to a reporter. */
export function applyReportEvent(reporter: ChangeReporter, event: ReportEvent): Promise<void> {
  switch (event.type) {
    case "planned":
      return reporter.planned(event.bundles, event.outside);
    case "staticDone":
      return reporter.staticDone(event.result);
    case "phase":
      return reporter.phase(event.bundlePath, event.phase, event.elapsedMs);
    case "bundleDone":
      return reporter.bundleDone(event.result);
    case "finished":
      return reporter.finished(event.result);
    case "infrastructureFailure":
      return reporter.infrastructureFailure(event.message);
    case "cancelled":
      return reporter.cancelled();
  }
}

/** A reporter that turns every call into a ReportEvent (the worker side of a split). */
export function recordingReporter(emit: (event: ReportEvent) => Promise<void>): ChangeReporter {
  return {
    planned: (bundles, outside) => emit({ type: "planned", bundles, outside }),
    staticDone: (result) => emit({ type: "staticDone", result }),
    phase: (bundlePath, phase, elapsedMs) => emit({ type: "phase", bundlePath, phase, elapsedMs }),
    bundleDone: (result) => emit({ type: "bundleDone", result }),
    finished: (result) => emit({ type: "finished", result }),
    infrastructureFailure: (message) => emit({ type: "infrastructureFailure", message }),
    cancelled: () => emit({ type: "cancelled" }),
  };
}
