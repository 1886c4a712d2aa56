import { finding, type Finding } from "../core/finding.js";
import { organizationFor, type HubConfig } from "../core/hub-config.js";
import type { BundleResult } from "../core/result.js";
import type { Publisher } from "../publish/publisher.js";
import { publishCheckedBundle, type BundlePublish } from "../publish/publish-bundle.js";
import {
  checkChangeRequest,
  type ChangeReporter,
  type ChangeRequestDeps,
  type ChangeSource,
} from "./change-request.js";

export interface PublishDeps extends ChangeRequestDeps {
  publisher: Publisher;
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
  const publishing: ChangeReporter = {
    planned: (bundles, outside) => reporter.planned(bundles, outside),
    staticDone: (result) => reporter.staticDone(result),
    phase: (path, phase, ms) => reporter.phase(path, phase, ms),
    bundleDone: async (result) => {
      const organization = config ? organizationFor(config, result.path, source.owner) : undefined;
      const outcome = await publishCheckedBundle(result, namespace, source.revision, deps.publisher, {
        organization,
      }).catch((error: Error): BundlePublish => ({
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
  await checkChangeRequest(source, publishing, deps, signal, {
    onConfig: (hub) => {
      namespace = hub.namespace;
      config = hub;
    },
  });
  return outcomes;
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
