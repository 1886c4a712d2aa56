import { matchRoot, type BundleLayout, type BundleLocation } from "./bundle-layout.js";
import { finding, type Finding } from "./finding.js";
import { enclosingBundle, MANIFEST_FILE, placePath, type HubTree } from "./hub-tree.js";

export type ChangeStatus = "added" | "modified" | "removed" | "renamed";

export interface ChangedPath {
  path: string;
  status: ChangeStatus;
  /** For renames: where the file was before. */
  previousPath?: string;
}

export interface ChangedBundles {
  /** Bundles that exist after the change and must be checked, sorted by root. */
  bundles: BundleLocation[];
  /** Bundle folders the change deleted (their manifest went and no marker is left): not checked. */
  removed: string[];
  /** Files changed in the hub's folders but in no bundle. */
  findings: Finding[];
  /** Changed manifest.yml files at no place of the layout (for "0 bundles" explanations). */
  unplacedManifests: string[];
}

/**
 * The bundles a change touches, decided on the head tree. A bundle is checked when any file in
 * it was added, modified, renamed or removed and it still holds its marker; a bundle whose
 * marker is gone was deleted and is not checked. A moved or renamed bundle carries its
 * `previousRoot`, so the version-bump rule reads the base manifest from the old place.
 */
export function findChangedBundles(
  layout: BundleLayout,
  tree: HubTree,
  changes: Iterable<ChangedPath>,
): ChangedBundles {
  const touched = new Map<string, BundleLocation>();
  const stray = new Set<string>();
  const removed = new Set<string>();
  const unplaced = new Set<string>();
  const renames: Array<{ root: string; inner: string; previousPath: string }> = [];
  const gone = new Set<string>();

  const noteGone = (path: string) => {
    gone.add(path);
    if (path === MANIFEST_FILE || path.endsWith(`/${MANIFEST_FILE}`)) {
      const dir = path.slice(0, -MANIFEST_FILE.length - 1);
      if (matchRoot(layout, dir) && !enclosingBundle(layout, tree, path)) removed.add(dir);
    }
    // A file removed from a bundle that still exists: the bundle changed.
    const enclosing = enclosingBundle(layout, tree, path);
    if (enclosing && !touched.has(enclosing.bundle.root))
      touched.set(enclosing.bundle.root, enclosing.bundle);
  };

  for (const change of changes) {
    if (change.status === "removed") {
      noteGone(change.path);
      continue;
    }
    const placed = placePath(layout, tree, change.path);
    if (placed.kind === "bundle") {
      if (!touched.has(placed.bundle.root)) touched.set(placed.bundle.root, placed.bundle);
      if (change.previousPath)
        renames.push({ root: placed.bundle.root, inner: placed.inner, previousPath: change.previousPath });
    } else {
      if (placed.kind === "badly-placed") stray.add(change.path);
      if (change.path === MANIFEST_FILE || change.path.endsWith(`/${MANIFEST_FILE}`))
        unplaced.add(change.path);
    }
    if (change.previousPath) noteGone(change.previousPath);
  }

  for (const [root, bundle] of touched) {
    const previousRoot = previousRootOf(root, renames, gone);
    if (previousRoot) touched.set(root, { ...bundle, previousRoot });
  }
  const bundles = [...touched.values()].sort((a, b) => compare(a.root, b.root));
  const findings = [...stray].sort(compare).map((path) => badlyPlacedFinding(layout, path));
  return { bundles, removed: [...removed].sort(compare), findings, unplacedManifests: [...unplaced].sort() };
}

/**
 * Where a bundle was before the change: the old folder of its renamed manifest, else the old
 * folder most of its renamed files came from, when that folder's manifest left it too.
 */
function previousRootOf(
  root: string,
  renames: ReadonlyArray<{ root: string; inner: string; previousPath: string }>,
  gone: ReadonlySet<string>,
): string | undefined {
  const votes = new Map<string, number>();
  for (const r of renames) {
    if (r.root !== root || !r.inner || !r.previousPath.endsWith(`/${r.inner}`)) continue;
    const before = r.previousPath.slice(0, -r.inner.length - 1);
    if (before === root) continue;
    if (r.inner === MANIFEST_FILE) return before;
    votes.set(before, (votes.get(before) ?? 0) + 1);
  }
  const ranked = [...votes].filter(([before]) => gone.has(`${before}/${MANIFEST_FILE}`));
  ranked.sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
  return ranked[0]?.[0];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function badlyPlacedFinding(layout: BundleLayout, path: string): Finding {
  const where = layout.patterns
    .map(
      (p) =>
        `${p.pattern.replace(/\{(\w+)\}/g, (_, part: string) => (part === "name" ? "<Name>" : `<${part}>`))}/`,
    )
    .join(" or ");
  return finding(
    path,
    "error",
    "bundle/badly-placed",
    `this file is in no bundle: the pod bundle is badly placed. A bundle is a folder holding manifest.yml at ${where}; move this file into its bundle's folder.`,
  );
}
