/** In-memory git content for the fake GitHub: commit trees with real git blob/tree SHAs, and tarballs. */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

/** A file's content, a symlink, or content with an explicit git mode (e.g. "100755" for executables). */
export type FileSpec =
  string | Buffer | { symlink: string } | { content: string | Buffer; mode?: "100644" | "100755" };

export interface BlobEntry {
  path: string;
  mode: "100644" | "100755" | "120000";
  type: "blob";
  sha: string;
  content: Buffer; // the link target for symlinks
}

export interface TreeEntry {
  path: string; // "" for the root tree
  mode: "040000";
  type: "tree";
  sha: string;
}

export interface CommitModel {
  sha: string;
  blobs: Map<string, BlobEntry>; // by path
  trees: Map<string, TreeEntry>; // by path ("" = root)
  date: Date;
}

function gitHash(kind: "blob" | "tree", body: Buffer): string {
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${kind} ${body.length}\0`), body]))
    .digest("hex");
}

export function normalisePath(p: string): string {
  const clean = p.replace(/^\/+/, "").replace(/\/+$/, "");
  if (!clean || clean.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw new Error(`fake GitHub: invalid file path ${JSON.stringify(p)}`);
  }
  return clean;
}

export function buildCommit(sha: string, files: Record<string, FileSpec>, date = new Date()): CommitModel {
  const blobs = new Map<string, BlobEntry>();
  for (const [rawPath, spec] of Object.entries(files)) {
    const path = normalisePath(rawPath);
    let content: Buffer;
    let mode: BlobEntry["mode"] = "100644";
    if (typeof spec === "string") content = Buffer.from(spec, "utf8");
    else if (Buffer.isBuffer(spec)) content = spec;
    else if ("symlink" in spec) {
      content = Buffer.from(spec.symlink, "utf8");
      mode = "120000";
    } else {
      content = typeof spec.content === "string" ? Buffer.from(spec.content, "utf8") : spec.content;
      mode = spec.mode ?? "100644";
    }
    blobs.set(path, { path, mode, type: "blob", sha: gitHash("blob", content), content });
  }
  // Directories: every prefix of every file path.
  const children = new Map<string, Set<string>>([["", new Set()]]);
  for (const path of blobs.keys()) {
    const parts = path.split("/");
    for (let i = 0; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      const self = parts.slice(0, i + 1).join("/");
      if (!children.has(parent)) children.set(parent, new Set());
      children.get(parent)?.add(self);
      if (i < parts.length - 1 && !children.has(self)) children.set(self, new Set());
    }
    if (children.has(path)) throw new Error(`fake GitHub: ${path} is both a file and a directory`);
  }
  const trees = new Map<string, TreeEntry>();
  const treeSha = (dir: string): string => {
    const done = trees.get(dir);
    if (done) return done.sha;
    const entries = [...(children.get(dir) ?? [])].map((child) => {
      const name = child.slice(dir ? dir.length + 1 : 0);
      const blob = blobs.get(child);
      return blob
        ? { name, sortKey: name, mode: blob.mode, sha: blob.sha }
        : { name, sortKey: `${name}/`, mode: "40000", sha: treeSha(child) };
    });
    // git orders tree entries bytewise, directories as if their name ended in "/".
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
    const body = Buffer.concat(
      entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")]),
    );
    const sha = gitHash("tree", body);
    trees.set(dir, { path: dir, mode: "040000", type: "tree", sha });
    return sha;
  };
  treeSha("");
  return { sha, blobs, trees, date };
}

/** Immediate children (paths) of a directory ("" = root), sorted by name. */
export function listDirectory(commit: CommitModel, dir: string): Array<BlobEntry | TreeEntry> {
  const prefix = dir ? `${dir}/` : "";
  const out: Array<BlobEntry | TreeEntry> = [];
  for (const entry of [...commit.blobs.values(), ...commit.trees.values()]) {
    if (!entry.path || !entry.path.startsWith(prefix)) continue;
    if (entry.path.slice(prefix.length).includes("/")) continue;
    out.push(entry);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The pax global extended header `git archive` (and so GitHub's tarballs) starts with: a ustar header
 * of type "g" named pax_global_header whose record `comment=<commit sha>` says which commit this is.
 * tar-stream can read such a header but cannot write one, so it is encoded here.
 */
function paxGlobalHeader(sha: string, mtime: Date): Buffer {
  const record = (n: number) => `${n} comment=${sha}\n`;
  let len = record(0).length;
  while (record(len).length !== len) len = record(len).length;
  const body = Buffer.from(record(len));
  const header = Buffer.alloc(512);
  const put = (offset: number, size: number, value: string) => header.write(value, offset, size, "ascii");
  const octal = (offset: number, size: number, n: number) =>
    put(offset, size, `${n.toString(8).padStart(size - 1, "0")}\0`);
  put(0, 100, "pax_global_header");
  octal(100, 8, 0o666);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, body.length);
  octal(136, 12, Math.floor(mtime.getTime() / 1000));
  put(148, 8, "        "); // checksum is computed with this field as spaces
  put(156, 1, "g");
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(265, 32, "root");
  put(297, 32, "root");
  let sum = 0;
  for (const byte of header) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, padding]);
}

/**
 * A gzip'd tar like GitHub's archive endpoints (`git archive`): a pax global header carrying the commit
 * SHA as `comment`, then everything under one top-level folder `<owner>-<repo>-<sha7>/`.
 */
export async function buildTarball(owner: string, repo: string, commit: CommitModel): Promise<Buffer> {
  const root = `${owner}-${repo}-${commit.sha.slice(0, 7)}`;
  const pack = tar.pack();
  const chunks: Buffer[] = [paxGlobalHeader(commit.sha, commit.date)];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c: unknown) => chunks.push(c as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  const mtime = commit.date;
  const add = (header: Parameters<typeof pack.entry>[0], body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) pack.entry(header, body, cb);
      else pack.entry(header, cb);
    });
  const dirs = [...commit.trees.keys()].sort();
  for (const dir of dirs) {
    await add({ name: dir ? `${root}/${dir}/` : `${root}/`, type: "directory", mode: 0o775, mtime });
  }
  const files = [...commit.blobs.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const blob of files) {
    const name = `${root}/${blob.path}`;
    if (blob.mode === "120000") {
      await add({ name, type: "symlink", linkname: blob.content.toString("utf8"), mode: 0o777, mtime });
    } else {
      await add({ name, type: "file", mode: blob.mode === "100755" ? 0o775 : 0o664, mtime }, blob.content);
    }
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}
