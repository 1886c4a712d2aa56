import type { Readable } from "node:stream";
import type { ChangedPath } from "../../../src/core/changed-bundles.js";
import type { Job } from "../../../src/ports/job-queue.js";
import type { JobPlatform, JobReporter, ReportEvent } from "../../../src/ports/job-platform.js";
import { recordingReporter as recordCalls } from "../../../src/ports/job-platform.js";
import type { ChangeSource } from "../../../src/ports/change.js";

export type RecordedCall = (ReportEvent | { type: "abandon"; reason: string } | { type: "closeStale" }) & {
  job: number;
};

export interface RecordingPlatform extends JobPlatform {
  readonly calls: RecordedCall[];
  /** Make the next `n` reporter calls of `type` throw, as a platform that is down would. */
  failNext(type: RecordedCall["type"], n?: number): void;
}

/**
 * A JobPlatform whose change source serves `changes` from memory (`files` as the head tree,
 * `base` as the base branch) and whose reporter records every call, per job.
 */
export function recordingPlatform(
  name: string,
  repo: {
    changes: ChangedPath[];
    head: () => Promise<Readable>;
    base?: Record<string, string>;
    /** The head tree's paths; by default the changed paths that still exist. */
    files?: string[];
  },
): RecordingPlatform {
  const calls: RecordedCall[] = [];
  const failures = new Map<string, number>();
  const record = async (job: Job, event: RecordedCall) => {
    const left = failures.get(event.type) ?? 0;
    if (left > 0) {
      failures.set(event.type, left - 1);
      throw new Error(`platform down (scripted) during ${event.type}`);
    }
    calls.push({ ...event, job: job.id });
  };
  return {
    name,
    calls,
    failNext(type, n = 1) {
      failures.set(type, (failures.get(type) ?? 0) + n);
    },
    async open(job) {
      const source: ChangeSource = {
        revision: { commit: job.headSha },
        changedFiles: async () => repo.changes,
        headFiles: async () =>
          repo.files ?? repo.changes.filter((c) => c.status !== "removed").map((c) => c.path),
        readBaseFile: async (path) => repo.base?.[path],
        downloadHead: () => repo.head(),
      };
      const base = recordCalls((event) => record(job, { ...event, job: job.id }));
      const reporter: JobReporter = {
        ...base,
        abandon: (reason) => record(job, { type: "abandon", reason, job: job.id }),
        closeStale: () => record(job, { type: "closeStale", job: job.id }),
      };
      return { source, reporter };
    },
  };
}
