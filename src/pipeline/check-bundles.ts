import { join } from "node:path";
import type { BundleLocation } from "../core/bundle-layout.js";
import { checkBundleStatic, type StaticCheck } from "../core/check-bundle.js";
import { sortFindings, type Finding } from "../core/finding.js";
import type { HubConfig } from "../core/hub-config.js";
import type { ManifestValidator } from "../core/manifest-validator.js";
import type { NothingChecked } from "../core/nothing-checked.js";
import { bundleConclusion, overallConclusion, type BundleResult, type CheckResult } from "../core/result.js";
import { MAX_DOCKERFILE_BYTES, readBundleFile, readBundleListing } from "../sources/local-bundle-reader.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { markImageCollisions, type ImageOwner } from "../core/image-collisions.js";
import { imageNameComponent } from "../core/image-name.js";
import type { ImageOutcome, ImagePipeline, Phase, RevisionInfo } from "./image-pipeline.js";
import { mapLimit } from "./map-limit.js";

/** Reads manifests from the base side of a change (git ref, base branch via API). */
export interface BaseReader {
  /** manifest.yml of the bundle at `bundleRoot` on the base, or undefined when it is new there. */
  manifest(bundleRoot: string): Promise<string | undefined>;
}

/** The bundles to check, in a head tree on disk. Bundle roots are relative to `headDir`. */
export interface CheckPlan {
  headDir: string;
  bundles: BundleLocation[];
  /** Findings outside any bundle (badly placed files, the hub's configuration). */
  findings: Finding[];
  /** Why no bundle is planned, when none is. */
  nothingChecked?: NothingChecked;
  /** Symlinks the archive held but extraction refused (they leave the tree), relative to `headDir`. */
  refusedLinks?: ReadonlyArray<{ path: string; target: string }>;
  /**
   * The images of the hub's bundles not checked in this run (no checked bundle may take one),
   * asked once the checked bundles' names are known: only possible twins of `names` (image
   * name components) need be returned.
   */
  otherImages?(names: ReadonlySet<string>): Promise<readonly ImageOwner[]>;
}

export interface CheckEvents {
  /** Static findings of one bundle, as soon as they are known (before any build). */
  staticDone?(result: BundleResult): void | Promise<void>;
  phase?(bundlePath: string, phase: Phase): void;
  bundleDone?(result: BundleResult): void | Promise<void>;
}

export interface CheckOptions {
  config: HubConfig;
  validator: ManifestValidator;
  base?: BaseReader;
  /** When given, buildable bundles are built, smoke-tested and tagged. */
  images?: ImagePipeline;
  revision?: RevisionInfo;
  jobs?: number;
  signal?: AbortSignal;
  events?: CheckEvents;
  /** False: results go to `events.bundleDone` only and `bundles` comes back empty. */
  keepResults?: boolean;
}

const STATIC_CONCURRENCY = 16;

/** Check every planned bundle; one bundle's trouble never stops the others (DESIGN rule 5). */
export async function checkBundles(plan: CheckPlan, options: CheckOptions): Promise<CheckResult> {
  const keep = options.keepResults !== false;
  let failed = false;
  const finish = async (result: BundleResult) => {
    if (result.conclusion === "failure") failed = true;
    await options.events?.bundleDone?.(result);
    return keep ? result : undefined;
  };
  const links = plan.refusedLinks ?? [];
  let results: Array<BundleResult | undefined>;
  if (!options.images && !keep) {
    // Static only, streamed: a bundle is done with its static check and nothing is held
    // (a 50,000-bundle check streams its report). Image collisions need every bundle's image
    // first: a pre-pass keeps only each bundle's repository (a string), at twice the static cost.
    const owners = new Map<string, string[]>();
    const own = (repository: string, path: string) => {
      const list = owners.get(repository);
      if (list) list.push(path);
      else owners.set(repository, [path]);
    };
    const single = plan.bundles.length === 1;
    if (!single) {
      const claims = await mapLimit(plan.bundles, STATIC_CONCURRENCY, async (location) => {
        const check = await staticCheck(plan.headDir, location, options, links);
        return check.image ? { repository: check.image.repository, name: check.result.name } : undefined;
      });
      claims.forEach((claim, i) => {
        if (claim) own(claim.repository, plan.bundles[i]!.root);
      });
      for (const other of await otherImages(
        plan,
        claims.map((c) => c?.name),
      ))
        own(other.repository, other.path);
    }
    results = await mapLimit(plan.bundles, STATIC_CONCURRENCY, async (location) => {
      const check = await staticCheck(plan.headDir, location, options, links);
      if (single && check.image)
        for (const other of await otherImages(plan, [check.result.name])) own(other.repository, other.path);
      const repository = check.image?.repository;
      const twins = repository ? (owners.get(repository) ?? []).filter((root) => root !== location.root) : [];
      if (repository && twins.length > 0)
        markImageCollisions(
          [check],
          twins.map((path) => ({ path, repository })),
        );
      await options.events?.staticDone?.(check.result);
      return finish(check.result);
    });
  } else {
    const statics = await mapLimit(plan.bundles, STATIC_CONCURRENCY, async (location) =>
      staticCheck(plan.headDir, location, options, links),
    );
    // Across bundles: no two may make the same image (reported before anything is built).
    const others = await otherImages(
      plan,
      statics.map((s) => (s.image ? s.result.name : undefined)),
    );
    markImageCollisions(statics, others);
    for (const check of statics) await options.events?.staticDone?.(check.result);
    results = await mapLimit(statics, options.jobs ?? 1, async (check) =>
      finish(
        options.images && check.buildable ? await buildCheck(plan.headDir, check, options) : check.result,
      ),
    );
  }

  const bundles = results.filter((r): r is BundleResult => r !== undefined);
  const findings = sortFindings([...plan.findings]);
  return {
    conclusion: failed ? "failure" : overallConclusion(bundles, findings),
    bundles,
    findings,
    ...(plan.nothingChecked && plan.bundles.length === 0 ? { nothingChecked: plan.nothingChecked } : {}),
  };
}

/** The other bundles' images that may collide with these checked bundles' names. */
async function otherImages(
  plan: CheckPlan,
  names: ReadonlyArray<string | undefined>,
): Promise<readonly ImageOwner[]> {
  if (!plan.otherImages) return [];
  const components = new Set(names.filter((n): n is string => n !== undefined).map(imageNameComponent));
  return components.size > 0 ? plan.otherImages(components) : [];
}

async function staticCheck(
  headDir: string,
  location: BundleLocation,
  options: CheckOptions,
  refusedLinks: ReadonlyArray<{ path: string; target: string }>,
): Promise<StaticCheck> {
  const bundleDir = join(headDir, location.root);
  try {
    const listing = await readBundleListing(bundleDir);
    const entries = listing.entries;
    // Never created on disk, still reported: the bundle check names each escaping link.
    for (const link of refusedLinks) {
      if (link.path.startsWith(`${location.root}/`))
        entries.push({
          path: link.path.slice(location.root.length + 1),
          type: "symlink",
          linkTarget: link.target,
        });
    }
    const manifest = await readBundleFile(bundleDir, entries, "manifest.yml", MAX_MANIFEST_BYTES);
    const dockerfile = await readBundleFile(bundleDir, entries, "Dockerfile", MAX_DOCKERFILE_BYTES);
    const fileProblems = [manifest.problem, dockerfile.problem].filter((p) => p !== undefined);
    // A moved or renamed bundle's base manifest is at its old place.
    const baseManifestText = await options.base?.manifest(location.previousRoot ?? location.root);
    return checkBundleStatic(
      { location, entries, manifestText: manifest.text, baseManifestText, listing, fileProblems },
      options.config,
      options.validator,
    );
  } catch (error) {
    const result: BundleResult = {
      path: location.root,
      conclusion: "success",
      findings: [],
      smoke: [],
      infrastructureError: `could not read the bundle: ${(error as Error).message}`,
    };
    return { result, buildable: false };
  }
}

async function buildCheck(headDir: string, check: StaticCheck, options: CheckOptions): Promise<BundleResult> {
  if (!check.image || !check.manifest || !options.images)
    return { ...check.result, findings: [...check.result.findings] };
  const result = check.result;
  const outcome = await options.images.run(
    {
      bundleDir: join(headDir, result.path),
      bundlePath: result.path,
      image: check.image,
      manifest: check.manifest,
      config: options.config,
      revision: options.revision,
    },
    (phase) => options.events?.phase?.(result.path, phase),
    options.signal,
  );
  return withImageOutcome(result, outcome);
}

/**
 * A statically checked bundle with its image's outcome folded in. Also used by a publish
 * worker (src/scale-out), which must judge the bundle exactly as the gateway will.
 */
export function withImageOutcome(checked: BundleResult, outcome: ImageOutcome): BundleResult {
  const result: BundleResult = { ...checked, findings: [...checked.findings, ...outcome.findings] };
  sortFindings(result.findings);
  result.smoke = outcome.smoke;
  if (outcome.build) result.build = outcome.build;
  if (outcome.infrastructureError) result.infrastructureError = outcome.infrastructureError;
  result.conclusion = bundleConclusion(result.findings, result.smoke);
  return result;
}
