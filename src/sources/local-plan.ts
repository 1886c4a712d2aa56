import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { bundleAt, parseLayout, type BundleLayout, type BundleLocation } from "../core/bundle-layout.js";
import { badlyPlacedFinding, findChangedBundles } from "../core/changed-bundles.js";
import type { Finding } from "../core/finding.js";
import type { HubConfig } from "../core/hub-config.js";
import { HUB_CONFIG_FILE, parseHubConfig } from "../config/hub-config-file.js";
import { changedSince, gitTopLevel, showFile } from "../git/git.js";
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
  const targets = request.paths.map((p) => resolve(request.cwd, p));
  for (const [i, target] of targets.entries()) {
    if (!existsSync(target) || !statSync(target).isDirectory())
      throw new PlanError(`${request.paths[i]}: no such folder`);
  }
  const topLevel = gitTopLevel(targets[0]!);
  const repoRoot = topLevel ?? request.cwd;

  const firstLayoutGuess = parseLayout("executors/{kinds}/{name}");
  const configFile = request.configPath
    ? resolve(request.cwd, request.configPath)
    : join(findHubDir(targets[0]!, firstLayoutGuess), HUB_CONFIG_FILE);
  const configText = await readFile(configFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (request.configPath) throw new PlanError(`--config ${request.configPath}: ${error.message}`);
    return undefined;
  });
  const config = await parseHubConfig(configText, relative(request.cwd, configFile) || HUB_CONFIG_FILE);
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
            showFile(topLevel, ref, `${toPosix(relative(topLevel, join(repoRoot, root)))}/manifest.yml`),
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
