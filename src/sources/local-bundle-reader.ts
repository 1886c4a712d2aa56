import { lstat, opendir, readlink, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import type { BundleEntry, BundleListing, FileProblem } from "../core/bundle-files.js";
import { symlinkEscapes } from "../core/bundle-files.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { decodeYamlBytes } from "../core/text-decoding.js";
import { readBounded } from "./bounded-read.js";

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
 * link leaving the bundle is found however deep it hides.
 */
export async function readBundleListing(bundleDir: string): Promise<BundleListing> {
  const entries: BundleEntry[] = [];
  const unreadable: string[] = [];
  let seen = 0;
  let truncated = false;
  let queue: string[] = [""];
  while (queue.length > 0 && seen < HARD_MAX_ENTRIES) {
    const next: string[] = [];
    for (const dir of queue) {
      let names: Array<{ name: string; kind: BundleEntry["type"] }>;
      try {
        names = [];
        for await (const child of await opendir(join(bundleDir, dir))) {
          names.push({
            name: child.name,
            kind: child.isSymbolicLink()
              ? "symlink"
              : child.isDirectory()
                ? "dir"
                : child.isFile()
                  ? "file"
                  : "other",
          });
          if (names.length + seen > HARD_MAX_ENTRIES) break;
        }
      } catch {
        unreadable.push(dir);
        continue;
      }
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const { name, kind } of names) {
        if (++seen > HARD_MAX_ENTRIES) break;
        const path = dir ? `${dir}/${name}` : name;
        const keep = seen <= MAX_ENTRIES;
        if (!keep) truncated = true;
        const abs = join(bundleDir, path);
        if (kind === "symlink") {
          entries.push({ path, type: "symlink", linkTarget: await readlink(abs).catch(() => undefined) });
        } else if (kind === "dir") {
          if (keep) entries.push({ path, type: "dir" });
          next.push(path);
        } else if (keep) {
          entries.push(
            kind === "file"
              ? { path, type: "file", size: (await lstat(abs).catch(() => undefined))?.size }
              : { path, type: kind },
          );
        }
      }
    }
    queue = next;
  }
  if (seen >= HARD_MAX_ENTRIES) truncated = true;
  return { entries, truncated, unreadable };
}

/** The entries alone (callers that only need the listing). */
export async function listBundleEntries(bundleDir: string): Promise<BundleEntry[]> {
  return (await readBundleListing(bundleDir)).entries;
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
export async function readBundleFile(
  bundleDir: string,
  entries: readonly BundleEntry[],
  name: string,
  cap: number,
): Promise<BundleFileRead> {
  const entry = entries.find((e) => e.path === name);
  if (!entry) return {};
  if (entry.type === "symlink") {
    // An escaping link is reported by the file checks and never read.
    if (entry.linkTarget !== undefined && symlinkEscapes(entry.path, entry.linkTarget)) return {};
    const real = await realpath(join(bundleDir, name)).catch(() => undefined);
    const realBundle = await realpath(bundleDir).catch(() => undefined);
    if (real && realBundle && !real.startsWith(realBundle + sep))
      return { problem: { file: name, kind: "not-a-file", detail: "a symlink leading outside the bundle" } };
  }
  const read = await readBounded(join(bundleDir, name), cap);
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

/** manifest.yml's text (undefined when absent or not readable; see readBundleFile). */
export async function readManifestText(
  bundleDir: string,
  entries: readonly BundleEntry[],
): Promise<string | undefined> {
  return (await readBundleFile(bundleDir, entries, "manifest.yml", MAX_MANIFEST_BYTES)).text;
}
