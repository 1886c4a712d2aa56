import type { BundleMetadata } from "./bundle-metadata.js";
import { hasErrors, type Finding } from "./finding.js";
import type { ImageReference } from "./image-name.js";
import type { NothingChecked } from "./nothing-checked.js";

export type SmokeTestName = "run" | "pod" | "replicas";

export interface SmokeResult {
  name: SmokeTestName;
  passed: boolean;
  durationMs: number;
  /** Why it failed: exit code, timeout, not ready, did not stop. */
  reason?: string;
  /** Last lines the container(s) printed, for the report. */
  logTail?: string[];
}

export interface BuildSummary {
  imageId: string;
  durationMs: number;
  /** Tags applied locally, e.g. `jinahub/pod.encoder.awesomeencoder:0.0.1`. */
  tags: string[];
  logTail: string[];
}

export interface BundleResult {
  path: string;
  kind?: string;
  name?: string;
  version?: string;
  /** The image reference as text (`jinahub/pod.encoder.foo:1.0.0`), as in the JSON contract. */
  image?: string;
  /** Extra tags from the hub config and manifest (none: `latest` when published). */
  tags?: string[];
  /** Tags pushed once, never again. */
  protectedTags?: string[];
  /** The same reference, structured: never parse `image` back. */
  imageRef?: ImageReference;
  conclusion: "success" | "failure";
  findings: Finding[];
  smoke: SmokeResult[];
  build?: BuildSummary;
  /** Catalogue metadata from the manifest and layout (not part of the JSON output contract). */
  metadata?: BundleMetadata;
  /** Set when our side failed (Docker down, engine error): not the contributor's fault. */
  infrastructureError?: string;
}

export interface CheckResult {
  conclusion: "success" | "failure";
  bundles: BundleResult[];
  /** Findings outside any bundle (badly placed files, the hub's configuration). */
  findings: Finding[];
  /** Why no bundle was checked, when none was. */
  nothingChecked?: NothingChecked;
}

export function bundleConclusion(
  findings: readonly Finding[],
  smoke: readonly SmokeResult[],
): "success" | "failure" {
  return hasErrors(findings) || smoke.some((s) => !s.passed) ? "failure" : "success";
}

export function overallConclusion(
  bundles: readonly BundleResult[],
  findings: readonly Finding[],
): "success" | "failure" {
  return hasErrors(findings) || bundles.some((b) => b.conclusion === "failure") ? "failure" : "success";
}

export function hasInfrastructureError(result: CheckResult): boolean {
  return result.bundles.some((b) => b.infrastructureError !== undefined);
}
