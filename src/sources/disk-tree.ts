import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { HubListing, HubTree } from "../core/hub-tree.js";

/** A hub folder could not be read: the CLI exits 2 rather than report "0 bundles". */
export class UnreadableHubError extends Error {
  override readonly name = "PlanError";
  constructor(path: string, code: string | undefined) {
    super(`${path} cannot be read (${code ?? "error"}); hubgate will not report a hub it could not see.`);
  }
}

/**
 * The hub on the local disk, as core/hub-tree.ts reads it. Synchronous and cached: a scan asks
 * about each folder once, and one lstat per candidate bundle is all a marker costs. Symlinks
 * are never followed: a symlink counts as a file (a symlinked manifest.yml still marks its
 * bundle; bundle-files.ts judges whether it may be read).
 */
export function diskTree(root: string): HubTree {
  const listings = new Map<string, HubListing | undefined>();
  const list = (dir: string): HubListing | undefined => {
    if (listings.has(dir)) return listings.get(dir);
    let listing: HubListing | undefined;
    try {
      const folders: string[] = [];
      const files: string[] = [];
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        if (entry.isDirectory()) folders.push(entry.name);
        // A FIFO or device named manifest.yml still marks a bundle: its check says what it is.
        else files.push(entry.name);
      }
      listing = { folders: folders.sort(), files: files.sort() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Fail closed: a folder we may not read is never "no bundles here".
      if (code !== "ENOENT" && code !== "ENOTDIR") throw new UnreadableHubError(join(root, dir), code);
      listing = undefined;
    }
    listings.set(dir, listing);
    return listing;
  };
  return {
    list,
    isFile(path) {
      const slash = path.lastIndexOf("/");
      const known = listings.get(slash < 0 ? "" : path.slice(0, slash));
      if (known) return known.files.includes(path.slice(slash + 1));
      let stat;
      try {
        stat = lstatSync(join(root, path), { throwIfNoEntry: false });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOTDIR") return false;
        throw new UnreadableHubError(join(root, path.slice(0, Math.max(0, slash))), code);
      }
      return stat !== undefined && !stat.isDirectory();
    },
  };
}
