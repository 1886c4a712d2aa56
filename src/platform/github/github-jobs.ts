/**
 * The GitHub adapter's job side: turn a stored job back into a change source and a check-run
 * reporter. The installation client is made from the installation id in the job, so a job
 * runs the same after a restart as right after its webhook.
 */
import type { Probot } from "probot";
import type { Job } from "../../ports/job-queue.js";
import type { JobContext, JobPlatform, OpenedJob } from "../../ports/job-platform.js";
import { CheckRunReporter } from "./check-run-reporter.js";
import type { Octokit } from "./octokit.js";
import { GitHubChangeSource, type PullRequestRef } from "./pull-request-source.js";

/** What a GitHub job carries: ids and refs from the webhook payload, nothing secret. */
export interface GitHubTarget {
  installationId: number;
  owner: string;
  repo: string;
  /** The pull request checked (absent for a publish). */
  number?: number;
  /** A publish: the merged PR's number, or null for a plain push. */
  publishOf?: number | null;
  /** Absent for a re-run: read from the pull request when the job runs. */
  baseRef?: string;
  baseSha?: string;
  headSha: string;
  changedFiles?: number;
  htmlUrl?: string;
  /** Owner of the merged PR's head repository (hub config `organizations[].owners`). */
  sourceOwner?: string;
  /** A publish: the branch merged into, for revision metadata (catalogue, labels). */
  branch?: string;
}

interface PullData {
  number: number;
  changed_files?: number;
  base: { ref: string; sha: string; repo: { html_url: string } };
  head: { sha: string };
}

/**
 * What a job's check runs carry, and how the job finds them again: a check of a pull request
 * `{"pr":7}` (every check of that commit ensures the same runs), a re-run on request
 * `{"pr":7,"job":42}` (fresh runs, as GitHub shows re-runs), a publish `{"publish":7}`.
 * The PR number also lets a re-run of a fork's run find its pull request.
 */
export function externalIdFor(job: Job): string {
  const t = job.target as unknown as GitHubTarget;
  if (job.kind === "publish") return JSON.stringify({ publish: t.publishOf ?? null });
  if (job.kind === "retry") return JSON.stringify({ pr: t.number ?? null, job: job.id });
  return JSON.stringify({ pr: t.number ?? null });
}

export function parseExternalId(id: string | null | undefined): number | undefined {
  if (!id) return undefined;
  try {
    const parsed = JSON.parse(id) as { pr?: unknown };
    return typeof parsed.pr === "number" ? parsed.pr : undefined;
  } catch {
    return undefined;
  }
}

export function createGitHubJobs(app: Probot, options: { builds: boolean }): JobPlatform {
  return {
    name: "github",
    async queued(job: Job, context: JobContext): Promise<void> {
      const t = job.target as unknown as GitHubTarget;
      if (t.htmlUrl === undefined) return; // a re-run: its pull request is read when it runs
      const octokit = (await app.auth(t.installationId)) as unknown as Octokit;
      await new CheckRunReporter({
        octokit,
        repo: { owner: t.owner, repo: t.repo },
        headSha: t.headSha,
        externalId: externalIdFor(job),
        htmlUrl: t.htmlUrl,
        logger: context.logger,
        builds: options.builds,
      }).queued();
    },
    async open(job: Job, context: JobContext): Promise<OpenedJob> {
      const t = job.target as unknown as GitHubTarget;
      const octokit = (await app.auth(t.installationId)) as unknown as Octokit;
      let ref: PullRequestRef;
      if (t.baseRef !== undefined && t.baseSha !== undefined && t.htmlUrl !== undefined) {
        ref = {
          owner: t.owner,
          repo: t.repo,
          ...(t.number !== undefined ? { number: t.number } : {}),
          baseRef: t.baseRef,
          baseSha: t.baseSha,
          headSha: t.headSha,
          ...(t.changedFiles !== undefined ? { changedFiles: t.changedFiles } : {}),
          htmlUrl: t.htmlUrl,
          ...(t.sourceOwner !== undefined ? { sourceOwner: t.sourceOwner } : {}),
          ...(t.branch !== undefined ? { branch: t.branch } : {}),
        };
      } else {
        // A re-run checks the pull request as it is now.
        const { data } = await octokit.rest.pulls.get({
          owner: t.owner,
          repo: t.repo,
          pull_number: t.number!,
        });
        const pull = data as unknown as PullData;
        ref = {
          owner: t.owner,
          repo: t.repo,
          number: pull.number,
          baseRef: pull.base.ref,
          baseSha: pull.base.sha,
          headSha: pull.head.sha,
          changedFiles: pull.changed_files,
          htmlUrl: pull.base.repo.html_url,
        };
      }
      return {
        source: new GitHubChangeSource(octokit, ref),
        reporter: new CheckRunReporter({
          octokit,
          repo: ref,
          headSha: ref.headSha,
          externalId: externalIdFor(job),
          htmlUrl: ref.htmlUrl,
          logger: context.logger,
          // Publishing always builds; a check builds when the server does.
          builds: job.kind === "publish" || options.builds,
        }),
      };
    },
  };
}
