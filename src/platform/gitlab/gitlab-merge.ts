/**
 * What the GitLab adapter hands to whoever publishes merged bundles. Only neutral types
 * (numbers, strings, ChangeSource, ChangedPath) cross this boundary (DESIGN rule 3).
 */
import type { ChangedPath } from "../../core/changed-bundles.js";
import type { ChangeReporter, ChangeSource } from "../../pipeline/change-request.js";
import type { Logger } from "../../pipeline/logger.js";
import { createGitLabChangeSource } from "./gitlab-change-source.js";
import { gitlabFailure, type GitLabClient } from "./gitlab-client.js";
import type { MergeRequestHook, PushHook } from "./gitlab-events.js";
import { GitLabReporter } from "./gitlab-reporter.js";

/** Status name prefix of publishing, beside the check's `hubgate: <bundle>`. */
export const PUBLISH_STATUS_PREFIX = "hubgate publish";

export interface MergedChange {
  platform: "gitlab";
  /** The project merged into (the hub). */
  projectId: number;
  projectUrl: string;
  iid: number;
  /** The commit now on the target branch: the merge commit, the squash commit, or the fast-forwarded head. */
  sha: string;
  /** The target branch just before the merge: base files and versions are compared with it. */
  baseSha: string;
  targetBranch: string;
  source: { projectId: number; branch: string; sha: string; webUrl: string };
  /** The MR's changed files, base files at `baseSha`, and the tree of `sha` from the hub project. */
  changes: ChangeSource;
  /**
   * Commit statuses `hubgate publish: <bundle>` on `sha` in the hub project; no MR note, which
   * keeps the check's report. The same contract as a check run's reporter.
   */
  reporter: ChangeReporter;
}

export interface PushedChange {
  platform: "gitlab";
  projectId: number;
  projectUrl: string;
  branch: string;
  before: string;
  after: string;
  /** From the payload's commits; absent when GitLab truncated the list (more than 20 commits). */
  changedPaths?: ChangedPath[];
}

/**
 * Work out which commit a merge produced and what the target branch was before it. The hook
 * does not say: a merge or squash commit's first parent is the old target head; a
 * fast-forward leaves no new commit, and the MR's diff base is the old target head.
 */
export async function resolveMergedChange(
  api: GitLabClient,
  hook: MergeRequestHook,
  context: { signal: AbortSignal; logger: Logger },
): Promise<MergedChange> {
  const a = hook.object_attributes;
  const target = a.target_project_id;
  const created = a.merge_commit_sha || a.squash_commit_sha || undefined;
  const sha = created ?? a.last_commit.id;
  let baseSha: string | undefined;
  try {
    if (created) {
      const commit = await api.Commits.show(target, created);
      baseSha = (commit.parent_ids as string[] | undefined)?.[0];
    } else {
      const mr = await api.MergeRequests.show(target, a.iid);
      baseSha = (mr.diff_refs as { base_sha?: string } | undefined)?.base_sha;
    }
  } catch (error) {
    throw gitlabFailure(`finding the pre-merge commit of !${a.iid}`, error);
  }
  if (!baseSha)
    throw gitlabFailure(`finding the pre-merge commit of !${a.iid}`, new Error("GitLab returned no parent"));
  const projectUrl = a.target.web_url;
  return {
    platform: "gitlab",
    projectId: target,
    projectUrl,
    iid: a.iid,
    sha,
    baseSha,
    targetBranch: a.target_branch,
    source: {
      projectId: a.source_project_id,
      branch: a.source_branch,
      sha: a.last_commit.id,
      webUrl: a.source.web_url,
    },
    changes: createGitLabChangeSource(api, {
      targetProjectId: target,
      iid: a.iid,
      baseRef: baseSha,
      treeBase: baseSha,
      headProjectId: target,
      headSha: sha,
      revision: { sourceUrl: projectUrl, commit: sha, branch: a.target_branch },
      owner: namespaceOf(a.source.web_url),
    }),
    reporter: new GitLabReporter(api, {
      targetProjectId: target,
      iid: a.iid,
      statusProjectId: target,
      sha,
      ref: a.target_branch,
      headWebUrl: projectUrl,
      mrUrl: a.url,
      statusPrefix: PUBLISH_STATUS_PREFIX,
      signal: context.signal,
      logger: context.logger,
      builds: true,
    }),
  };
}

export function pushedChange(hook: PushHook): PushedChange {
  const complete = hook.commits !== undefined && (hook.total_commits_count ?? 0) <= hook.commits.length;
  const paths = new Map<string, ChangedPath>();
  if (complete) {
    // Oldest first, so a later commit's verdict on a path wins.
    for (const c of hook.commits ?? []) {
      for (const path of c.added ?? []) paths.set(path, { path, status: "added" });
      for (const path of c.modified ?? []) paths.set(path, { path, status: "modified" });
      for (const path of c.removed ?? []) paths.set(path, { path, status: "removed" });
    }
  }
  return {
    platform: "gitlab",
    projectId: hook.project.id,
    projectUrl: hook.project.web_url,
    branch: hook.ref.replace(/^refs\/heads\//, ""),
    before: hook.before,
    after: hook.after,
    ...(complete ? { changedPaths: [...paths.values()] } : {}),
  };
}

/** `https://gitlab.example.com/group/sub/project` → `group/sub`: who owns the MR's source project. */
function namespaceOf(webUrl: string): string | undefined {
  try {
    const parts = new URL(webUrl).pathname.split("/").filter(Boolean);
    return parts.length > 1 ? parts.slice(0, -1).join("/") : undefined;
  } catch {
    return undefined;
  }
}
