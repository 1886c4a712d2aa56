/**
 * Bundles found by their marker. A bundle is the folder that holds `manifest.yml` (or, when
 * the manifest is missing, a `Dockerfile`) at a place matching the hub's layout. A path
 * belongs to its nearest enclosing bundle, and folders inside a bundle (`tests/`, `imgs/`) are
 * never bundles themselves. Pure: the tree is read through the narrow `HubTree` interface
 * (the disk for the CLI, the head archive's listing on GitHub and GitLab).
 */
import {
  candidateRoots,
  couldHoldBundles,
  matchesSegment,
  matchRoot,
  type BundleLayout,
  type BundleLocation,
} from "./bundle-layout.js";

export interface HubListing {
  readonly folders: readonly string[];
  readonly files: readonly string[];
}

/** The side of the hub being checked (the head), paths relative to the hub root. */
export interface HubTree {
  /** Is there a file (or a symlink) at `path`? */
  isFile(path: string): boolean;
  /** The folders and files directly in `dir` ("" is the hub root); undefined when it is no folder. */
  list(dir: string): HubListing | undefined;
}

export const MANIFEST_FILE = "manifest.yml";
export const DOCKERFILE = "Dockerfile";

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
const hidden = (name: string) => name.startsWith(".");

/** A misspelt marker (`Manifest.yaml`, `dockerfile`) still marks a bundle, which then gets the
 *  "rename it" hint instead of every file being called badly placed. */
const NEAR_MARKER = /^(manifest\.ya?ml|dockerfile)$/i;

export function hasMarker(tree: HubTree, root: string): boolean {
  if (tree.isFile(join(root, MANIFEST_FILE)) || tree.isFile(join(root, DOCKERFILE))) return true;
  return tree.list(root)?.files.some((f) => NEAR_MARKER.test(f)) ?? false;
}

export interface Enclosing {
  bundle: BundleLocation;
  /** The path inside the bundle ("" for the bundle folder itself). */
  inner: string;
}

/** The bundle a path belongs to: the outermost enclosing folder at a layout place with a marker. */
export function enclosingBundle(
  layout: BundleLayout,
  tree: HubTree,
  path: string,
  pathIsFolder = false,
): Enclosing | undefined {
  for (const candidate of candidateRoots(layout, path, pathIsFolder)) {
    if (hasMarker(tree, candidate.root)) {
      return { bundle: candidate, inner: path.slice(candidate.root.length + 1) };
    }
  }
  return undefined;
}

export type PathPlacement = ({ kind: "bundle" } & Enclosing) | { kind: "badly-placed" } | { kind: "outside" };

/** Where a file falls: in a bundle, in the hub's folders but in no bundle, or elsewhere. */
export function placePath(layout: BundleLayout, tree: HubTree, path: string): PathPlacement {
  const enclosing = enclosingBundle(layout, tree, path);
  if (enclosing) return { kind: "bundle", ...enclosing };
  return inHubFolders(layout, tree, path) ? { kind: "badly-placed" } : { kind: "outside" };
}

const holdsCache = new WeakMap<HubTree, Map<string, boolean>>();

/**
 * Is a file outside every bundle still in the hub's folders (so badly placed)? Below a
 * pattern's literal prefix (`executors/`) it is; for a pattern starting with a placeholder
 * (`{kinds}/...`) the top folder must hold at least one bundle, so README.md, docs/ and
 * .github/ are never flagged. Hidden files and folders never are either.
 */
export function inHubFolders(layout: BundleLayout, tree: HubTree, path: string): boolean {
  const parts = path.split("/").filter(Boolean);
  if (parts.some(hidden)) return false;
  return layout.patterns.some((p) => {
    if (p.prefix.length > 0)
      return parts.length > p.prefix.length && p.prefix.every((segment, i) => segment === parts[i]);
    return (
      parts.length >= 2 && matchesSegment(p.segments[0]!, parts[0]!) && holdsBundle(layout, tree, parts[0]!)
    );
  });
}

/** Does any bundle sit below `dir`? Stops at the first one; remembered per tree. */
function holdsBundle(layout: BundleLayout, tree: HubTree, dir: string): boolean {
  let cache = holdsCache.get(tree);
  if (!cache) holdsCache.set(tree, (cache = new Map()));
  const known = cache.get(dir);
  if (known !== undefined) return known;
  const search = (at: string): boolean => {
    if (matchRoot(layout, at) && hasMarker(tree, at)) return true;
    if (!couldHoldBundles(layout, at)) return false;
    return (tree.list(at)?.folders ?? []).some((f) => !hidden(f) && search(join(at, f)));
  };
  const found = search(dir);
  cache.set(dir, found);
  return found;
}

export interface HubScan {
  /** Bundles, sorted by root. */
  bundles: BundleLocation[];
  /** Files in the hub's folders that belong to no bundle (capped at MAX_STRAY). */
  stray: string[];
}

/** A hub with thousands of loose files gets the first ones reported, not a million findings. */
export const MAX_STRAY = 1000;

/**
 * Every bundle of the hub, or of the part of it at `within` (a folder, hub-relative; a folder
 * inside a bundle selects that bundle). Walks only folders that can lead to a bundle.
 */
export function scanTree(layout: BundleLayout, tree: HubTree, within = ""): HubScan {
  const bundles: BundleLocation[] = [];
  const stray: string[] = [];
  const inScope = (path: string) => within === "" || path === within || path.startsWith(`${within}/`);
  const onTheWay = (dir: string) => inScope(dir) || within.startsWith(`${dir}/`);

  const collectStray = (dir: string) => {
    const listing = tree.list(dir);
    if (!listing) return;
    for (const file of listing.files) {
      if (stray.length >= MAX_STRAY) return;
      const path = join(dir, file);
      if (!hidden(file) && inScope(path) && inHubFolders(layout, tree, path)) stray.push(path);
    }
    for (const folder of listing.folders) {
      const child = join(dir, folder);
      if (hidden(folder) || !onTheWay(child)) continue;
      // Go on only where a bundle may be, or where loose files are in the hub's folders.
      const worth =
        couldHoldBundles(layout, child) ||
        matchRoot(layout, child) !== undefined ||
        inHubFolders(layout, tree, `${child}/-`);
      if (worth) walk(child);
    }
  };

  const walk = (dir: string) => {
    if (stray.length >= MAX_STRAY && !couldHoldBundles(layout, dir) && !matchRoot(layout, dir)) return;
    const here = dir === "" ? undefined : matchRoot(layout, dir);
    if (here && hasMarker(tree, dir)) {
      bundles.push(here);
      return;
    }
    collectStray(dir);
  };

  walk("");
  bundles.sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  return { bundles, stray: stray.sort() };
}

/**
 * Folders holding a manifest.yml anywhere in the tree (hidden folders skipped), for telling a
 * hub whose layout matches nothing where its bundles seem to be. Bounded: at most `limit`
 * found and `maxFolders` folders visited, `maxDepth` deep.
 */
export function findManifestFolders(
  tree: HubTree,
  within = "",
  { limit = 5, maxFolders = 20_000, maxDepth = 8 } = {},
): string[] {
  const found: string[] = [];
  let visited = 0;
  const queue: Array<[string, number]> = [[within, 0]];
  while (queue.length && found.length < limit && visited < maxFolders) {
    const [dir, depth] = queue.shift()!;
    visited++;
    const listing = tree.list(dir);
    if (!listing) continue;
    if (dir !== "" && listing.files.includes(MANIFEST_FILE)) found.push(dir);
    if (depth < maxDepth)
      for (const f of listing.folders) if (!hidden(f)) queue.push([join(dir, f), depth + 1]);
  }
  return found;
}

/** A tree known by the list of its files' paths (a head archive's listing, a test's fixture). */
export function treeFromPaths(paths: Iterable<string>): HubTree {
  const folders = new Map<string, Set<string>>();
  const files = new Map<string, Set<string>>();
  const entry = <T>(map: Map<string, Set<T>>, key: string) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  };
  const all = new Set<string>();
  for (const raw of paths) {
    const path = raw.replace(/\/+$/, "");
    if (!path) continue;
    all.add(path);
    const parts = path.split("/");
    entry(files, parts.slice(0, -1).join("/")).add(parts[parts.length - 1]!);
    for (let i = 1; i < parts.length; i++) entry(folders, parts.slice(0, i - 1).join("/")).add(parts[i - 1]!);
  }
  const cache = new Map<string, HubListing>();
  return {
    isFile: (path) => all.has(path),
    list(dir) {
      const cached = cache.get(dir);
      if (cached) return cached;
      if (dir !== "" && !folders.has(dir) && !files.has(dir)) return undefined;
      const listing = {
        folders: [...(folders.get(dir) ?? [])].sort(),
        files: [...(files.get(dir) ?? [])].sort(),
      };
      cache.set(dir, listing);
      return listing;
    },
  };
}
