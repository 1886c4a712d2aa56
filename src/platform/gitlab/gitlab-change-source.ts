import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ChangedPath } from "../../core/changed-bundles.js";
import type { ChangeSource } from "../../pipeline/change-request.js";
import { diffTrees } from "../shared/diff-trees.js";
import type { RevisionInfo } from "../../pipeline/image-pipeline.js";
import { gitlabFailure, httpStatusOf, type GitLabClient } from "./gitlab-client.js";

export interface GitLabChangeSourceOptions {
  /** The project the merge request belongs to (its diffs and base files live there). */
  targetProjectId: number;
  /** The merge request; absent for a push, whose changes are `changedPaths` or the trees compared. */
  iid?: number;
  /** The changes, when already known (a push hook's complete commit list). */
  changedPaths?: ChangedPath[];
  /** Where base files are read: the target branch for a check, the pre-merge commit for a publish. */
  baseRef: string;
  /** The project holding the head commit: the fork for a fork MR, the target otherwise. */
  headProjectId: number;
  headSha: string;
  revision: RevisionInfo;
  /** Namespace of the source project (hub config `organizations[].owners`). */
  owner?: string;
  /** Diffs per page; GitLab caps it at 100. */
  perPage?: number;
  /**
   * The commit to compare the head's tree with when the MR diff is capped: the pre-merge commit
   * for a publish; by default the MR's own diff base (its merge base with the target branch).
   */
  treeBase?: string;
}

/**
 * GitLab stores at most `diff_max_files` (1,000 by default) files of a merge request diff; a
 * bigger MR lists only those. At that size the trees are compared instead, which is exact.
 */
export const DIFF_FILES_CAP = 1000;

/** The MR diff entry fields we read; GitLab sends more (diff text, modes, too_large…). */
interface DiffEntry {
  old_path: string;
  new_path: string;
  new_file: boolean;
  renamed_file: boolean;
  deleted_file: boolean;
}

/** ChangeSource for a GitLab merge request, over @gitbeaker/rest. */
export function createGitLabChangeSource(
  api: GitLabClient,
  options: GitLabChangeSourceOptions,
): ChangeSource {
  return {
    revision: options.revision,
    owner: options.owner,

    async changedFiles() {
      if (options.changedPaths) return options.changedPaths;
      if (options.iid === undefined) return compareTrees();
      let diffs: DiffEntry[];
      try {
        // gitbeaker follows GitLab's Link rel="next" header, so every page is read.
        diffs = await api.MergeRequests.allDiffs(options.targetProjectId, options.iid, {
          perPage: options.perPage ?? 100,
        });
      } catch (error) {
        throw gitlabFailure(`listing the changes of !${options.iid}`, error);
      }
      if (diffs.length < DIFF_FILES_CAP) return diffs.map(toChangedPath);
      return compareTrees();
    },

    async headFiles() {
      return [...(await blobs(options.headProjectId, options.headSha)).keys()];
    },

    async readBaseFile(path) {
      try {
        const raw = await api.RepositoryFiles.showRaw(options.targetProjectId, path, options.baseRef);
        // GitLab answers text/plain for text (a string) and octet-stream otherwise (a Blob).
        return typeof raw === "string" ? raw : await (raw as Blob).text();
      } catch (error) {
        if (httpStatusOf(error) === 404) return undefined;
        throw gitlabFailure(`reading ${path} at ${options.baseRef}`, error);
      }
    },

    async downloadHead(signal) {
      const request = api.Repositories.showArchive(options.headProjectId, {
        sha: options.headSha,
        fileType: "tar.gz",
        asStream: true,
      });
      // gitbeaker takes no AbortSignal, so a superseded run stops waiting here instead of
      // sitting on a slow archive; a late stream is cancelled as soon as it shows up.
      const stream = await raceAbort(request, signal, (late) => void late.cancel().catch(() => {}));
      const readable = Readable.fromWeb(stream as unknown as WebReadableStream<Uint8Array>);
      const stop = () => readable.destroy(abortError());
      signal.addEventListener("abort", stop, { once: true });
      readable.once("close", () => signal.removeEventListener("abort", stop));
      return readable;
    },
  };

  async function compareTrees(): Promise<ChangedPath[]> {
    let base = options.treeBase;
    if (!base) {
      if (options.iid === undefined) throw gitlabFailure("comparing trees", new Error("no base commit"));
      try {
        const mr = await api.MergeRequests.show(options.targetProjectId, options.iid);
        base = (mr.diff_refs as { base_sha?: string } | undefined)?.base_sha ?? undefined;
      } catch (error) {
        throw gitlabFailure(`reading the diff base of !${options.iid}`, error);
      }
      if (!base)
        throw gitlabFailure(`reading the diff base of !${options.iid}`, new Error("no diff_refs.base_sha"));
    }
    const [before, after] = await Promise.all([
      blobs(options.targetProjectId, base),
      blobs(options.headProjectId, options.headSha),
    ]);
    return diffTrees(before, after);
  }

  /** path → blob id of every file in the tree of `ref`, read page by page (keyset, as GitLab advises for trees). */
  async function blobs(projectId: number, ref: string): Promise<Map<string, string>> {
    try {
      const entries = await api.Repositories.allRepositoryTrees(projectId, {
        ref,
        recursive: true,
        pagination: "keyset",
        perPage: 100,
      });
      return new Map(entries.filter((e) => e.type === "blob").map((e) => [e.path, `${e.mode}:${e.id}`]));
    } catch (error) {
      throw gitlabFailure(`listing the files of ${ref} in project ${projectId}`, error);
    }
  }

  async function raceAbort<T>(
    request: Promise<T>,
    signal: AbortSignal,
    dispose: (late: T) => void,
  ): Promise<T> {
    if (signal.aborted) {
      void request.then(dispose, () => {});
      throw abortError();
    }
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortError());
      signal.addEventListener("abort", onAbort, { once: true });
    });
    const failed = request.catch((error: unknown) => {
      throw gitlabFailure(`downloading commit ${options.headSha} of project ${options.headProjectId}`, error);
    });
    try {
      return await Promise.race([failed, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) void request.then(dispose, () => {});
    }
  }
}

function toChangedPath(diff: DiffEntry): ChangedPath {
  if (diff.deleted_file) return { path: diff.old_path, status: "removed" };
  if (diff.new_file) return { path: diff.new_path, status: "added" };
  if (diff.renamed_file) return { path: diff.new_path, status: "renamed", previousPath: diff.old_path };
  return { path: diff.new_path, status: "modified" };
}

function abortError(): Error {
  return new DOMException("superseded by a newer commit", "AbortError");
}
