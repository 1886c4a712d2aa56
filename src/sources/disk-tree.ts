import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { HubListing, HubTree } from "../core/hub-tree.js";

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
        else if (entry.isFile() || entry.isSymbolicLink()) files.push(entry.name);
      }
      listing = { folders: folders.sort(), files: files.sort() };
    } catch {
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
      const stat = lstatSync(join(root, path), { throwIfNoEntry: false });
      return stat !== undefined && (stat.isFile() || stat.isSymbolicLink());
    },
  };
}
