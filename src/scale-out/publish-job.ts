import type { Finding } from "../core/finding.js";
import type { BundleResult } from "../core/result.js";
import type { ImageOutcome } from "../pipeline/image-pipeline.js";
import type { BundlePublish } from "../publish/publish-bundle.js";
import type { PublishRecord, TagRecord } from "../publish/publish-store.js";
import type { PublishRequest } from "../publish/publisher.js";
import type { CheckJobData } from "./check-job.js";

/**
 * The publish records of one registry repository, as the gateway keeps them: what a publish
 * worker's decisions read (was this version pushed before, which versions are newer than this
 * one, which tags are protected), and what it hands back to be recorded.
 */
export interface PublishLedger {
  records: PublishRecord[];
  tags: TagRecord[];
}

/**
 * A `publish` job: one bundle of merged code to build, smoke-test and publish on a publish
 * worker. It carries no platform token; the files travel beside it (bundleKey).
 */
export interface PublishJobData {
  check: CheckJobData;
  /** The bundle's static result (it passed: only buildable bundles are sent). */
  checked: BundleResult;
  /** Findings of packing the build context (left-out symlinks), judged with the image's. */
  contextFindings: Finding[];
  /** The hub's image namespace; a bundle outside it is never published. */
  hubNamespace: string;
  /** Where in the registry: the bundle's organisation, else the gateway's HUBGATE_NAMESPACE. */
  namespace: string;
  /** The registry the gateway expects (`host[:port]`); a worker set up for another refuses. */
  registry: string;
  /** The gateway's records for the target repository, and the catalogue's protected tags. */
  ledger: PublishLedger & { protectedTags: Array<[string, string | null]> };
  /**
   * Set by the worker the moment it pushed the version (BullMQ's job.updateData): a retry after
   * the worker died knows the registry's version is this job's, though its rebuild may differ.
   */
  pushed?: string;
}

export interface PublishJobResult {
  /** As a check worker's: what the gateway reports about the build and smoke tests. */
  image: ImageOutcome;
  publish: BundlePublish;
  /** What was (or would have been) pushed, when the bundle passed. */
  request?: PublishRequest;
  /** Records the publish wrote or changed, for the gateway to keep. */
  ledger: PublishLedger;
}
