import type { BundleResult } from "../core/result.js";
import { mergeTags, type TagSelection } from "../core/tags.js";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";
import type { PublishOutcome, Publisher } from "./publisher.js";

/** A bundle's line in a publish report: the publisher's outcome, or why it was not tried. */
export type BundlePublish = { path: string } & (
  PublishOutcome | { status: "skipped"; references: string[]; message: string; infrastructure: boolean }
);

/** `jinahub/pod.encoder.x:0.0.1` → `pod.encoder.x`, given the hub namespace and version. */
export function repositoryComponent(image: string, namespace: string, version: string): string | undefined {
  const prefix = `${namespace}/`;
  const suffix = `:${version}`;
  if (!image.startsWith(prefix) || !image.endsWith(suffix)) return undefined;
  return image.slice(prefix.length, image.length - suffix.length) || undefined;
}

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
  const skipped = (message: string, infrastructure = false): BundlePublish => ({
    path: bundle.path,
    status: "skipped",
    references: [],
    message,
    infrastructure,
  });
  if (bundle.infrastructureError) return skipped("the checks did not finish", true);
  if (bundle.conclusion !== "success") return skipped("the checks failed");
  const { image, name, kind, version, build } = bundle;
  if (!image || !name || !kind || !version || !build) return skipped("no image was built");
  const component = repositoryComponent(image, hubNamespace, version);
  if (!component) return skipped(`cannot read the image name ${image}`);
  const tags = mergeTags({ tags: bundle.tags, protectedTags: bundle.protectedTags }, options.tags);
  const outcome = await publisher.publish({
    // The ID of the image the smoke tests ran, not its tag: a tag can be moved meanwhile.
    localImage: build.imageId,
    repository: `${options.organization ?? publisher.settings.namespace}/${component}`,
    version,
    tags: tags.tags,
    protectedTags: tags.protectedTags,
    bundle: { name, kind },
    sourceRepository: revision.sourceUrl,
    commit: revision.commit,
  });
  return { path: bundle.path, ...outcome };
}
