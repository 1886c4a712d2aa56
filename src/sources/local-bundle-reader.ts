import { lstat, open, readdir, readlink, realpath } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { BundleEntry } from "../core/bundle-files.js";
import { symlinkEscapes } from "../core/bundle-files.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";

/** Bundles are small; a walk that finds more entries than this is cut short (and the
 *  build-context size cap reports the real problem). */
const MAX_ENTRIES = 20_000;

/** List a bundle folder without following any symlink. */
export async function listBundleEntries(bundleDir: string): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  const walk = async (dir: string) => {
    const children = await readdir(dir, { withFileTypes: true }).catch(() => []);
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      if (entries.length >= MAX_ENTRIES) return;
      const abs = join(dir, child.name);
      const path = relative(bundleDir, abs).split(sep).join("/");
      if (child.isSymbolicLink()) {
        entries.push({ path, type: "symlink", linkTarget: await readlink(abs).catch(() => undefined) });
      } else if (child.isDirectory()) {
        entries.push({ path, type: "dir" });
        await walk(abs);
      } else if (child.isFile()) {
        entries.push({ path, type: "file", size: (await lstat(abs)).size });
      } else {
        entries.push({ path, type: "other" });
      }
    }
  };
  await walk(bundleDir);
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
    const real = await realpath(join(bundleDir, entry.path)).catch(() => undefined);
    const realBundle = await realpath(bundleDir);
    if (!real || !real.startsWith(realBundle + sep)) return undefined;
  } else if (entry.type !== "file") {
    return undefined;
  }
  const handle = await open(join(bundleDir, "manifest.yml"), "r");
  try {
    const buffer = Buffer.alloc(MAX_MANIFEST_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}
