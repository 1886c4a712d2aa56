import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { matchesSegment, parseLayout, type BundleLocation } from "../core/bundle-layout.js";
import {
  badlyPlacedFinding,
  findChangedBundles,
  type ChangedBundles,
  type ChangedPath,
} from "../core/changed-bundles.js";
import type { Finding } from "../core/finding.js";
import type { HubConfig } from "../core/hub-config.js";
import { findManifestFolders, scanTree } from "../core/hub-tree.js";
import { explainNothingChecked, type NothingChecked } from "../core/nothing-checked.js";
import { HUB_CONFIG_FILE, HubConfigError, loadHubConfig } from "../config/hub-config-file.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { decodeYamlBytes } from "../core/text-decoding.js";
import { readBounded, type BoundedRead } from "./bounded-read.js";
import { resolveHubConfig } from "../core/hub-config.js";
import type { BaseReader, CheckPlan } from "../pipeline/check-bundles.js";
import { diskTree } from "./disk-tree.js";
import { readImageOwners } from "./image-owners.js";

export class PlanError extends Error {
  override readonly name = "PlanError";
}

export interface LocalPlanRequest {
  cwd: string;
  paths: string[];
  changedSince?: string;
  configPath?: string;
}

export interface LocalPlan {
  plan: CheckPlan;
  config: HubConfig;
  base?: BaseReader;
  /** Findings' `file` and bundle roots are relative to this: the git top level, else the hub root. */
  repoRoot: string;
  /** The hub root: the folder holding .hubgate.yml, else the git top level. */
  hubRoot: string;
  /** The git top level, when the hub is in a git work tree. */
  topLevel?: string;
}

const toPosix = (p: string) => p.split(sep).join("/");

/** Turn CLI paths into the bundles to check, on the local disk (and git for --changed-since). */
export async function planLocalCheck(request: LocalPlanRequest): Promise<LocalPlan> {
  if (request.changedSince?.startsWith("-"))
    throw new PlanError(`--changed-since "${request.changedSince}": a ref cannot start with "-"`);
  const targets = request.paths.map((p, i) => {
    const absolute = resolve(request.cwd, p);
    if (!existsSync(absolute)) throw new PlanError(`${request.paths[i]}: no such file or folder`);
    // A symlinked bundle is checked where it really is, inside its hub.
    const real = realpathSync(absolute);
    return statSync(real).isDirectory() ? real : dirname(real);
  });
  const hubRoot = findHubRoot(targets[0]!);
  const topLevel = findUp(hubRoot, ".git");
  for (const [i, target] of targets.entries()) {
    if (target !== hubRoot && !target.startsWith(hubRoot + sep))
      throw new PlanError(`${request.paths[i]} is not inside the hub at ${hubRoot}`);
  }

  const configFile = request.configPath
    ? resolve(request.cwd, request.configPath)
    : join(hubRoot, HUB_CONFIG_FILE);
  const repoRoot = topLevel ?? hubRoot;
  // With --changed-since the hub's rules come from REF, as the bots read them from the base
  // branch: a change cannot loosen its own rules. An explicit --config wins.
  const fromRef = request.changedSince !== undefined && !request.configPath && topLevel !== undefined;
  const configRead = fromRef
    ? await (
        await import("../git/git.js")
      )
        .readGitFile(
          topLevel,
          request.changedSince!,
          toPosix(relative(topLevel, configFile)),
          MAX_CONFIG_READ_BYTES,
        )
        .catch((error: Error) => {
          throw new PlanError(error.message);
        })
    : await readBounded(configFile, MAX_CONFIG_READ_BYTES);
  const configName = toPosix(relative(repoRoot, configFile)) || HUB_CONFIG_FILE;
  const configText = hubConfigText(
    configRead,
    fromRef ? `${configName} at ${request.changedSince}` : configName,
    request.configPath,
  );
  const loaded = await loadHubConfig(configText, configName);
  if (!loaded.config) {
    const nothingChecked: NothingChecked = {
      reason: "hub-config-invalid",
      message: `0 bundles checked: the hub configuration ${configName} has problems; fix them first.`,
    };
    return {
      plan: { headDir: repoRoot, bundles: [], findings: loaded.findings, nothingChecked },
      config: resolveHubConfig(),
      repoRoot,
      hubRoot,
      topLevel,
    };
  }
  const config = loaded.config;
  const layout = parseLayout(config.layout);
  const tree = diskTree(hubRoot);
  const hubPrefix = topLevel ? toPosix(relative(topLevel, hubRoot)) : "";
  // Inside, paths are relative to the hub root; reported, to the repository (git top level),
  // so Code Quality, SARIF and editors find the files.
  const at = (p: string) => (hubPrefix ? `${hubPrefix}/${p}` : p);

  let changes: ChangedPath[] | undefined;
  let changed: ChangedBundles | undefined;
  if (request.changedSince !== undefined) {
    if (!topLevel) throw new PlanError("--changed-since needs a git repository");
    // git (child_process) is loaded only when asked for: a plain check starts faster.
    const { changedSince } = await import("../git/git.js");
    const all = await changedSince(topLevel, request.changedSince).catch((error: Error) => {
      throw new PlanError(error.message);
    });
    changes = toHubPaths(all, hubPrefix);
    changed = findChangedBundles(layout, tree, changes);
  }

  const bundles = new Map<string, BundleLocation>();
  const findings = new Map<string, Finding>();
  let scopeChanges = 0;
  const removed: string[] = [];
  const unplacedManifests: string[] = [];
  const manifestFolders: string[] = [];
  for (const target of targets) {
    const within = toPosix(relative(hubRoot, target));
    const inScope = (path: string) => within === "" || path === within || path.startsWith(`${within}/`);
    // A bundle is in scope when it is below the path given, or the path is inside the bundle.
    const bundleInScope = (root: string) => inScope(root) || within.startsWith(`${root}/`);
    if (changes && changed) {
      scopeChanges += changes.filter((c) => inScope(c.path)).length;
      for (const b of changed.bundles.filter((b) => bundleInScope(b.root))) bundles.set(b.root, b);
      for (const f of changed.findings.filter((f) => inScope(f.file))) findings.set(f.file, f);
      removed.push(...changed.removed.filter(inScope));
      unplacedManifests.push(...changed.unplacedManifests.filter(inScope));
    } else {
      const scan = scanTree(layout, tree, within);
      for (const b of scan.bundles) bundles.set(b.root, b);
      // A loose file is reported only when the path given covers it (not for a single bundle).
      for (const path of scan.stray) findings.set(path, badlyPlacedFinding(layout, path));
      if (scan.bundles.length === 0) manifestFolders.push(...findManifestFolders(tree, within));
    }
  }

  // Image names are unique across the whole hub, not just among the bundles checked: a new
  // twin of an unchanged (or unselected) bundle would publish into its repository.
  // Walked and read only once a checked bundle has an image name (see checkBundles).
  const wholeHub = !changes && targets.some((t) => t === hubRoot);
  const otherImages = async (names: ReadonlySet<string>) => {
    const others = scanTree(layout, tree, "").bundles.filter((b) => !bundles.has(b.root));
    return readImageOwners(
      others.map((b) => ({ file: join(hubRoot, b.root, "manifest.yml"), path: at(b.root) })),
      config.namespace,
      names,
    );
  };

  const planned = [...bundles.values()].sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  const outside = [...findings.values()];
  let nothingChecked: NothingChecked | undefined;
  if (planned.length === 0) {
    const explained = explainNothingChecked({
      layout,
      change: changes ? { files: scopeChanges, removed, unplacedManifests } : undefined,
      manifestFolders,
      configFile: configName,
    });
    nothingChecked = explained.nothing;
    outside.push(...explained.findings);
  }

  const ref = request.changedSince;
  const base: BaseReader | undefined =
    ref !== undefined && topLevel
      ? {
          manifest: async (root) =>
            (await import("../git/git.js")).showFile(
              topLevel,
              ref,
              `${root}/manifest.yml`,
              MAX_MANIFEST_BYTES,
            ),
        }
      : undefined;
  return {
    plan: {
      headDir: repoRoot,
      bundles: planned.map((b) => ({
        ...b,
        root: at(b.root),
        ...(b.previousRoot ? { previousRoot: at(b.previousRoot) } : {}),
      })),
      findings: outside.map((f) => ({ ...f, file: at(f.file) })),
      ...(nothingChecked ? { nothingChecked } : {}),
      ...(wholeHub ? {} : { otherImages }),
    },
    config,
    base,
    repoRoot,
    hubRoot,
    topLevel,
  };
}

/** A hub config is a few lines; reading stops past this (a link to /dev/zero costs nothing). */
const MAX_CONFIG_READ_BYTES = 64 * 1024;

/** The config's text, or undefined for defaults; anything unusable fails closed (exit 2). */
function hubConfigText(read: BoundedRead, source: string, explicit: string | undefined): string | undefined {
  switch (read.kind) {
    case "missing":
      if (explicit !== undefined) throw new PlanError(`--config ${explicit}: no such file`);
      return undefined;
    case "not-a-file":
      throw new HubConfigError(`${source} is ${read.what}, not a regular file; hubgate does not read it.`);
    case "unreadable":
      throw new HubConfigError(`${source} cannot be read (${read.message}).`);
    case "bytes": {
      if (read.tooLarge) throw new HubConfigError(`${source} is larger than ${MAX_CONFIG_READ_BYTES} bytes.`);
      const decoded = decodeYamlBytes(read.bytes);
      if (!decoded.ok) throw new HubConfigError(`${source} ${decoded.message}.`);
      return decoded.text;
    }
  }
}

/** Changes relative to the git top level → relative to the hub root (others dropped). */
function toHubPaths(changes: readonly ChangedPath[], hubPrefix: string): ChangedPath[] {
  if (!hubPrefix) return [...changes];
  const strip = (p: string | undefined) =>
    p !== undefined && p.startsWith(`${hubPrefix}/`) ? p.slice(hubPrefix.length + 1) : undefined;
  const out: ChangedPath[] = [];
  for (const c of changes) {
    const path = strip(c.path);
    const previousPath = strip(c.previousPath);
    if (path === undefined && previousPath === undefined) continue;
    if (path === undefined) out.push({ path: previousPath!, status: "removed" });
    else if (c.previousPath !== undefined && previousPath === undefined) out.push({ path, status: "added" });
    else out.push({ ...c, path, ...(previousPath !== undefined ? { previousPath } : {}) });
  }
  return out;
}

/**
 * The hub root for a path given on the command line, whatever it is (hub root, kinds folder,
 * bundle, a folder inside a bundle): the nearest folder at or above it holding the hub
 * configuration, else the git top level, else a guess from the default layout, else the path
 * itself.
 */
export function findHubRoot(target: string): string {
  for (let dir = target; ; dir = dirname(dir)) {
    if (existsSync(join(dir, HUB_CONFIG_FILE)) || existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) break;
  }
  return guessHubRoot(target) ?? target;
}

/**
 * Outside git and without a hub configuration, the default layout tells where the hub root
 * is: above a bundle by the layout's depth, or above a folder named like a literal segment
 * (`executors/`). A guess, so only a literal or a bundle marker counts.
 */
function guessHubRoot(target: string): string | undefined {
  const layout = parseLayout(resolveHubConfig().layout);
  const isBundle = existsSync(join(target, "manifest.yml")) || existsSync(join(target, "Dockerfile"));
  for (const pattern of layout.patterns) {
    const depth = pattern.segments.length;
    const ups = isBundle ? [depth] : [...Array(depth).keys()].slice(1).reverse();
    for (const up of ups) {
      const names: string[] = [];
      let dir = target;
      for (let i = 0; i < up; i++, dir = dirname(dir)) names.unshift(basename(dir));
      const fits = names.every((name, i) => matchesSegment(pattern.segments[i]!, name));
      const literal = names.some((_, i) => !pattern.segments[i]!.startsWith("{"));
      if (fits && (isBundle || literal)) return dir;
    }
  }
  return undefined;
}

/** The nearest folder at or above `from` that holds `name`. */
function findUp(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
