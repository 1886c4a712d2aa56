import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import type { ChangedPath } from "../core/changed-bundles.js";
import type { BoundedRead } from "../sources/bounded-read.js";

const run = promisify(execFile);
const MAX_BUFFER = 256 * 1024 * 1024;

export class GitError extends Error {
  override readonly name = "GitError";
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd, maxBuffer: MAX_BUFFER, encoding: "utf8" });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new GitError(`git ${args.join(" ")}: ${stderr || (error as Error).message}`);
  }
}

/**
 * The repository's top level, or undefined outside a git work tree. Found by looking for
 * `.git` upwards rather than spawning git: this is on every CLI run's start-up path.
 */
export function gitTopLevel(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function resolveRef(cwd: string, ref: string): Promise<string> {
  return (await git(cwd, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])).trim();
}

const STATUS: Record<string, ChangedPath["status"]> = {
  A: "added",
  M: "modified",
  D: "removed",
  T: "modified",
  C: "added",
};

/** `git diff --name-status -z -M` output as changed paths, renames with their previous path. */
export function parseNameStatus(output: string): ChangedPath[] {
  const fields = output.split("\0");
  const changes: ChangedPath[] = [];
  for (let i = 0; i < fields.length - 1;) {
    const code = fields[i++]!;
    if (code.startsWith("R")) {
      const previousPath = fields[i++]!;
      changes.push({ path: fields[i++]!, status: "renamed", previousPath });
    } else {
      changes.push({ path: fields[i++]!, status: STATUS[code[0]!] ?? "modified" });
    }
  }
  return changes;
}

/**
 * Paths changed since `ref` in the work tree (committed, staged and unstaged) plus untracked
 * files, relative to the top level. NUL-separated output so odd names survive.
 */
export async function changedSince(topLevel: string, ref: string): Promise<ChangedPath[]> {
  const base = await resolveRef(topLevel, ref);
  const diff = await git(topLevel, ["diff", "--name-status", "-z", "-M", "--no-ext-diff", base, "--"]);
  const changes = parseNameStatus(diff);
  const untracked = await git(topLevel, ["ls-files", "-z", "--others", "--exclude-standard"]);
  for (const path of untracked.split("\0").filter(Boolean)) changes.push({ path, status: "added" });
  return changes;
}

/** A file's text at `ref`, or undefined when it does not exist there (or is not a small regular file). */
export async function showFile(
  topLevel: string,
  ref: string,
  path: string,
  cap = 1024 * 1024,
): Promise<string | undefined> {
  const read = await readGitFile(topLevel, ref, path, cap);
  return read.kind === "bytes" && !read.tooLarge ? read.bytes.toString("utf8") : undefined;
}

/**
 * A file at `ref` as bytes, bounded like a file on disk: a folder, symlink or submodule
 * there is `not-a-file` (a link is never followed), and at most `cap + 1` bytes are read.
 */
export async function readGitFile(
  topLevel: string,
  ref: string,
  path: string,
  cap: number,
): Promise<BoundedRead> {
  const commit = await resolveRef(topLevel, ref);
  const listing = await git(topLevel, ["ls-tree", "-z", "--full-tree", commit, "--", path]);
  const [meta] = listing.split("\0");
  if (!meta) return { kind: "missing" };
  const [mode, type, object] = meta.split("\t")[0]!.split(" ");
  if (type !== "blob" || !object)
    return { kind: "not-a-file", what: type === "tree" ? "a folder" : "a submodule" };
  if (mode === "120000") return { kind: "not-a-file", what: "a symlink (never followed in a git revision)" };
  try {
    const { stdout } = await run("git", ["cat-file", "blob", object], {
      cwd: topLevel,
      maxBuffer: cap + 1,
      encoding: "buffer",
    });
    return { kind: "bytes", bytes: stdout, tooLarge: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER")
      return { kind: "bytes", bytes: Buffer.alloc(0), tooLarge: true };
    throw new GitError(`git cat-file blob ${object}: ${(error as Error).message}`);
  }
}
