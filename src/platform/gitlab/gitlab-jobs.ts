/**
 * The GitLab adapter's job side: what a GitLab job carries (ids, refs and URLs from the hook)
 * and how it becomes a change source and a reporter again, right after the hook or after a
 * restart. Merges and pushes to the default branch publish, like on GitHub.
 */
import type { ChangedPath } from "../../core/changed-bundles.js";
import type { Job } from "../../ports/job-queue.js";
import type { JobContext, JobPlatform, OpenedJob } from "../../ports/job-platform.js";
import { createGitLabChangeSource } from "./gitlab-change-source.js";
import type { GitLabClient } from "./gitlab-client.js";
import type { MergeRequestHook } from "./gitlab-events.js";
import { PUBLISH_STATUS_PREFIX, resolveMergedChange, type PushedChange } from "./gitlab-merge.js";
import { GitLabNoteStore } from "./gitlab-note-store.js";
import { GitLabReporter } from "./gitlab-reporter.js";

export interface GitLabMrTarget {
  type: "mr";
  targetProjectId: number;
  iid: number;
  sourceProjectId: number;
  sha: string;
  targetBranch: string;
  sourceBranch: string;
  projectWebUrl: string;
  sourceWebUrl: string;
  targetWebUrl: string;
  mrUrl: string;
}

export interface GitLabMergeTarget extends Omit<GitLabMrTarget, "type"> {
  type: "merge";
  projectId: number;
  /** The commit the merge produced (merge, squash, or the fast-forwarded head): the publish key. */
  mergedSha: string;
  mergeCommitSha: string | null;
  squashCommitSha: string | null;
}

export interface GitLabPushTarget {
  type: "push";
  projectId: number;
  projectUrl: string;
  branch: string;
  before: string;
  after: string;
  changedPaths?: ChangedPath[];
}

export type GitLabTarget = GitLabMrTarget | GitLabMergeTarget | GitLabPushTarget;

export function gitlabTargetOfMr(hook: MergeRequestHook): GitLabMrTarget {
  const a = hook.object_attributes;
  return {
    type: "mr",
    targetProjectId: a.target_project_id,
    iid: a.iid,
    sourceProjectId: a.source_project_id,
    sha: a.last_commit.id,
    targetBranch: a.target_branch,
    sourceBranch: a.source_branch,
    projectWebUrl: hook.project.web_url,
    sourceWebUrl: a.source.web_url,
    targetWebUrl: a.target.web_url,
    mrUrl: a.url,
  };
}

export function gitlabTargetOfMerge(hook: MergeRequestHook): GitLabMergeTarget {
  const a = hook.object_attributes;
  const mergeCommitSha = a.merge_commit_sha || null;
  const squashCommitSha = a.squash_commit_sha || null;
  return {
    ...gitlabTargetOfMr(hook),
    type: "merge",
    projectId: a.target_project_id,
    mergeCommitSha,
    squashCommitSha,
    // resolveMergedChange's choice, known without an API call.
    mergedSha: mergeCommitSha ?? squashCommitSha ?? a.last_commit.id,
  };
}

export function gitlabTargetOfPush(push: PushedChange): GitLabPushTarget {
  return {
    type: "push",
    projectId: push.projectId,
    projectUrl: push.projectUrl,
    branch: push.branch,
    before: push.before,
    after: push.after,
    ...(push.changedPaths ? { changedPaths: push.changedPaths } : {}),
  };
}

/** The part of a Merge Request Hook that resolveMergedChange reads, rebuilt from a stored target. */
function hookOf(t: GitLabMergeTarget): MergeRequestHook {
  return {
    object_kind: "merge_request",
    project: { id: t.targetProjectId, web_url: t.projectWebUrl },
    object_attributes: {
      iid: t.iid,
      action: "merge",
      source_project_id: t.sourceProjectId,
      target_project_id: t.targetProjectId,
      source_branch: t.sourceBranch,
      target_branch: t.targetBranch,
      last_commit: { id: t.sha },
      merge_commit_sha: t.mergeCommitSha,
      squash_commit_sha: t.squashCommitSha,
      url: t.mrUrl,
      source: { web_url: t.sourceWebUrl },
      target: { web_url: t.targetWebUrl },
    },
  };
}

export function createGitLabJobs(api: GitLabClient, options: { builds: boolean }): JobPlatform {
  const notes = new GitLabNoteStore(api);
  return {
    name: "gitlab",
    async open(job: Job, context: JobContext): Promise<OpenedJob> {
      const t = job.target as unknown as GitLabTarget;
      const common = { signal: context.signal, logger: context.logger, ownsStatuses: context.ownsOutputs };
      if (t.type === "mr") {
        return {
          source: createGitLabChangeSource(api, {
            targetProjectId: t.targetProjectId,
            iid: t.iid,
            baseRef: t.targetBranch,
            headProjectId: t.sourceProjectId,
            headSha: t.sha,
            revision: { sourceUrl: t.projectWebUrl, commit: t.sha, branch: t.sourceBranch },
          }),
          reporter: new GitLabReporter(api, {
            targetProjectId: t.targetProjectId,
            iid: t.iid,
            statusProjectId: t.sourceProjectId,
            sha: t.sha,
            ref: t.sourceBranch,
            headWebUrl: t.sourceWebUrl,
            mrUrl: t.mrUrl,
            notes,
            builds: options.builds,
            ...common,
          }),
        };
      }
      if (t.type === "merge") {
        const merged = await resolveMergedChange(api, hookOf(t), {
          signal: context.signal,
          logger: context.logger,
        });
        return { source: merged.changes, reporter: merged.reporter as OpenedJob["reporter"] };
      }
      const commitUrl = `${t.projectUrl}/-/commit/${t.after}`;
      return {
        source: createGitLabChangeSource(api, {
          targetProjectId: t.projectId,
          baseRef: t.before,
          treeBase: t.before,
          headProjectId: t.projectId,
          headSha: t.after,
          ...(t.changedPaths ? { changedPaths: t.changedPaths } : {}),
          revision: { sourceUrl: t.projectUrl, commit: t.after, branch: t.branch },
        }),
        reporter: new GitLabReporter(api, {
          targetProjectId: t.projectId,
          iid: 0,
          statusProjectId: t.projectId,
          sha: t.after,
          ref: t.branch,
          headWebUrl: t.projectUrl,
          mrUrl: commitUrl,
          statusPrefix: PUBLISH_STATUS_PREFIX,
          builds: true,
          ...common,
        }),
      };
    },
  };
}
