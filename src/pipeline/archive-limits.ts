import type { BundleLocation } from "../core/bundle-layout.js";
import { finding, type Finding } from "../core/finding.js";
import type { HubConfig } from "../core/hub-config.js";
import type { CheckResult } from "../core/result.js";
import {
  DEFAULT_EXTRACT_LIMITS,
  type ArchiveLimitError,
  type ExtractLimits,
} from "../sources/extract-tarball.js";

/**
 * How much of a head archive may be unpacked: the changed bundles' build contexts at most
 * (a bundle bigger than its context limit fails the build anyway), never past the defaults.
 */
export function extractLimitsFor(config: HubConfig, bundles: number): ExtractLimits {
  return {
    ...DEFAULT_EXTRACT_LIMITS,
    maxBytes: Math.min(DEFAULT_EXTRACT_LIMITS.maxBytes, Math.max(1, bundles) * config.build.maxContextBytes),
  };
}

/** Every planned bundle fails with one finding naming the limit (on the bundle it hit, else on all). */
export function archiveLimitResult(
  error: ArchiveLimitError,
  bundles: readonly BundleLocation[],
  outside: Finding[],
): CheckResult {
  const owner = bundles.find((b) => error.path !== undefined && error.path.startsWith(`${b.root}/`));
  const results = bundles.map((bundle) => {
    const hit = owner === undefined || owner === bundle;
    const file = hit && owner && error.path ? error.path : bundle.root;
    const message = hit
      ? `the change could not be unpacked for checking: ${error.message}. Keep large data out of the bundle (download it at build time or at start-up).`
      : "not checked: another bundle of this change exceeded the archive limits.";
    return {
      path: bundle.root,
      conclusion: "failure" as const,
      findings: [finding(file, "error", "archive/limit", message)],
      smoke: [],
    };
  });
  return { conclusion: "failure", bundles: results, findings: outside };
}
