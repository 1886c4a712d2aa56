// `hubgate publish PATH... [--registry HOST[:PORT]] [--dry-run] [--format text|json]`:
// the checks of `hubgate check --build`, then each bundle that passed is published.
// Credentials come from the environment only, so they never sit in shell history or `ps`.
import { loadManifestValidator } from "../config/validators.js";
import { organizationFor, type HubConfig } from "../core/hub-config.js";
import { isInfrastructureError } from "../core/infrastructure-error.js";
import { hasInfrastructureError, type CheckResult } from "../core/result.js";
import { checkBundles } from "../pipeline/check-bundles.js";
import { defaultJobs } from "../settings/parallelism.js";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";
import { createPublisher, type Publisher } from "../publish/publisher.js";
import { publishCheckedBundle, type BundlePublish } from "../publish/publish-bundle.js";
import {
  PublishSettingsError,
  readPublishSettings,
  type PublishSettings,
} from "../publish/publish-settings.js";
import { PublishStoreError } from "../publish/publish-store.js";
import { planLocalCheck } from "../sources/local-plan.js";
import { UsageError, type PublishArgs } from "./args.js";
import { formatJson } from "./formats/json.js";
import { COLOURS, formatText, PLAIN } from "./formats/text.js";
import { Progress } from "./progress.js";

export async function runPublishCommand(args: PublishArgs, env: NodeJS.ProcessEnv): Promise<number> {
  if (args.format !== "text" && args.format !== "json")
    throw new UsageError(`publish supports --format text or json, not "${args.format}"`);
  let settings: PublishSettings;
  try {
    settings = readPublishSettings(env, { registry: args.registry, cwd: process.cwd() });
  } catch (error) {
    if (error instanceof PublishSettingsError) return fail(error.message);
    throw error;
  }
  if (!settings.registry && !args.dryRun)
    return fail(
      "publishing is not configured: set HUBGATE_REGISTRY (host[:port]) or pass --registry; nothing was built or pushed",
    );

  // Opened before the builds: a broken data dir should not cost a build to find out.
  let publisher: Publisher;
  try {
    publisher = await createPublisher(settings, { dryRun: args.dryRun });
  } catch (error) {
    if (error instanceof PublishStoreError) return fail(error.message);
    throw error;
  }
  try {
    try {
      await publisher.checkAccess();
    } catch (error) {
      if (isInfrastructureError(error)) return fail(`${error.message}; nothing was built or pushed`);
      throw error;
    }
    const checked = await checkWithBuild(args, env);
    const { result } = checked;
    const published: BundlePublish[] = [];
    for (const bundle of result.bundles)
      published.push(
        await publishCheckedBundle(bundle, checked.namespace, checked.revision, publisher, {
          tags: { tags: args.tags, protectedTags: args.protectedTags },
          organization: organizationFor(checked.config, bundle.path),
        }),
      );
    const color = process.stdout.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
    process.stdout.write(
      args.format === "json"
        ? formatPublishJson(result, published, settings, args.dryRun)
        : formatText(result, color ? COLOURS : PLAIN) + formatPublishText(published, settings, args.dryRun),
    );
    if (hasInfrastructureError(result) || published.some((p) => p.infrastructure)) return 2;
    const refusedOrFailed = published.some((p) => p.status === "refused" || p.status === "failed");
    return result.conclusion === "failure" || refusedOrFailed ? 1 : 0;
  } finally {
    await publisher.close();
  }
}

/** Same plan and pipeline as `hubgate check --build`, over every bundle below the paths. */
interface CheckedForPublish {
  result: CheckResult;
  /** The hub's namespace: the first component of the local image names. */
  namespace: string;
  revision: RevisionInfo;
  config: HubConfig;
}

async function checkWithBuild(args: PublishArgs, env: NodeJS.ProcessEnv): Promise<CheckedForPublish> {
  const local = await planLocalCheck({ cwd: process.cwd(), paths: args.paths, configPath: args.config });
  const validator = await loadManifestValidator();
  const { createDockerImagePipeline } = await import("../docker/docker-image-pipeline.js");
  const { revisionFromEnvironment } = await import("../sources/revision-info.js");
  const revision = await revisionFromEnvironment(env, local.topLevel, {
    sourceUrl: args.repositoryUrl,
    branch: args.revisionBranch,
    tag: args.revisionTag,
  });
  const progress = new Progress(process.stderr, process.stderr.isTTY === true);
  try {
    const result = await checkBundles(local.plan, {
      config: local.config,
      validator,
      base: local.base,
      images: createDockerImagePipeline({}),
      revision,
      jobs: defaultJobs(),
      events: { phase: (bundle, phase) => progress.phase(bundle, phase) },
    });
    return { result, namespace: local.config.namespace, revision, config: local.config };
  } finally {
    progress.stop();
  }
}

function formatPublishText(
  published: readonly BundlePublish[],
  settings: PublishSettings,
  dryRun: boolean,
): string {
  const where = settings.registry ? `to ${settings.registry}` : "(no registry configured)";
  const out = [`publish ${where}${dryRun ? ", dry run: nothing pushed" : ""}`];
  for (const p of published) out.push(`  ${p.path}  ${p.status}: ${p.message}`);
  const count = (status: string) => published.filter((p) => p.status === status).length;
  const parts = (
    [
      [dryRun ? "would-publish" : "published", dryRun ? "to publish" : "published"],
      ["unchanged", "unchanged"],
      ["refused", "refused"],
      ["failed", "failed"],
      ["skipped", "skipped"],
      ["not-configured", "not configured"],
    ] as const
  )
    .map(([status, label]) => [count(status), label] as const)
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`);
  out.push(parts.length ? parts.join(", ") : "nothing to publish");
  return out.join("\n") + "\n";
}

function formatPublishJson(
  result: CheckResult,
  published: readonly BundlePublish[],
  settings: PublishSettings,
  dryRun: boolean,
): string {
  const check = JSON.parse(formatJson(result)) as Record<string, unknown>;
  const publish = { registry: settings.registry ?? null, dryRun, bundles: published };
  return JSON.stringify({ ...check, publish }, null, 2) + "\n";
}

function fail(message: string): number {
  process.stderr.write(`hubgate: ${message}\n`);
  return 2;
}
