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
    // Of identical removed files, the one whose path ends most like this one (a moved folder
    // keeps its inner paths): tests/__init__.py pairs with tests/__init__.py.
    const index = candidates ? bestMatch(path, candidates) : -1;
    const previousPath = index >= 0 ? candidates!.splice(index, 1)[0] : undefined;
    changes.push(previousPath ? { path, status: "renamed", previousPath } : { path, status: "added" });
  }
  for (const list of removedById.values()) for (const path of list) changes.push({ path, status: "removed" });
  return changes;
}

function bestMatch(path: string, candidates: readonly string[]): number {
  const parts = path.split("/").reverse();
  let best = -1;
  let bestScore = -1;
  candidates.forEach((candidate, i) => {
    const other = candidate.split("/").reverse();
    let score = 0;
    while (score < parts.length && score < other.length && parts[score] === other[score]) score++;
    if (score > bestScore) [best, bestScore] = [i, score];
  });
  return best;
}
