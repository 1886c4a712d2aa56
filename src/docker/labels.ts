import type { Manifest } from "../core/manifest.js";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";

/** Present on every image hubgate builds, so our images can be told from anyone else's. */
export const MANAGED_LABEL = "dev.hubgate.managed";

const OCI = "org.opencontainers.image";
export const CREATED_LABEL = "org.opencontainers.image.created";
const MANIFEST = "dev.hubgate.manifest";
/** The git branch and tag the image was built from (OCI defines no annotation for them). */
export const BRANCH_LABEL = "dev.hubgate.revision.branch";
export const TAG_LABEL = "dev.hubgate.revision.tag";

/**
 * Image labels: OCI annotations plus the manifest fields hubgate keys on. Built only from
 * the manifest and revision metadata, never from the environment, so no credential can end
 * up in an image; URLs lose any user:password and query string on the way.
 */
export function imageLabels(
  manifest: Manifest,
  revision: RevisionInfo = {},
  now: Date = new Date(),
): Record<string, string> {
  const labels: Record<string, string | undefined> = {
    [`${OCI}.title`]: manifest.name,
    [`${OCI}.version`]: manifest.version,
    [`${OCI}.description`]: manifest.description,
    [`${OCI}.licenses`]: manifest.license,
    [`${OCI}.authors`]: manifest.author,
    [`${OCI}.url`]: safeUrl(manifest.url),
    [`${OCI}.documentation`]: safeUrl(manifest.documentation),
    [`${OCI}.vendor`]: manifest.vendor,
    [`${OCI}.source`]: safeUrl(revision.sourceUrl, { dropQuery: true }),
    [`${OCI}.revision`]: revision.commit,
    [BRANCH_LABEL]: revision.branch,
    [TAG_LABEL]: revision.tag,
    // Whole seconds: RFC 3339 as the OCI spec asks, without noise.
    [CREATED_LABEL]: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    [`${MANIFEST}.kind`]: manifest.kind,
    [`${MANIFEST}.type`]: manifest.type,
    [`${MANIFEST}.name`]: manifest.name,
    [`${MANIFEST}.version`]: manifest.version,
    [`${MANIFEST}.keywords`]: manifest.keywords?.join(","),
    [MANAGED_LABEL]: "true",
  };
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const text = typeof value === "string" ? value.trim() : undefined;
    if (text) result[key] = text;
  }
  return result;
}

/** Strip credentials (and, for source URLs, tokens in the query) from a URL; keep non-URLs as written. */
export function safeUrl(
  value: string | undefined,
  options: { dropQuery?: boolean } = {},
): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL (e.g. git@host:org/repo): drop anything before an @ that could be a secret.
    return value.replace(/^[^@/]*@/, "");
  }
  url.username = "";
  url.password = "";
  if (options.dropQuery) {
    url.search = "";
    url.hash = "";
  }
  return url.toString();
}

/**
 * Rebuilding the same revision keeps the `created` label of the image it rebuilds. The
 * engine turns each build label into its own LABEL step (sorted by key), so a fresh
 * timestamp would re-run the steps after it and leave the previous image dangling on every
 * run; with it kept, an unchanged bundle is a pure cache hit giving the very same image.
 * Only with a commit: the same commit means the same sources, so the time still says when
 * this content was first built.
 */
export function keepCreatedOfSameRevision(
  labels: Record<string, string>,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const previousCreated = previous?.[CREATED_LABEL];
  if (!previous || !previousCreated || !labels[`${OCI}.revision`] || previous[MANAGED_LABEL] !== "true")
    return labels;
  const keys = new Set([...Object.keys(labels), ...Object.keys(previous)]);
  for (const key of keys) {
    if (key !== CREATED_LABEL && labels[key] !== previous[key]) return labels;
  }
  return { ...labels, [CREATED_LABEL]: previousCreated };
}
