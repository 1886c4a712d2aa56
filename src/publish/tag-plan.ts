import { LATEST, tagsToApply } from "../core/tags.js";
import type { PublishStore } from "./publish-store.js";
import type { RegistryClient, RemoteManifest } from "./registry-client.js";

/**
 * The tags step of a publish, besides `<version>`: decided before anything is uploaded,
 * applied once the version's digest is known.
 *
 * - Plain tags (`-t`, `tags:`) point at this publish's image, moved from wherever they were;
 *   `latest` is one of them only when no tag is given or it is named, and moves only forward
 *   (publisher.ts decides that).
 * - Protected tags (`--protected-tag`, `protected_tags:`) are pushed once. If the registry
 *   already has one (or our records say it was pushed), the whole publish is refused before
 *   any upload, naming the tag and both digests — whatever the content.
 * - A plain tag may not move a protected tag or a published version.
 *
 * Tags are applied as manifest copies within the repository (no second push), so every tag
 * of one publish carries the version's digest.
 */
export interface TagPlan {
  /** Plain tags other than latest. */
  moving: string[];
  /** Whether latest was asked for (explicitly, or by giving no tags). */
  latest: boolean;
  protectedTags: string[];
}

export type TagPlanResult =
  { ok: true; plan: TagPlan } | { ok: false; tag: string; publishedDigest: string; message: string };

export interface AppliedTag {
  tag: string;
  protected: boolean;
  /** pushed: the tag now points here; current: it already did. */
  status: "pushed" | "current" | "would-push";
}

export interface TagRequest {
  /** Path in the registry, `namespace/type.kind.name`. */
  repository: string;
  version: string;
  tags?: readonly string[];
  protectedTags?: readonly string[];
}

export async function planTags(
  request: TagRequest,
  registry: RegistryClient,
  store: PublishStore,
  target: string,
  localImageId: string,
  /** Protected tags the catalogue knows for this series (versions included), with digests. */
  catalogueProtected: ReadonlyMap<string, string | undefined> = new Map(),
): Promise<TagPlanResult> {
  const requested = tagsToApply(request.tags);
  const protectedTags = [...new Set(request.protectedTags ?? [])].filter((t) => t !== request.version);
  const recorded = new Map(store.tags(target).map((r) => [r.tag, r]));

  for (const tag of protectedTags) {
    const published =
      (await registry.manifestDigest(request.repository, tag)) ??
      recorded.get(tag)?.digest ??
      (catalogueProtected.has(tag) ? (catalogueProtected.get(tag) ?? "(digest unknown)") : undefined);
    if (published !== undefined)
      return {
        ok: false,
        tag,
        publishedDigest: published,
        message:
          `protected tag "${tag}" was already pushed: ${target}:${tag} has digest ${published}; ` +
          `this build is image ${localImageId}. A protected tag is never pushed again, with other ` +
          `content or the same: remove "${tag}" from protected_tags / --protected-tag, or choose a new tag.`,
      };
  }
  for (const tag of requested) {
    const record = recorded.get(tag);
    const inCatalogue = tag !== request.version && catalogueProtected.has(tag);
    if (inCatalogue)
      return {
        ok: false,
        tag,
        publishedDigest: catalogueProtected.get(tag) ?? "(digest unknown)",
        message:
          `tag "${tag}" is protected in the catalogue (digest ${catalogueProtected.get(tag) ?? "unknown"}); ` +
          `this build is image ${localImageId}. An ordinary tag cannot move a protected one: drop "${tag}" from the tags.`,
      };
    if (record?.protected || protectedTags.includes(tag))
      return {
        ok: false,
        tag,
        publishedDigest: record?.digest ?? "(not yet pushed)",
        message:
          `tag "${tag}" is protected (${target}:${tag} has digest ${record?.digest ?? "— named protected in this publish"}); ` +
          `this build is image ${localImageId}. An ordinary tag cannot move a protected one: drop "${tag}" from the tags.`,
      };
    const version = tag === request.version ? undefined : store.find(target, tag);
    if (version)
      return {
        ok: false,
        tag,
        publishedDigest: version.digest,
        message:
          `tag "${tag}" is a published version of ${target} (digest ${version.digest}); this build is image ${localImageId}. ` +
          "Versions are protected: choose another tag name.",
      };
  }
  return {
    ok: true,
    plan: {
      moving: requested.filter((t) => t !== LATEST && t !== request.version),
      latest: requested.includes(LATEST),
      protectedTags,
    },
  };
}

/** Point every planned tag at `digest` (the version's manifest, copied) and record it. */
export async function applyTags(
  plan: TagPlan,
  request: TagRequest,
  context: { registry: RegistryClient; store: PublishStore; dryRun?: boolean; now: () => string },
  target: string,
  digest: string,
): Promise<AppliedTag[]> {
  const applied: AppliedTag[] = [];
  let manifest: RemoteManifest | undefined;
  const wanted = [
    ...plan.moving.map((tag) => ({ tag, protected: false })),
    ...plan.protectedTags.map((tag) => ({ tag, protected: true })),
  ];
  for (const { tag, protected: isProtected } of wanted) {
    const current = await context.registry.manifestDigest(request.repository, tag);
    if (current === digest) applied.push({ tag, protected: isProtected, status: "current" });
    else if (context.dryRun) applied.push({ tag, protected: isProtected, status: "would-push" });
    else {
      manifest ??= await context.registry.manifest(request.repository, request.version);
      if (!manifest || manifest.digest !== digest)
        throw new Error(
          `${target}:${request.version} changed while its tags were applied; nothing more tagged`,
        );
      await context.registry.putManifest(request.repository, tag, manifest);
      applied.push({ tag, protected: isProtected, status: "pushed" });
    }
    if (!context.dryRun)
      await context.store.recordTag({
        repository: target,
        tag,
        digest,
        version: request.version,
        protected: isProtected,
        taggedAt: context.now(),
      });
  }
  return applied;
}
