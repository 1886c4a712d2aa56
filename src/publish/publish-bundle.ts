import type { BundleResult } from "../core/result.js";
import { mergeTags, type TagSelection } from "../core/tags.js";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";
import type { PublishOutcome, Publisher, PublishRequest } from "./publisher.js";

/** A bundle's line in a publish report: the publisher's outcome, or why it was not tried. */
export type BundlePublish = { path: string } & (
  PublishOutcome | { status: "skipped"; references: string[]; message: string; infrastructure: boolean }
);

/**
 * Publish one checked bundle: only one that passed every check and was built and smoke-
 * tested is ever pushed. Shared by `hubgate publish` and the merge handlers of both platforms.
 */
export interface BundlePublishOptions {
  /** Tags from the command line, added to the hub config's and the manifest's. */
  tags?: Partial<TagSelection>;
  /** Publish into this organisation's namespace instead of the hub's (hub config `organizations`). */
  organization?: string;
}

export async function publishCheckedBundle(
  bundle: BundleResult,
  hubNamespace: string,
  revision: RevisionInfo,
  publisher: Publisher,
  options: BundlePublishOptions = {},
): Promise<BundlePublish> {
  const skipped = publishSkip(bundle, hubNamespace);
  if (skipped) return skipped;
  const request = publishRequestFor(
    bundle,
    revision,
    options.organization ?? publisher.settings.namespace,
    options,
  );
  return { path: bundle.path, ...(await publisher.publish(request)) };
}

/** Why a checked bundle is not published, or undefined when it may be. */
export function publishSkip(bundle: BundleResult, hubNamespace: string): BundlePublish | undefined {
  const skipped = (message: string, infrastructure = false): BundlePublish => ({
    path: bundle.path,
    status: "skipped",
    references: [],
    message,
    infrastructure,
  });
  if (bundle.infrastructureError) return skipped("the checks did not finish", true);
  if (bundle.conclusion !== "success") return skipped("the checks failed");
  const { imageRef, name, kind, build } = bundle;
  if (!imageRef || !name || !kind || !build) return skipped("no image was built");
  if (imageRef.namespace !== hubNamespace)
    return skipped(`the image ${imageRef.reference} is not in the hub's namespace ${hubNamespace}`);
  return undefined;
}

/** What to push for a bundle that may be published (publishSkip said so), into `namespace`. */
export function publishRequestFor(
  bundle: BundleResult,
  revision: RevisionInfo,
  namespace: string,
  options: Pick<BundlePublishOptions, "tags"> = {},
): PublishRequest {
  const { imageRef, name, kind, build } = bundle;
  if (!imageRef || !name || !kind || !build) throw new Error(`${bundle.path}: no image was built`);
  const tags = mergeTags({ tags: bundle.tags, protectedTags: bundle.protectedTags }, options.tags);
  return {
    // The ID of the image the smoke tests ran, not its tag: a tag can be moved meanwhile.
    localImage: build.imageId,
    repository: `${namespace}/${imageRef.component}`,
    // The tag, which is the version with build metadata's + mapped to _.
    version: imageRef.tag,
    tags: tags.tags,
    protectedTags: tags.protectedTags,
    bundle: { name, kind },
    sourceRepository: revision.sourceUrl,
    commit: revision.commit,
    metadata: bundle.metadata,
    revision,
  };
}
