import type { BundleResult } from "../core/result.js";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";
import type { PublishOutcome, Publisher } from "./publisher.js";

/** A bundle's line in a publish report: the publisher's outcome, or why it was not tried. */
export type BundlePublish = { path: string } & (
  PublishOutcome | { status: "skipped"; references: string[]; message: string; infrastructure: boolean }
);

/**
 * Publish one checked bundle: only one that passed every check and was built and smoke-
 * tested is ever pushed. Shared by `hubgate publish` and the merge handlers of both platforms.
 */
export async function publishCheckedBundle(
  bundle: BundleResult,
  hubNamespace: string,
  revision: RevisionInfo,
  publisher: Publisher,
): Promise<BundlePublish> {
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
  const outcome = await publisher.publish({
    // The ID of the image the smoke tests ran, not its tag: a tag can be moved meanwhile.
    localImage: build.imageId,
    repository: `${publisher.settings.namespace}/${imageRef.component}`,
    // The tag, which is the version with build metadata's + mapped to _.
    version: imageRef.tag,
    bundle: { name, kind },
    sourceRepository: revision.sourceUrl,
    commit: revision.commit,
    metadata: bundle.metadata,
    revision,
  });
  return { path: bundle.path, ...outcome };
}
