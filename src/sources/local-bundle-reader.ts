import { closeSync, fstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import type { BundleEntry } from "../core/bundle-files.js";
import { symlinkEscapes } from "../core/bundle-files.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";

/** Bundles are small; a walk that finds more entries than this is cut short (and the
 *  build-context size cap reports the real problem). */
const MAX_ENTRIES = 20_000;

/*
 * Synchronous on purpose: a bundle folder is small and bounded (MAX_ENTRIES), and a static
 * check of a whole hub is dominated by per-call overhead. The promise API costs a thread-pool
 * round trip per readdir/readlink, which made a 50,000-bundle check several times slower than
 * the walk itself (npm run bench). Nothing here stats files: the static check never needs a
 * size (the build context measures its own).
 */

/** List a bundle folder without following any symlink. */
export async function listBundleEntries(bundleDir: string): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  const walk = (dir: string, prefix: string) => {
    let children;
    try {
      children = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      if (entries.length >= MAX_ENTRIES) return;
      const path = prefix + child.name;
      if (child.isSymbolicLink()) {
        let linkTarget: string | undefined;
        try {
          linkTarget = readlinkSync(join(dir, child.name));
        } catch {
          linkTarget = undefined;
        }
        entries.push({ path, type: "symlink", linkTarget });
      } else if (child.isDirectory()) {
        entries.push({ path, type: "dir" });
        walk(join(dir, child.name), `${path}/`);
      } else {
        entries.push({ path, type: child.isFile() ? "file" : "other" });
      }
    }
  };
  walk(bundleDir, "");
  return entries;
}

/**
 * manifest.yml's text, read safely: a symlink is followed only when it stays inside the
 * bundle, and at most MAX_MANIFEST_BYTES + 1 bytes are read (so the core can say "too large").
 */
export async function readManifestText(
  bundleDir: string,
  entries: readonly BundleEntry[],
): Promise<string | undefined> {
  const entry = entries.find((e) => e.path === "manifest.yml");
  if (!entry) return undefined;
  if (entry.type === "symlink") {
    if (!entry.linkTarget || symlinkEscapes(entry.path, entry.linkTarget)) return undefined;
    let real: string;
    try {
      real = realpathSync(join(bundleDir, entry.path));
    } catch {
      return undefined;
    }
    if (!real.startsWith(realpathSync(bundleDir) + sep)) return undefined;
  } else if (entry.type !== "file") {
    return undefined;
  }
  return readCapped(join(bundleDir, "manifest.yml"), MAX_MANIFEST_BYTES + 1);
}

/** At most `limit` bytes of a file, in a buffer the size of the file (never a fixed 256 KiB). */
function readCapped(path: string, limit: number): string {
  const fd = openSync(path, "r");
  try {
    const want = Math.min(fstatSync(fd).size, limit);
    const buffer = Buffer.allocUnsafe(want);
    let filled = 0;
    while (filled < want) {
      const n = readSync(fd, buffer, filled, want - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return buffer.toString("utf8", 0, filled);
  } finally {
    closeSync(fd);
  }
}
