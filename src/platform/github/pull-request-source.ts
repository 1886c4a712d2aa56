import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ChangedPath, ChangeStatus } from "../../core/changed-bundles.js";
import { diffTrees } from "../shared/diff-trees.js";
import { InfrastructureError } from "../../core/infrastructure-error.js";
import type { ChangeSource } from "../../pipeline/change-request.js";
import type { RevisionInfo } from "../../pipeline/image-pipeline.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** pulls.listFiles returns at most 3000 files (FACTS.md); past that, compare the trees. */
export const LIST_FILES_CAP = 3000;

const STATUS: Record<string, ChangeStatus> = {
  added: "added",
  removed: "removed",
  modified: "modified",
  renamed: "renamed",
  copied: "added",
  changed: "modified",
  unchanged: "modified",
};

export interface PullRequestRef extends RepoRef {
  number?: number;
  /** Base branch name: config and base manifests are read from it, never from the head. */
  baseRef: string;
  baseSha: string;
  headSha: string;
  changedFiles?: number;
  htmlUrl: string;
  /** Owner of the pull request's head repository (the fork's owner for a fork PR). */
  sourceOwner?: string;
  /** The branch the commit is on, for revision metadata (the default branch on merge). */
  branch?: string;
}

/** A pull request (or a range of commits, for pushes) seen through the GitHub REST API. */
export class GitHubChangeSource implements ChangeSource {
  readonly revision: RevisionInfo;
  readonly owner?: string;

  constructor(
    private readonly octokit: Octokit,
    private readonly pr: PullRequestRef,
  ) {
    this.revision = {
      sourceUrl: pr.htmlUrl,
      commit: pr.headSha,
      ...(pr.branch ? { branch: pr.branch } : {}),
    };
    this.owner = pr.sourceOwner;
  }

  async changedFiles(signal: AbortSignal): Promise<ChangedPath[]> {
    const { octokit, pr } = this;
    if (pr.number !== undefined && (pr.changedFiles ?? 0) < LIST_FILES_CAP) {
      const files: ChangedPath[] = [];
      for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listFiles, {
        owner: pr.owner,
        repo: pr.repo,
        pull_number: pr.number,
        per_page: 100,
      })) {
        if (signal.aborted) break;
        for (const f of page.data)
          files.push({
            path: f.filename,
            status: STATUS[f.status] ?? "modified",
            ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
          });
      }
      if (files.length < LIST_FILES_CAP) return files;
    }
    return this.compareTrees();
  }

  /** Past GitHub's caps, diff the two commits' full trees by blob sha: complete, however large. */
  private async compareTrees(): Promise<ChangedPath[]> {
    const [base, head] = await Promise.all([this.tree(this.pr.baseSha), this.tree(this.pr.headSha)]);
    return diffTrees(base, head);
  }

  private async tree(sha: string): Promise<Map<string, string>> {
    const { data } = await this.octokit.rest.git.getTree({
      owner: this.pr.owner,
      repo: this.pr.repo,
      tree_sha: sha,
      recursive: "1",
    });
    if (data.truncated)
      throw new InfrastructureError(`the tree of ${sha} is too large for GitHub's tree API`);
    return new Map(
      data.tree.filter((e) => e.type === "blob" && e.path && e.sha).map((e) => [e.path!, e.sha!]),
    );
  }

  /** The head tree in one request (GitHub's recursive tree: fine up to 100,000 entries). */
  async headFiles(): Promise<string[]> {
    return [...(await this.tree(this.pr.headSha)).keys()];
  }

  async readBaseFile(path: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({
        owner: this.pr.owner,
        repo: this.pr.repo,
        path,
        ref: this.pr.baseRef,
      });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
      return Buffer.from(data.content, "base64").toString("utf8");
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  /** The head commit's tarball; by sha from the base repository, so fork PRs work too. */
  async downloadHead(signal?: AbortSignal): Promise<Readable> {
    // Streamed, never buffered: the archive is only as large as the contributor makes it.
    const response = await this.octokit.rest.repos.downloadTarballArchive({
      owner: this.pr.owner,
      repo: this.pr.repo,
      ref: this.pr.headSha,
      request: { parseSuccessResponseBody: false, signal },
    });
    return Readable.fromWeb(response.data as unknown as WebReadableStream<Uint8Array>);
  }
}
