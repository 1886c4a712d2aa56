import type { Finding } from "../core/finding.js";
import type { HubConfig } from "../core/hub-config.js";
import type { ImageReference } from "../core/image-name.js";
import type { Manifest } from "../core/manifest.js";
import type { BuildSummary, SmokeResult } from "../core/result.js";

/** What a bundle's image goes through, in order; reported live to the contributor. */
export type Phase = "queued" | "build" | "smoke:run" | "smoke:pod" | "smoke:replicas" | "tag" | "done";

/** Where the source came from, for OCI labels (org.opencontainers.image.source/revision). */
export interface RevisionInfo {
  sourceUrl?: string;
  commit?: string;
  branch?: string;
  tag?: string;
}

export interface ImageJob {
  /** Absolute path of the bundle folder on disk (build context). */
  bundleDir: string;
  /** Repository-relative bundle path, the prefix of every finding's `file`. */
  bundlePath: string;
  image: ImageReference;
  manifest: Manifest;
  config: HubConfig;
  revision?: RevisionInfo;
}

export interface ImageOutcome {
  /** Contributor-facing problems: build failure at its Dockerfile line, oversized context, escaping symlink. */
  findings: Finding[];
  build?: BuildSummary;
  smoke: SmokeResult[];
  /** Set when the engine, not the bundle, failed. */
  infrastructureError?: string;
}

/** Build, smoke-test and tag one bundle's image. Implemented by src/docker/. */
export interface ImagePipeline {
  run(job: ImageJob, onPhase: (phase: Phase) => void, signal?: AbortSignal): Promise<ImageOutcome>;
}
