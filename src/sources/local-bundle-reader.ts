import { readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import type { BundleEntry, BundleListing, FileProblem } from "../core/bundle-files.js";
import { symlinkEscapes } from "../core/bundle-files.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { decodeYamlBytes } from "../core/text-decoding.js";
import { readBoundedSync } from "./bounded-read.js";

/** Bundles are small; past this many entries the walk keeps only symlinks (still checked). */
export const MAX_ENTRIES = 20_000;
/** Past this the walk stops altogether: a bundle this large fails anyway (too many files). */
const HARD_MAX_ENTRIES = 200_000;
/** A Dockerfile is a few kilobytes. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

/**
 * List a bundle folder without following any symlink, breadth first (so the top level,
 * where the required files are, is always complete). Folders that cannot be read are
 * listed as unreadable, never taken as empty; past MAX_ENTRIES only symlinks are kept, so a
 * link leaving the bundle is found however deep it hides. Synchronous: a bundle is a few
 * small folders, and the static check of 50,000 of them is dominated by per-call overhead
 * otherwise. Only the folder entries are read (no stat of any file: the checks need names
 * and types, never sizes).
 */
export function readBundleListing(bundleDir: string, depth = Infinity): BundleListing {
  const entries: BundleEntry[] = [];
  const unreadable: string[] = [];
  let seen = 0;
  let truncated = false;
  let queue: string[] = [""];
  for (let level = 0; queue.length > 0 && seen < HARD_MAX_ENTRIES && level < depth; level++) {
    const next: string[] = [];
    for (const dir of queue) {
      const names = listFolder(join(bundleDir, dir), HARD_MAX_ENTRIES - seen);
      if (!names) {
        unreadable.push(dir);
        continue;
      }
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const { name, kind } of names) {
        if (++seen > HARD_MAX_ENTRIES) break;
        const path = dir ? `${dir}/${name}` : name;
        const keep = seen <= MAX_ENTRIES;
        if (!keep) truncated = true;
        if (kind === "symlink") {
          entries.push({ path, type: "symlink", linkTarget: readLink(join(bundleDir, path)) });
        } else if (kind === "dir") {
          if (keep) entries.push({ path, type: "dir" });
          next.push(path);
        } else if (keep) {
          entries.push({ path, type: kind });
        }
      }
    }
    queue = next;
  }
  if (seen >= HARD_MAX_ENTRIES) truncated = true;
  return { entries, truncated, unreadable };
}

/** A folder's entries and their types, at most `limit` + 1 (undefined: it cannot be read). */
function listFolder(
  dir: string,
  limit: number,
): Array<{ name: string; kind: BundleEntry["type"] }> | undefined {
  let children;
  try {
    // readdirSync, not opendirSync: a third of the cost per folder, and bundle folders are small.
    children = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  if (children.length > limit + 1) children.length = limit + 1;
  return children.map((child) => ({
    name: child.name,
    kind: child.isSymbolicLink()
      ? "symlink"
      : child.isDirectory()
        ? "dir"
        : child.isFile()
          ? "file"
          : "other",
  }));
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** The entries alone (callers that only need the listing). */
export function listBundleEntries(bundleDir: string): BundleEntry[] {
  return readBundleListing(bundleDir).entries;
}

export interface BundleFileRead {
  text?: string;
  problem?: FileProblem;
}

/**
 * A top-level file of the bundle (manifest.yml, Dockerfile), read safely: a symlink is
 * followed only when it stays inside the bundle, at most `cap + 1` bytes are read, and a
 * FIFO, device, folder, dangling or looping link, unreadable file or bad encoding is a problem.
 */
export function readBundleFile(
  bundleDir: string,
  entries: readonly BundleEntry[],
  name: string,
  cap: number,
): BundleFileRead {
  const entry = entries.find((e) => e.path === name);
  if (!entry) return {};
  if (entry.type === "symlink") {
    // An escaping link is reported by the file checks and never read.
    if (entry.linkTarget !== undefined && symlinkEscapes(entry.path, entry.linkTarget)) return {};
    const real = realPath(join(bundleDir, name));
    const realBundle = realPath(bundleDir);
    if (real && realBundle && !real.startsWith(realBundle + sep))
      return { problem: { file: name, kind: "not-a-file", detail: "a symlink leading outside the bundle" } };
  }
  const read = readBoundedSync(join(bundleDir, name), cap, entry.type === "file");
  switch (read.kind) {
    case "missing":
      return {};
    case "not-a-file":
      return { problem: { file: name, kind: "not-a-file", detail: read.what } };
    case "unreadable":
      return { problem: { file: name, kind: "unreadable", detail: read.message } };
    case "bytes": {
      if (read.tooLarge)
        return { problem: { file: name, kind: "too-large", detail: `more than ${cap} bytes` } };
      const decoded = decodeYamlBytes(read.bytes);
      if (!decoded.ok) return { problem: { file: name, kind: "encoding", detail: decoded.message } };
      return { text: decoded.text };
    }
  }
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
  }
}

/** manifest.yml's text (undefined when absent or not readable; see readBundleFile). */
export function readManifestText(bundleDir: string, entries: readonly BundleEntry[]): string | undefined {
  return readBundleFile(bundleDir, entries, "manifest.yml", MAX_MANIFEST_BYTES).text;
}
