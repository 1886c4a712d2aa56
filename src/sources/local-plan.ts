import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { bundleAt, parseLayout, type BundleLayout, type BundleLocation } from "../core/bundle-layout.js";
import { badlyPlacedFinding, findChangedBundles } from "../core/changed-bundles.js";
import type { Finding } from "../core/finding.js";
import type { HubConfig } from "../core/hub-config.js";
import { HUB_CONFIG_FILE, HubConfigError, parseHubConfig } from "../config/hub-config-file.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { decodeYamlBytes } from "../core/text-decoding.js";
import { changedSince, gitTopLevel, readGitFile, showFile } from "../git/git.js";
import { readBounded, type BoundedRead } from "./bounded-read.js";
import type { BaseReader, CheckPlan } from "../pipeline/check-bundles.js";
import { scanHub } from "./scan-hub.js";

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
  /** Findings' `file` is relative to this: the git top level, else the working directory. */
  repoRoot: string;
  topLevel?: string;
}

const toPosix = (p: string) => p.split(sep).join("/");

/** Turn CLI paths into the bundles to check, on the local disk (and git for --changed-since). */
export async function planLocalCheck(request: LocalPlanRequest): Promise<LocalPlan> {
  if (request.changedSince?.startsWith("-"))
    throw new PlanError(`--changed-since "${request.changedSince}": a ref cannot start with "-"`);
  const given = request.paths.map((p) => resolve(request.cwd, p));
  for (const [i, target] of given.entries()) {
    if (!existsSync(target) || !statSync(target).isDirectory())
      throw new PlanError(`${request.paths[i]}: no such folder`);
  }
  // A bundle given through a symlink is checked where it really is (its hub, its git).
  const targets = given.map((target) => realpathSync(target));
  const topLevel = gitTopLevel(targets[0]!);
  const repoRoot = topLevel ?? request.cwd;

  const firstLayoutGuess = parseLayout("executors/{kinds}/{name}");
  const configFile = request.configPath
    ? resolve(request.cwd, request.configPath)
    : join(findHubDir(targets[0]!, firstLayoutGuess), HUB_CONFIG_FILE);
  const configName = relative(request.cwd, configFile) || HUB_CONFIG_FILE;
  // With --changed-since the hub's rules come from REF, as the bots read them from the base
  // branch: a change cannot loosen its own rules. An explicit --config wins.
  const fromRef = request.changedSince !== undefined && !request.configPath && topLevel !== undefined;
  const configRead = fromRef
    ? await readGitFile(
        topLevel,
        request.changedSince!,
        toPosix(relative(topLevel, configFile)),
        MAX_CONFIG_BYTES,
      ).catch((error: Error) => {
        throw new PlanError(error.message);
      })
    : await readBounded(configFile, MAX_CONFIG_BYTES);
  const configSource = fromRef ? `${configName} at ${request.changedSince}` : configName;
  const configText = hubConfigText(configRead, configSource, request.configPath !== undefined);
  const config = await parseHubConfig(configText, configSource);
  const layout = parseLayout(config.layout);

  const bundles = new Map<string, BundleLocation>();
  const findings = new Map<string, Finding>();
  let changes: Awaited<ReturnType<typeof changedSince>> | undefined;
  if (request.changedSince !== undefined) {
    if (!topLevel) throw new PlanError("--changed-since needs a git repository");
    changes = await changedSince(topLevel, request.changedSince).catch((error: Error) => {
      throw new PlanError(error.message);
    });
  }

  for (const target of targets) {
    const hubDir = findHubDir(target, layout);
    const hubRel = toPosix(relative(repoRoot, hubDir));
    const prefix = (p: string) => (hubRel ? `${hubRel}/${p}` : p);
    const inScope = (root: string) => {
      const abs = join(hubDir, root);
      return abs === target || abs.startsWith(target + sep) || target.startsWith(abs + sep);
    };
    let found: { bundles: BundleLocation[]; stray: Finding[] };
    if (changes) {
      const hubChanges = changes
        .filter((c) => hubRel === "" || c.path.startsWith(`${hubRel}/`))
        .map((c) => ({
          ...c,
          path: c.path.slice(hubRel ? hubRel.length + 1 : 0),
          previousPath: c.previousPath?.slice(hubRel ? hubRel.length + 1 : 0),
        }));
      const changed = findChangedBundles(layout, hubChanges);
      found = { bundles: changed.bundles, stray: changed.findings };
    } else {
      const scan = await scanHub(hubDir, layout);
      found = {
        bundles: scan.bundles
          .map((root) => bundleAt(layout, root))
          .filter((b): b is BundleLocation => b !== undefined),
        stray: scan.stray.map((p) => badlyPlacedFinding(layout, p)),
      };
    }
    for (const bundle of found.bundles.filter((b) => inScope(b.root))) {
      bundles.set(prefix(bundle.root), { ...bundle, root: prefix(bundle.root) });
    }
    // A stray file is reported only when the path given covers it (not for a single bundle).
    for (const stray of found.stray.filter((f) => join(hubDir, f.file).startsWith(target + sep))) {
      findings.set(prefix(stray.file), { ...stray, file: prefix(stray.file) });
    }
  }

  const ref = request.changedSince;
  const base: BaseReader | undefined =
    ref !== undefined && topLevel
      ? {
          manifest: (root) =>
            showFile(
              topLevel,
              ref,
              `${toPosix(relative(topLevel, join(repoRoot, root)))}/manifest.yml`,
              MAX_MANIFEST_BYTES,
            ),
        }
      : undefined;
  return {
    plan: {
      headDir: repoRoot,
      bundles: [...bundles.values()].sort((a, b) => a.root.localeCompare(b.root)),
      findings: [...findings.values()],
    },
    config,
    base,
    repoRoot,
    topLevel,
  };
}

/** A hub config is a few lines; reading stops past this (a link to /dev/zero costs nothing). */
const MAX_CONFIG_BYTES = 64 * 1024;

/** The config's text, or undefined for defaults; anything unusable fails closed (exit 2). */
function hubConfigText(read: BoundedRead, source: string, explicit: boolean): string | undefined {
  switch (read.kind) {
    case "missing":
      if (explicit) throw new PlanError(`--config ${source}: no such file`);
      return undefined;
    case "not-a-file":
      throw new HubConfigError(`${source} is ${read.what}, not a regular file; hubgate does not read it.`);
    case "unreadable":
      throw new HubConfigError(`${source} cannot be read (${read.message}).`);
    case "bytes": {
      if (read.tooLarge) throw new HubConfigError(`${source} is larger than ${MAX_CONFIG_BYTES} bytes.`);
      const decoded = decodeYamlBytes(read.bytes);
      if (!decoded.ok) throw new HubConfigError(`${source} ${decoded.message}.`);
      return decoded.text;
    }
  }
}

/**
 * The hub root for a path given on the command line: the path itself, or an ancestor when
 * the path is a bundle or a kinds folder (matched against the layout's literal segments).
 */
export function findHubDir(target: string, layout: BundleLayout): string {
  const depth = layout.segments.length;
  const looksLikeBundle = existsSync(join(target, "manifest.yml")) || existsSync(join(target, "Dockerfile"));
  const candidates = looksLikeBundle ? [depth] : [...Array(depth).keys()].reverse();
  for (const up of candidates) {
    let dir = target;
    const parts: string[] = [];
    for (let i = 0; i < up; i++) {
      parts.unshift(basename(dir));
      dir = dirname(dir);
    }
    const matches = parts.every((part, i) => {
      const segment = layout.segments[i]!;
      return segment.startsWith("{") || segment === part;
    });
    const literalSeen = parts.some((_, i) => !layout.segments[i]!.startsWith("{"));
    if (matches && (up === 0 || literalSeen || looksLikeBundle)) return dir;
  }
  return target;
}
