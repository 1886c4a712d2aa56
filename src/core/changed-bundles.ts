import { finding, type Finding } from "./finding.js";
import { placePath, type BundleLayout, type BundleLocation } from "./bundle-layout.js";

export type ChangeStatus = "added" | "modified" | "removed" | "renamed";

export interface ChangedPath {
  path: string;
  status: ChangeStatus;
  /** For renames: where the file was before. */
  previousPath?: string;
}

export interface ChangedBundles {
  /** Bundles that still exist after the change and must be checked, sorted by root. */
  bundles: BundleLocation[];
  /** Bundles whose every changed file was removed: nothing to check. */
  removed: BundleLocation[];
  /** Files changed in the hub area but outside any bundle. */
  findings: Finding[];
}

/**
 * The bundles a change touches. A bundle is checked when any file in it was added,
 * modified or renamed into it; a bundle that only lost files is checked too unless
 * its manifest was removed (then the bundle itself was deleted).
 */
export function findChangedBundles(layout: BundleLayout, changes: Iterable<ChangedPath>): ChangedBundles {
  const touched = new Map<string, { bundle: BundleLocation; live: boolean; manifestRemoved: boolean }>();
  const stray = new Set<string>();

  const note = (path: string, live: boolean) => {
    const placed = placePath(layout, path);
    if (placed.kind === "badly-placed") {
      if (live) stray.add(path);
      return;
    }
    if (placed.kind !== "bundle") return;
    const entry = touched.get(placed.bundle.root) ?? {
      bundle: placed.bundle,
      live: false,
      manifestRemoved: false,
    };
    if (live) entry.live = true;
    else if (placed.inner === "manifest.yml") entry.manifestRemoved = true;
    touched.set(placed.bundle.root, entry);
  };

  for (const change of changes) {
    if (change.status === "removed") note(change.path, false);
    else note(change.path, true);
    if (change.status === "renamed" && change.previousPath) note(change.previousPath, false);
  }

  const bundles: BundleLocation[] = [];
  const removed: BundleLocation[] = [];
  for (const { bundle, live, manifestRemoved } of touched.values()) {
    if (live || !manifestRemoved) bundles.push(bundle);
    else removed.push(bundle);
  }
  const byRoot = (a: BundleLocation, b: BundleLocation) => a.root.localeCompare(b.root);
  const findings = [...stray].sort().map((path) => badlyPlacedFinding(layout, path));
  return { bundles: bundles.sort(byRoot), removed: removed.sort(byRoot), findings };
}

export function badlyPlacedFinding(layout: BundleLayout, path: string): Finding {
  const where = layout.pattern.replace("{name}", "<Name>").replace("{kinds}", "<kinds>");
  return finding(
    path,
    "error",
    "bundle/badly-placed",
    `this file is outside any bundle: the pod bundle is badly placed. Bundles live in ${where}/; move this file into its bundle's folder.`,
  );
}
