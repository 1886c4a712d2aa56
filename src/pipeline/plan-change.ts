import { mkdir } from "node:fs/promises";
import { matchesSegment, parseLayout, type BundleLayout } from "../core/bundle-layout.js";
import { findChangedBundles, type ChangedPath } from "../core/changed-bundles.js";
import type { HubConfig } from "../core/hub-config.js";
import { scanTree, treeFromPaths } from "../core/hub-tree.js";
import type { ImageOwner } from "../core/image-collisions.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { explainNothingChecked } from "../core/nothing-checked.js";
import { extractTarball, type ExtractLimits } from "../sources/extract-tarball.js";
import { repositoryFromManifestBytes } from "../sources/image-owners.js";
import type { ChangeSource } from "./change-request.js";
import type { CheckPlan } from "./check-bundles.js";

export type ChangePlan = Omit<CheckPlan, "headDir"> & {
  /** The head's bundles the change leaves alone: their images still count for collisions. */
  unchanged?: string[];
};

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
  const tree = treeFromPaths(paths);
  const changed = findChangedBundles(layout, tree, changes);
  const plan: ChangePlan = { bundles: changed.bundles, findings: changed.findings };
  if (changed.bundles.length > 0) {
    const roots = new Set(changed.bundles.map((b) => b.root));
    const unchanged = scanTree(layout, tree).bundles.filter((b) => !roots.has(b.root));
    if (unchanged.length > 0) plan.unchanged = unchanged.map((b) => b.root);
  }
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

/**
 * Extract just the planned bundles of the head commit into `headDir`. The unchanged bundles'
 * manifests are read from the same stream (never written, each at most MAX_MANIFEST_BYTES):
 * unchanged bundles are the same in base and head, and a changed bundle may not take one's
 * image. Their bytes are held (up to MAX_HELD_MANIFEST_BYTES in all, parsed at once beyond)
 * until the changed bundles' names are known: then only a possible twin's manifest is parsed.
 */
export async function checkoutBundles(
  source: Pick<ChangeSource, "downloadHead">,
  { unchanged, ...plan }: ChangePlan,
  headDir: string,
  signal: AbortSignal,
  limits?: ExtractLimits,
  namespace?: string,
): Promise<CheckPlan> {
  await mkdir(headDir, { recursive: true });
  if (plan.bundles.length === 0) return { ...plan, headDir };
  const archive = await source.downloadHead(signal);
  const manifests = new Map((unchanged ?? []).map((root) => [`${root}/manifest.yml`, root]));
  const held: Array<{ path: string; bytes: Buffer }> = [];
  const parsed: ImageOwner[] = [];
  let heldBytes = 0;
  const { refusedLinks } = await extractTarball(archive, headDir, {
    only: plan.bundles.map((b) => b.root),
    ...(limits ? { limits } : {}),
    ...(namespace !== undefined && manifests.size > 0
      ? {
          peek: {
            paths: new Set(manifests.keys()),
            maxBytes: MAX_MANIFEST_BYTES,
            file: (file: string, bytes: Buffer) => {
              const path = manifests.get(file)!;
              if (heldBytes + bytes.length <= MAX_HELD_MANIFEST_BYTES) {
                held.push({ path, bytes });
                heldBytes += bytes.length;
                return;
              }
              const repository = repositoryFromManifestBytes(bytes, namespace);
              if (repository) parsed.push({ path, repository });
            },
          },
        }
      : {}),
  });
  const otherImages = async (names: ReadonlySet<string>): Promise<ImageOwner[]> => [
    ...parsed,
    ...held.flatMap(({ path, bytes }) => {
      const repository = repositoryFromManifestBytes(bytes, namespace!, names);
      return repository ? [{ path, repository }] : [];
    }),
  ];
  return { ...plan, headDir, refusedLinks, ...(held.length + parsed.length > 0 ? { otherImages } : {}) };
}

/** Unchanged manifests held for the collision check; a hub beyond this (thousands of bundles) costs CPU, not memory. */
const MAX_HELD_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Could any changed path be in a bundle or in the hub's folders? */
function touchesHub(layout: BundleLayout, changes: readonly ChangedPath[]): boolean {
  const inFolder = (path: string | undefined) => {
    if (!path) return false;
    const parts = path.split("/");
    return parts.length >= 2 && layout.patterns.some((p) => matchesSegment(p.segments[0]!, parts[0]!));
  };
  return changes.some((c) => inFolder(c.path) || inFolder(c.previousPath));
}
