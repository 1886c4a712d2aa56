import { createHash } from "node:crypto";

/**
 * When are a local image and a published one "the same content"?
 *
 * 1. Same image ID. The ID is the digest of the image config, which names every layer by
 *    the digest of its uncompressed content (rootfs.diff_ids); a registry manifest points at
 *    that very config, so `manifest.config.digest === docker image inspect .Id` proves the
 *    registry holds exactly this image. (The manifest digest itself cannot be known before
 *    pushing: it covers the compressed layers, which the engine produces during the push.)
 * 2. Same layers and same runtime config, ignoring only the build date. Every hubgate build
 *    stamps `org.opencontainers.image.created`, so rebuilding an unchanged bundle (a re-run of
 *    the publish job, all steps from the build cache) gives a new image ID for identical
 *    files and identical behaviour. Refusing that as "different content" would make re-runs
 *    fail; treating it as unchanged loses nothing, the registry already has those bytes.
 *
 * Anything else (another file, another command, another label value) is different content.
 */
export interface ImageContent {
  /** Uncompressed layer digests, bottom first. */
  layers: readonly string[];
  /** The runtime config (`Config` of `docker image inspect`, `config` of the config blob). */
  config: Readonly<Record<string, unknown>> | null | undefined;
}

/**
 * Labels that change with every build and say nothing about the content: the build date,
 * and the branch and git tag the same commit was built from (a tag pipeline after a branch
 * pipeline of one commit must find the version unchanged, not refuse it).
 */
export const BUILD_TIME_LABELS = [
  "org.opencontainers.image.created",
  "dev.hubgate.revision.branch",
  "dev.hubgate.revision.tag",
] as const;

/** Fields of the runtime config that shape what the container does. */
const RUNTIME_FIELDS = [
  "User",
  "ExposedPorts",
  "Env",
  "Cmd",
  "Healthcheck",
  "ArgsEscaped",
  "Volumes",
  "WorkingDir",
  "Entrypoint",
  "OnBuild",
  "Labels",
  "StopSignal",
  "StopTimeout",
  "Shell",
] as const;

/** A digest over what the image is, leaving out when it was built. */
export function contentFingerprint(content: ImageContent): string {
  const config: Record<string, unknown> = {};
  for (const field of RUNTIME_FIELDS) {
    let value = content.config?.[field];
    if (field === "Labels" && value && typeof value === "object") {
      const labels = { ...(value as Record<string, unknown>) };
      for (const label of BUILD_TIME_LABELS) delete labels[label];
      value = labels;
    }
    if (!isEmpty(value)) config[field] = canonical(value);
  }
  return `sha256:${createHash("sha256")
    .update(JSON.stringify({ layers: content.layers, config }))
    .digest("hex")}`;
}

export function sameContent(a: ImageContent, b: ImageContent): boolean {
  return contentFingerprint(a) === contentFingerprint(b);
}

/** Engines omit empty fields or write them as null; both mean "not set". */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Objects with sorted keys, so the same config always serialises the same way. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}
