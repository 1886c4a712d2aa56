import { mkdir } from "node:fs/promises";
import { matchesSegment, parseLayout, type BundleLayout } from "../core/bundle-layout.js";
import { findChangedBundles, type ChangedPath } from "../core/changed-bundles.js";
import type { HubConfig } from "../core/hub-config.js";
import { treeFromPaths } from "../core/hub-tree.js";
import { explainNothingChecked } from "../core/nothing-checked.js";
import { extractTarball, type ExtractLimits } from "../sources/extract-tarball.js";
import type { ChangeSource } from "./change-request.js";
import type { CheckPlan } from "./check-bundles.js";

export type ChangePlan = Omit<CheckPlan, "headDir">;

/**
 * The bundles a pull/merge request changes, found by their markers in the head commit's file
 * list: every changed path goes to its nearest enclosing bundle. A change that touches no
 * folder of the hub does not even list the head.
 */
export async function planChange(
  source: Pick<ChangeSource, "changedFiles" | "headFiles">,
  config: HubConfig,
  signal: AbortSignal,
  configFile: string,
): Promise<ChangePlan> {
  const layout = parseLayout(config.layout);
  const changes = await source.changedFiles(signal);
  const paths = touchesHub(layout, changes) ? await source.headFiles(signal) : [];
  const changed = findChangedBundles(layout, treeFromPaths(paths), changes);
  const plan: ChangePlan = { bundles: changed.bundles, findings: changed.findings };
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

/** Extract just the planned bundles of the head commit into `headDir`. */
export async function checkoutBundles(
  source: Pick<ChangeSource, "downloadHead">,
  plan: ChangePlan,
  headDir: string,
  signal: AbortSignal,
  limits?: ExtractLimits,
): Promise<CheckPlan> {
  await mkdir(headDir, { recursive: true });
  if (plan.bundles.length === 0) return { ...plan, headDir };
  const archive = await source.downloadHead(signal);
  const { refusedLinks } = await extractTarball(archive, headDir, {
    only: plan.bundles.map((b) => b.root),
    ...(limits ? { limits } : {}),
  });
  return { ...plan, headDir, refusedLinks };
}

/** Could any changed path be in a bundle or in the hub's folders? */
function touchesHub(layout: BundleLayout, changes: readonly ChangedPath[]): boolean {
  const inFolder = (path: string | undefined) => {
    if (!path) return false;
    const parts = path.split("/");
    return parts.length >= 2 && layout.patterns.some((p) => matchesSegment(p.segments[0]!, parts[0]!));
  };
  return changes.some((c) => inFolder(c.path) || inFolder(c.previousPath));
}
