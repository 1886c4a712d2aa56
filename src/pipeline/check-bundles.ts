import { join } from "node:path";
import type { BundleLocation } from "../core/bundle-layout.js";
import { checkBundleStatic, imageRepositoryOf, type StaticCheck } from "../core/check-bundle.js";
import type { BundleListing } from "../core/bundle-files.js";
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
    // first: a pre-pass reads each manifest (nothing else) and keeps only its repository; the
    // rest of the hub's bundles are asked for once the checked names are known (a twin of an
    // unchanged bundle is a collision too). One thread: worker threads were measured slower
    // here (2 cores: more CPU, +65 MB).
    const single = plan.bundles.length === 1;
    const images = single
      ? []
      : plan.bundles.map((location) => imageRepository(plan.headDir, location, options, links));
    const shared = sharedRepositories(
      plan.bundles,
      images.map((image) => image?.repository),
      single
        ? []
        : await otherImages(
            plan,
            images.map((image) => image?.name),
          ),
    );
    await mapLimit(plan.bundles, STATIC_CONCURRENCY, async (location) => {
      const result = await streamedCheck(plan, location, options, links, shared);
      await options.events?.staticDone?.(result);
      await finish(result);
    });
    results = [];
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
  plan: Pick<CheckPlan, "otherImages">,
  names: ReadonlyArray<string | undefined>,
): Promise<readonly ImageOwner[]> {
  if (!plan.otherImages) return [];
  const components = new Set(names.filter((n): n is string => n !== undefined).map(imageNameComponent));
  return components.size > 0 ? plan.otherImages(components) : [];
}

async function staticCheck(
  headDir: string,
  location: BundleLocation,
  options: Pick<CheckOptions, "config" | "validator" | "base">,
  refusedLinks: ReadonlyArray<{ path: string; target: string }>,
): Promise<StaticCheck> {
  const bundleDir = join(headDir, location.root);
  try {
    const listing = bundleListing(bundleDir, location, refusedLinks);
    const entries = listing.entries;
    const manifest = readBundleFile(bundleDir, entries, "manifest.yml", MAX_MANIFEST_BYTES);
    const dockerfile = readBundleFile(bundleDir, entries, "Dockerfile", MAX_DOCKERFILE_BYTES);
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

/**
 * Image collisions need every bundle's image before the first is reported: a pre-pass
 * (imageRepository) gives each checked bundle's repository, `others` the rest of the hub's;
 * these are the repositories claimed more than once, with their bundles' roots.
 */
export function sharedRepositories(
  bundles: readonly BundleLocation[],
  repositories: ReadonlyArray<string | undefined>,
  others: readonly ImageOwner[] = [],
): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  const own = (repository: string, root: string) => {
    const roots = owners.get(repository);
    if (roots) roots.push(root);
    else owners.set(repository, [root]);
  };
  repositories.forEach((repository, i) => {
    if (repository) own(repository, bundles[i]!.root);
  });
  for (const other of others) own(other.repository, other.path);
  for (const [repository, roots] of owners) if (roots.length < 2) owners.delete(repository);
  return owners;
}

/**
 * One bundle of a streamed static check, with its image collisions marked: from the pre-pass
 * (`shared`), or, when it is the only bundle checked, from the rest of the hub asked now.
 */
export async function streamedCheck(
  plan: Pick<CheckPlan, "headDir" | "otherImages" | "bundles">,
  location: BundleLocation,
  options: Pick<CheckOptions, "config" | "validator" | "base">,
  refusedLinks: ReadonlyArray<{ path: string; target: string }>,
  shared: ReadonlyMap<string, readonly string[]>,
): Promise<BundleResult> {
  const check = await staticCheck(plan.headDir, location, options, refusedLinks);
  const repository = check.image?.repository;
  if (!repository) return check.result;
  const twins =
    plan.bundles.length === 1
      ? (await otherImages(plan, [check.result.name])).filter((other) => other.repository === repository)
      : (shared.get(repository) ?? [])
          .filter((root) => root !== location.root)
          .map((path) => ({ path, repository }));
  if (twins.length > 0) markImageCollisions([check], twins);
  return check.result;
}

/**
 * The bundle's entries as the checks see them: the folder as walked (`depth` levels), plus the
 * links an archive held but extraction refused (never created on disk, still reported: the
 * bundle check names each escaping link).
 */
function bundleListing(
  bundleDir: string,
  location: BundleLocation,
  refusedLinks: ReadonlyArray<{ path: string; target: string }>,
  depth = Infinity,
): BundleListing {
  const listing = readBundleListing(bundleDir, depth);
  for (const link of refusedLinks) {
    if (link.path.startsWith(`${location.root}/`))
      listing.entries.push({
        path: link.path.slice(location.root.length + 1),
        type: "symlink",
        linkTarget: link.target,
      });
  }
  return listing;
}

/**
 * The image repository staticCheck would find for the bundle, reading only its top-level
 * folder and manifest.yml (the top level is walked first and whole, so its entries are the
 * same unless it alone passes the entry cap; then the whole walk is done).
 */
export function imageRepository(
  headDir: string,
  location: BundleLocation,
  options: Pick<CheckOptions, "config" | "validator">,
  refusedLinks: ReadonlyArray<{ path: string; target: string }>,
): { repository: string; name: string } | undefined {
  const bundleDir = join(headDir, location.root);
  try {
    let listing = bundleListing(bundleDir, location, refusedLinks, 1);
    if (listing.truncated) listing = bundleListing(bundleDir, location, refusedLinks);
    const manifest = readBundleFile(bundleDir, listing.entries, "manifest.yml", MAX_MANIFEST_BYTES);
    return imageRepositoryOf(location, manifest.text, options.config, options.validator);
  } catch {
    return undefined; // staticCheck reports it (an infrastructure error: no image)
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
