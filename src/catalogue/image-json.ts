import type { CatalogueImage } from "./catalogue-store.js";

/**
 * The seed's Docker-image object (`/v1/docker/*`): its fields, in its order, then what the
 * catalogue adds (read-only). `registry_password` is always null: the password is sealed at
 * rest and never leaves the server; `registry_password_set` says whether one is stored.
 */
export function imageJson(image: CatalogueImage): Record<string, unknown> {
  return {
    pk: image.pk,
    name: image.name,
    version: image.version,
    url: image.url,
    registry_url: image.registryUrl,
    registry_username: image.registryUsername,
    registry_password: null,
    cuda_version: image.cudaVersion,
    framework: image.framework,
    domain: image.domain,
    tasks: image.tasks,
    min_hardware_generation: image.minHardwareGeneration,
    cpu: image.cpu,
    licence: image.licence,
    // Additions (read-only):
    registry_password_set: image.registryPasswordSet,
    kind: image.kind,
    description: image.description,
    digest: image.digest,
    revision: image.revision,
    tags: image.tags,
    published_at: image.publishedAt,
    created_at: image.createdAt,
    updated_at: image.updatedAt,
    deprecated: image.deprecated,
    deprecation_reason: image.deprecationReason,
  };
}

/** The read-only additions a client may send back unchanged (GET, edit, PUT) without a 400. */
export const READ_ONLY_FIELDS = new Set([
  "pk",
  "registry_password_set",
  "digest",
  "revision",
  "tags",
  "published_at",
  "created_at",
  "updated_at",
  "deprecated",
  "deprecation_reason",
]);
