/** In-memory projects, commits, merge requests, statuses and notes for the fake GitLab. */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

export type Files = Record<string, string | Buffer>;

export interface CommitModel {
  sha: string;
  parents: string[];
  files: Map<string, Buffer>;
  message: string;
}

export interface ProjectModel {
  id: number;
  /** Project path, e.g. "hub"; the archive's top folder starts with it. */
  path: string;
  namespace: string;
  webUrl: string;
  defaultBranch: string;
  commits: Map<string, CommitModel>;
  branches: Map<string, string>;
}

export interface DiffModel {
  old_path: string;
  new_path: string;
  a_mode: string;
  b_mode: string;
  new_file: boolean;
  renamed_file: boolean;
  deleted_file: boolean;
  generated_file: boolean;
  diff: string;
}

export interface MergeRequestModel {
  id: number;
  iid: number;
  targetProjectId: number;
  sourceProjectId: number;
  sourceBranch: string;
  targetBranch: string;
  headSha: string;
  baseSha: string;
  /** Explicit diffs; computed from base and head when absent. */
  diffs?: DiffModel[];
  state: "opened" | "merged" | "closed";
  mergeCommitSha?: string;
  authorId: number;
}

export type StatusState = "created" | "pending" | "running" | "success" | "failed" | "canceled" | "skipped";

export interface StatusModel {
  id: number;
  projectId: number;
  sha: string;
  ref: string;
  name: string;
  status: StatusState;
  description: string | null;
  target_url: string | null;
  created_at: string;
  /** Every state it went through, oldest first. */
  history: StatusState[];
}

export interface NoteModel {
  id: number;
  projectId: number;
  iid: number;
  body: string;
  authorId: number;
  system: boolean;
  created_at: string;
  updated_at: string;
}

export interface UserModel {
  id: number;
  username: string;
  name: string;
}

export function fakeSha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

export function toFileMap(files: Files): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (const [path, content] of Object.entries(files)) {
    const clean = path.replace(/^\/+/, "");
    if (!clean || clean.split("/").some((s) => s === "" || s === "." || s === "..")) {
      throw new Error(`fake GitLab: invalid file path ${JSON.stringify(path)}`);
    }
    map.set(clean, typeof content === "string" ? Buffer.from(content, "utf8") : content);
  }
  return map;
}

/** GitLab's MR diffs between two trees: additions, deletions and modifications (renames only when given). */
export function computeDiffs(base: Map<string, Buffer>, head: Map<string, Buffer>): DiffModel[] {
  const paths = [...new Set([...base.keys(), ...head.keys()])].sort();
  const diffs: DiffModel[] = [];
  for (const path of paths) {
    const before = base.get(path);
    const after = head.get(path);
    if (before && after && before.equals(after)) continue;
    diffs.push({
      old_path: path,
      new_path: path,
      a_mode: before ? "100644" : "0",
      b_mode: after ? "100644" : "0",
      new_file: !before,
      renamed_file: false,
      deleted_file: !after,
      generated_file: false,
      diff: `@@ -1 +1 @@\n-${before ? "old" : ""}\n+${after ? "new" : ""}\n`,
    });
  }
  return diffs;
}

/**
 * A .tar.gz like GitLab's repository archive: one top folder `<project>-<ref>-<sha>/`
 * (with `sha=` as the ref, `<project>-<sha>-<sha>/`), directory entries, then files.
 */
export async function buildArchive(project: ProjectModel, commit: CommitModel, ref: string): Promise<Buffer> {
  const top = `${project.path}-${ref.replace(/\//g, "-")}-${commit.sha}`;
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const dirs = new Set<string>();
  for (const path of commit.files.keys()) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const mtime = new Date("2024-01-01T00:00:00Z");
  pack.entry({ name: `${top}/`, type: "directory", mode: 0o755, mtime });
  for (const dir of [...dirs].sort())
    pack.entry({ name: `${top}/${dir}/`, type: "directory", mode: 0o755, mtime });
  for (const [path, content] of [...commit.files].sort(([a], [b]) => a.localeCompare(b))) {
    pack.entry({ name: `${top}/${path}`, type: "file", mode: 0o644, mtime, size: content.length }, content);
  }
  pack.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}
