import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { BundleLocation } from "../core/bundle-layout.js";
import type { ChangedPath } from "../core/changed-bundles.js";
import type { Finding } from "../core/finding.js";
import type { HubConfig } from "../core/hub-config.js";
import { InfrastructureError } from "../core/infrastructure-error.js";
import type { ManifestValidator } from "../core/manifest-validator.js";
import type { BundleResult, CheckResult } from "../core/result.js";
import { HUB_CONFIG_FILE, loadHubConfig } from "../config/hub-config-file.js";
import { ArchiveLimitError } from "../sources/extract-tarball.js";
import { archiveLimitResult, extractLimitsFor } from "./archive-limits.js";
import { checkBundles } from "./check-bundles.js";
import { checkoutBundles, planChange } from "./plan-change.js";
import type { ImagePipeline, Phase, RevisionInfo } from "./image-pipeline.js";
import type { Logger } from "./logger.js";

/**
 * What a platform adapter provides about one pull/merge request (or merge commit).
 * Only neutral types cross this boundary (DESIGN rule 3).
 */
export interface ChangeSource {
  /** Every changed path (the adapter pages through the API and falls back when capped). */
  changedFiles(signal: AbortSignal): Promise<ChangedPath[]>;
  /** A file on the base branch: hub config and base manifests never come from the head. */
  readBaseFile(path: string): Promise<string | undefined>;
  /** Every file's path in the head commit: bundles are found by their markers in it. */
  headFiles(signal: AbortSignal): Promise<string[]>;
  /** The head commit as a .tar.gz stream with one top-level folder. */
  downloadHead(signal: AbortSignal): Promise<Readable>;
  revision: RevisionInfo;
  /** Who owns the change's source repository (GitHub login, GitLab namespace): hub config `organizations[].owners`. */
  owner?: string;
}

/** Where results go. Each call is an idempotent "ensure" on the platform (DESIGN rule 4). */
export interface ChangeReporter {
  planned(bundles: BundleLocation[], outside: Finding[]): Promise<void>;
  staticDone(result: BundleResult): Promise<void>;
  phase(bundlePath: string, phase: Phase, elapsedMs: number): Promise<void>;
  bundleDone(result: BundleResult): Promise<void>;
  finished(result: CheckResult): Promise<void>;
  /** The whole run stopped on our side (platform 5xx, archive unreadable). */
  infrastructureFailure(message: string): Promise<void>;
  /** A newer commit superseded this run. */
  cancelled(): Promise<void>;
}

export interface ChangeRequestDeps {
  validator: ManifestValidator;
  images?: ImagePipeline;
  jobs: number;
  logger: Logger;
  /** Minimum time between two progress updates of one bundle. */
  progressIntervalMs?: number;
  /** Where head trees are unpacked (the server's own folder, emptied at start); default: the OS temp dir. */
  workDir?: string;
}

export interface ChangeRequestOutcome {
  result?: CheckResult;
  config?: HubConfig;
}

/** Check one change request end to end; platform-neutral, shared by GitHub and GitLab. */
export async function checkChangeRequest(
  source: ChangeSource,
  reporter: ChangeReporter,
  deps: ChangeRequestDeps,
  signal: AbortSignal,
  options: { onConfig?: (config: HubConfig) => void } = {},
): Promise<ChangeRequestOutcome> {
  let headDir: string | undefined;
  try {
    // The hub's rules come from the base branch; their problems are findings at their line.
    const loaded = await loadHubConfig(await source.readBaseFile(HUB_CONFIG_FILE), HUB_CONFIG_FILE);
    if (!loaded.config) {
      const result: CheckResult = {
        conclusion: "failure",
        bundles: [],
        findings: loaded.findings,
        nothingChecked: {
          reason: "hub-config-invalid",
          message: `0 bundles checked: ${HUB_CONFIG_FILE} on the base branch has problems; the hub's maintainers must fix it there.`,
        },
      };
      await reporter.planned([], loaded.findings);
      await reporter.finished(result);
      return { result };
    }
    const config = loaded.config;
    options.onConfig?.(config);
    const planned = await planChange(source, config, signal, HUB_CONFIG_FILE);
    throwIfAborted(signal);
    await reporter.planned(planned.bundles, planned.findings);
    if (planned.bundles.length === 0 && planned.findings.length === 0) {
      const result: CheckResult = { conclusion: "success", bundles: [], findings: [] };
      if (planned.nothingChecked) result.nothingChecked = planned.nothingChecked;
      await reporter.finished(result);
      return { result, config };
    }
    headDir = await mkdtemp(join(deps.workDir ?? tmpdir(), "hubgate-head-"));
    let plan;
    try {
      plan = await checkoutBundles(
        source,
        planned,
        headDir,
        signal,
        extractLimitsFor(config, planned.bundles.length),
        config.namespace,
      );
    } catch (error) {
      if (!(error instanceof ArchiveLimitError) || signal.aborted) throw error;
      // Too much to unpack is the change's doing: a failure on the bundles, not our side.
      const result = archiveLimitResult(error, planned.bundles, planned.findings);
      for (const bundle of result.bundles) await reporter.bundleDone(bundle);
      await reporter.finished(result);
      return { result, config };
    }
    throwIfAborted(signal);

    const lastProgress = new Map<string, number>();
    const started = new Map<string, number>();
    const interval = deps.progressIntervalMs ?? 10_000;
    const result = await checkBundles(plan, {
      config,
      validator: deps.validator,
      // check-bundles asks for a moved bundle's manifest at its previous root.
      base: { manifest: (root) => source.readBaseFile(`${root}/manifest.yml`) },
      images: deps.images,
      revision: source.revision,
      jobs: deps.jobs,
      signal,
      events: {
        // Once superseded, results are stale: cancelled() below reports the run instead.
        staticDone: async (r) => (signal.aborted ? undefined : reporter.staticDone(r)),
        bundleDone: async (r) => (signal.aborted ? undefined : reporter.bundleDone(r)),
        phase: (bundle, phase) => {
          const now = Date.now();
          if (!started.has(bundle)) started.set(bundle, now);
          if (phase === "done" || now - (lastProgress.get(bundle) ?? 0) < interval) return;
          lastProgress.set(bundle, now);
          reporter
            .phase(bundle, phase, now - started.get(bundle)!)
            .catch((error: Error) => deps.logger.warn({ err: error }, "progress update failed"));
        },
      },
    });
    throwIfAborted(signal);
    await reporter.finished(result);
    return { result, config };
  } catch (error) {
    if (signal.aborted) {
      await reporter
        .cancelled()
        .catch((e: Error) => deps.logger.warn({ err: e }, "could not mark the run cancelled"));
      return {};
    }
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error({ err: error }, "change request check failed on our side");
    await reporter
      .infrastructureFailure(message)
      .catch((e: Error) => deps.logger.error({ err: e }, "could not report the failure"));
    return {};
  } finally {
    if (headDir) await rm(headDir, { recursive: true, force: true });
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new InfrastructureError("cancelled: superseded by a newer commit");
}
