import type { ChangedPath } from "../../core/changed-bundles.js";

/**
 * The changes between two trees given as path → blob id, for when a platform's change list
 * is capped. A removed path whose exact content reappears at an added path is a rename (what
 * git calls a 100% rename), so a moved bundle keeps its history for the version-bump rule.
 */
export function diffTrees(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): ChangedPath[] {
  const removedById = new Map<string, string[]>();
  for (const [path, id] of before) {
    if (after.has(path)) continue;
    const list = removedById.get(id);
    if (list) list.push(path);
    else removedById.set(id, [path]);
  }
  const changes: ChangedPath[] = [];
  for (const [path, id] of after) {
    const old = before.get(path);
    if (old !== undefined) {
      if (old !== id) changes.push({ path, status: "modified" });
      continue;
    }
    const candidates = removedById.get(id);
    // Pair by file name first (a moved folder keeps its file names), else any one left.
    const name = path.slice(path.lastIndexOf("/") + 1);
    const index = candidates
      ? Math.max(
          0,
          candidates.findIndex((p) => p === name || p.endsWith(`/${name}`)),
        )
      : 0;
    const previousPath = candidates?.splice(index, 1)[0];
    changes.push(previousPath ? { path, status: "renamed", previousPath } : { path, status: "added" });
  }
  for (const list of removedById.values()) for (const path of list) changes.push({ path, status: "removed" });
  return changes;
}
