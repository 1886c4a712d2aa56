import type { HubConfig } from "../core/hub-config.js";
import type { ImageReference } from "../core/image-name.js";
import type { Manifest } from "../core/manifest.js";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";

/**
 * A `check` job: what a worker needs to build and smoke-test one bundle, and nothing more.
 * No platform token, no URL to fetch more: the files travel beside it (bundleKey).
 */
export interface CheckJobData {
  bundlePath: string;
  image: ImageReference;
  manifest: Manifest;
  config: HubConfig;
  revision?: RevisionInfo;
}
