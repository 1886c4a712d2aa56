import { createReadStream, createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { matchesSegment, parseLayout, type BundleLayout } from "../core/bundle-layout.js";
import { findChangedBundles, type ChangedPath } from "../core/changed-bundles.js";
import type { HubConfig } from "../core/hub-config.js";
import { treeFromPaths } from "../core/hub-tree.js";
import { explainNothingChecked } from "../core/nothing-checked.js";
import { extractTarball, listTarball } from "../sources/extract-tarball.js";
import type { ChangeSource } from "./change-request.js";
import type { CheckPlan } from "./check-bundles.js";

/**
 * The bundles a pull/merge request changes, found by their markers in the head commit: the
 * head archive is saved once, listed (names only) to place every changed path in its nearest
 * enclosing bundle, then only those bundles are extracted into `workDir/head`. A change
 * that touches no folder of the hub downloads nothing.
 */
export async function planChange(
  source: Pick<ChangeSource, "changedFiles" | "downloadHead">,
  config: HubConfig,
  workDir: string,
  signal: AbortSignal,
  configFile: string,
): Promise<CheckPlan> {
  const layout = parseLayout(config.layout);
  const changes = await source.changedFiles(signal);
  const headDir = join(workDir, "head");
  await mkdir(headDir, { recursive: true });

  let paths: string[] = [];
  const archive = join(workDir, "head.tar.gz");
  const needed = touchesHub(layout, changes);
  if (needed) {
    await pipeline(await source.downloadHead(signal), createWriteStream(archive));
    paths = await listTarball(createReadStream(archive));
  }
  const changed = findChangedBundles(layout, treeFromPaths(paths), changes);
  if (changed.bundles.length > 0)
    await extractTarball(createReadStream(archive), headDir, { only: changed.bundles.map((b) => b.root) });
  const plan: CheckPlan = { headDir, bundles: changed.bundles, findings: changed.findings };
  if (changed.bundles.length === 0) {
    const explained = explainNothingChecked({
      layout,
      change: {
        files: changes.length,
        removed: changed.removed,
        unplacedManifests: changed.unplacedManifests,
      },
      manifestFolders: [],
      configFile,
    });
    plan.nothingChecked = explained.nothing;
    plan.findings = [...plan.findings, ...explained.findings];
  }
  return plan;
}

/** Could any changed path be in a bundle or in the hub's folders? Else nothing is downloaded. */
function touchesHub(layout: BundleLayout, changes: readonly ChangedPath[]): boolean {
  const inFolder = (path: string | undefined) => {
    if (!path) return false;
    const parts = path.split("/");
    return parts.length >= 2 && layout.patterns.some((p) => matchesSegment(p.segments[0]!, parts[0]!));
  };
  return changes.some((c) => inFolder(c.path) || inFolder(c.previousPath));
}
