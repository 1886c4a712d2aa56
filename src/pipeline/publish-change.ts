import { finding, type Finding } from "../core/finding.js";
import { organizationFor, type HubConfig } from "../core/hub-config.js";
import type { BundleResult } from "../core/result.js";
import type { Publisher } from "../publish/publisher.js";
import { publishCheckedBundle, publishSkip, type BundlePublish } from "../publish/publish-bundle.js";
import {
  checkChangeRequest,
  type ChangeReporter,
  type ChangeRequestDeps,
  type ChangeSource,
} from "./change-request.js";
import type { ImageJob, ImageOutcome, ImagePipeline, Phase } from "./image-pipeline.js";

export interface PublishDeps extends ChangeRequestDeps {
  /** Builds with `images` here, then pushes; or, scale-out, `remote` does both on a publish worker. */
  publisher?: Publisher;
  remote?: RemotePublishing;
}

/** One bundle of merged code for a publish worker: its image job and its passed static checks. */
export interface RemotePublishRequest {
  job: ImageJob;
  checked: BundleResult;
  hubNamespace: string;
  organization?: string;
}

/**
 * Scale-out (src/scale-out/remote-publishing.ts): a publish worker, which holds the registry
 * credentials, builds, smoke-tests and publishes one bundle in one job (the image it pushes is
 * the one it tested, on its own engine); the caller keeps the records and reports.
 */
export interface RemotePublishing {
  run(
    request: RemotePublishRequest,
    onPhase: (phase: Phase) => void,
    signal?: AbortSignal,
  ): Promise<{ image: ImageOutcome; publish: BundlePublish }>;
}

/**
 * On merge (or a push to the default branch): the same checks with a build, then each
 * bundle that passed is published. The reporter sees each bundle once, with the publish
 * outcome folded in as findings, so the merge commit's check run names what was pushed.
 * Platform-neutral: GitHub and GitLab both call this.
 */
export async function publishChange(
  source: ChangeSource,
  reporter: ChangeReporter,
  deps: PublishDeps,
  signal: AbortSignal,
): Promise<BundlePublish[]> {
  const outcomes: BundlePublish[] = [];
  let namespace = "jinahub";
  let config: HubConfig | undefined;
  const organization = (path: string) => (config ? organizationFor(config, path, source.owner) : undefined);
  // Scale-out: each bundle's image job goes, with its static result, to a publish worker.
  const checked = new Map<string, BundleResult>();
  const remoteOutcomes = new Map<string, BundlePublish>();
  const remote = deps.remote;
  const images: ImagePipeline | undefined = remote
    ? {
        async run(job, onPhase, signal) {
          const request = {
            job,
            checked: checked.get(job.bundlePath)!,
            hubNamespace: namespace,
            organization: organization(job.bundlePath),
          };
          const { image, publish } = await remote.run(request, onPhase, signal);
          remoteOutcomes.set(job.bundlePath, publish);
          return image;
        },
      }
    : deps.images;
  const publish = (result: BundleResult): Promise<BundlePublish> => {
    if (deps.publisher)
      return publishCheckedBundle(result, namespace, source.revision, deps.publisher, {
        organization: organization(result.path),
      });
    // The worker's outcome; for a bundle never sent (its checks failed), why it was not.
    const known = remoteOutcomes.get(result.path) ?? publishSkip(result, namespace);
    return Promise.resolve(known ?? notBuilt(result.path));
  };
  const publishing: ChangeReporter = {
    planned: (bundles, outside) => reporter.planned(bundles, outside),
    staticDone: (result) => {
      checked.set(result.path, result);
      return reporter.staticDone(result);
    },
    phase: (path, phase, ms) => reporter.phase(path, phase, ms),
    bundleDone: async (result) => {
      const outcome = await publish(result).catch((error: Error): BundlePublish => ({
        path: result.path,
        status: "failed",
        references: [],
        message: error.message,
        infrastructure: true,
      }));
      outcomes.push(outcome);
      await reporter.bundleDone(withPublishOutcome(result, outcome));
    },
    finished: (result) => reporter.finished(result),
    infrastructureFailure: (message) => reporter.infrastructureFailure(message),
    cancelled: () => reporter.cancelled(),
  };
  // The hub's namespace (local image names) is known once the base branch's config is read.
  await checkChangeRequest(source, publishing, { ...deps, images }, signal, {
    onConfig: (hub) => {
      namespace = hub.namespace;
      config = hub;
    },
  });
  return outcomes;
}

/** A passed bundle with no publish outcome: its worker did not answer for it (never expected). */
function notBuilt(path: string): BundlePublish {
  return {
    path,
    status: "skipped",
    references: [],
    message: "no publish worker result",
    infrastructure: true,
  };
}

/** The publish outcome as part of the bundle's result: a notice when pushed, an error when refused. */
export function withPublishOutcome(result: BundleResult, outcome: BundlePublish): BundleResult {
  const manifest = `${result.path}/manifest.yml`;
  const findings: Finding[] = [...result.findings];
  const refs = outcome.references.join(", ");
  const digest = "digest" in outcome && outcome.digest ? ` (${outcome.digest})` : "";
  switch (outcome.status) {
    case "published":
    case "unchanged":
      findings.push(
        finding(
          manifest,
          "notice",
          "publish/published",
          `${outcome.status === "published" ? "Published" : "Already published, unchanged"}: ${refs}${digest}.`,
        ),
      );
      break;
    case "not-configured":
      findings.push(
        finding(
          manifest,
          "notice",
          "publish/not-configured",
          "Validated and built; nothing was pushed because no registry is configured (HUBGATE_REGISTRY).",
        ),
      );
      break;
    case "refused":
      if ("refusedTag" in outcome && outcome.refusedTag !== undefined) {
        findings.push(finding(manifest, "error", "publish/protected-tag", outcome.message));
        break;
      }
      findings.push(
        finding(
          manifest,
          "error",
          "publish/version-exists",
          `${outcome.message} Raise the version in manifest.yml.`,
        ),
      );
      break;
    case "skipped":
      if (!outcome.infrastructure)
        findings.push(finding(manifest, "notice", "publish/skipped", `Not published: ${outcome.message}.`));
      break;
    default:
      break;
  }
  const failedOnOurSide =
    outcome.infrastructure && outcome.status !== "skipped"
      ? `publishing failed on our side: ${outcome.message}`
      : undefined;
  return {
    ...result,
    findings,
    conclusion: outcome.status === "refused" ? "failure" : result.conclusion,
    ...(failedOnOurSide ? { infrastructureError: failedOnOurSide } : {}),
  };
}
