import { kindMatchesFolder, type BundleLocation } from "./bundle-layout.js";
import {
  checkBundleFiles,
  checkBundleReads,
  type BundleEntry,
  type BundleListing,
  type FileProblem,
} from "./bundle-files.js";
import { closest } from "./did-you-mean.js";
import { finding, sortFindings, type Finding, type Position } from "./finding.js";
import type { HubConfig } from "./hub-config.js";
import { imageReference, isImageProblem, type ImageReference } from "./image-name.js";
import { bundleMetadata } from "./bundle-metadata.js";
import type { Manifest } from "./manifest.js";
import { checkManifestText, type ManifestCheck } from "./manifest-check.js";
import type { ManifestValidator } from "./manifest-validator.js";
import { bundleConclusion, type BundleResult } from "./result.js";
import { checkManifestTags, mergeTags } from "./tags.js";
import { checkVersionBump } from "./version-rules.js";
import { lenientYamlData } from "./yaml-document.js";

/** Everything the static check needs to know about one bundle, gathered by the caller. */
export interface BundleSnapshot {
  location: BundleLocation;
  entries: BundleEntry[];
  /** manifest.yml's text; undefined when there is none (or it could not be read safely). */
  manifestText?: string;
  /** manifest.yml on the base branch; undefined when the bundle is new there. */
  baseManifestText?: string;
  /** How the walk went (cut short, unreadable folders); absent: complete. */
  listing?: Pick<BundleListing, "truncated" | "unreadable">;
  /** Files the reader could not use (not regular, unreadable, too large, bad encoding). */
  fileProblems?: FileProblem[];
}

export interface StaticCheck {
  result: BundleResult;
  manifest?: Manifest;
  image?: ImageReference;
  /** True when nothing stands in the way of building the image. */
  buildable: boolean;
  /** Where `name:` is written, for findings about the image name (collisions). */
  namePosition?: Position;
}

export function checkBundleStatic(
  snapshot: BundleSnapshot,
  config: HubConfig,
  validator: ManifestValidator,
): StaticCheck {
  const { location } = snapshot;
  const manifestFile = `${location.root}/manifest.yml`;
  const findings: Finding[] = [
    ...checkBundleFiles(location.root, snapshot.entries, config.files, snapshot.listing),
    ...checkBundleReads(
      location.root,
      snapshot.listing ?? { truncated: false, unreadable: [] },
      snapshot.fileProblems ?? [],
    ),
  ];
  const result: BundleResult = { path: location.root, conclusion: "failure", findings, smoke: [] };

  let manifest: Manifest | undefined;
  let image: ImageReference | undefined;
  let namePosition: Position | undefined;
  if (snapshot.manifestText !== undefined) {
    const checked = checkManifestText(manifestFile, snapshot.manifestText, validator, {
      namePattern: config.namePattern,
    });
    namePosition = checked.positionOf("name");
    findings.push(...checked.findings);
    manifest = checked.manifest;
    if (manifest) {
      const raw = checked.raw ?? {};
      result.kind = stringOr(raw.kind);
      result.name = stringOr(raw.name);
      result.version = stringOr(manifest.version);
      result.metadata = bundleMetadata(manifest, location.domainFolder);

      if (
        config.kindMustMatchFolder &&
        location.kindsFolder &&
        typeof raw.kind === "string" &&
        !kindMatchesFolder(raw.kind, location.kindsFolder)
      ) {
        findings.push(
          finding(
            manifestFile,
            "error",
            "manifest/kind-folder",
            `kind "${raw.kind}" does not match the folder "${location.kindsFolder}/": put the bundle in ${location.kindsFolder === raw.kind ? raw.kind : `${raw.kind}s`}/ or set kind to the singular of "${location.kindsFolder}".`,
            checked.positionOf("kind"),
          ),
        );
      }

      if (config.kinds && typeof raw.kind === "string" && !config.kinds.includes(raw.kind)) {
        findings.push(
          finding(
            manifestFile,
            "error",
            "manifest/allowed-kind",
            `kind "${raw.kind}" is not one this hub accepts (${config.kinds.join(", ")})${suggestKind(raw.kind, config.kinds)}.`,
            checked.positionOf("kind"),
          ),
        );
      }

      if (
        config.versionBump !== "off" &&
        snapshot.baseManifestText !== undefined &&
        typeof manifest.version === "string"
      ) {
        const verdict = checkVersionBump(manifest.version, baseVersion(snapshot.baseManifestText));
        if (!verdict.ok) {
          const at =
            raw.version === undefined ? checked.positionOf("name", "key") : checked.positionOf("version");
          const moved = location.previousRoot
            ? ` (the bundle moved here from ${location.previousRoot}; its version there counts)`
            : "";
          findings.push(
            finding(
              manifestFile,
              config.versionBump,
              "manifest/version-bump",
              moved ? `${verdict.message.replace(/\.$/, "")}${moved}.` : verdict.message,
              at,
            ),
          );
        }
      }

      findings.push(...checkManifestTags(manifestFile, raw, checked.positionAt, config.protectedTags));
      const selected = mergeTags(
        { tags: config.tags, protectedTags: config.protectedTags },
        { tags: stringList(raw.tags), protectedTags: stringList(raw.protected_tags) },
      );
      if (selected.tags.length) result.tags = selected.tags;
      if (selected.protectedTags.length) result.protectedTags = selected.protectedTags;

      const ref = manifestImage(checked, config);
      if (ref && isImageProblem(ref)) {
        findings.push(
          finding(manifestFile, "error", "image/reference", ref.message, checked.positionOf(ref.field)),
        );
      } else if (ref) {
        image = ref;
        result.image = ref.reference;
        result.imageRef = ref;
      }
    }
  }

  sortFindings(findings);
  result.conclusion = bundleConclusion(findings, []);
  return {
    result,
    manifest,
    image,
    buildable: result.conclusion === "success" && image !== undefined,
    namePosition: image ? namePosition : undefined,
  };
}

/**
 * The image a checked manifest makes, or why it makes none (undefined: its fields are invalid).
 * Depends on the manifest alone, so a streamed check's pre-pass can find collisions without
 * the rest of the bundle (see imageRepositoryOf).
 */
function manifestImage(
  checked: ManifestCheck,
  config: HubConfig,
): ReturnType<typeof imageReference> | undefined {
  const { manifest, raw = {} } = checked;
  if (!manifest) return undefined;
  // A finding on name, kind, type or version (from the manifest check alone) means no image.
  const fieldsValid = !checked.findings.some(
    (f) => f.level === "error" && /^manifest\/(name|kind|type|version)$/.test(f.rule),
  );
  if (
    fieldsValid &&
    typeof raw.name === "string" &&
    typeof raw.kind === "string" &&
    typeof manifest.type === "string" &&
    typeof manifest.version === "string"
  )
    return imageReference(config.namespace, manifest.type, raw.kind, raw.name, manifest.version);
  return undefined;
}

/**
 * The image repository a bundle's manifest claims (undefined: none), exactly as
 * checkBundleStatic would give it, from the manifest's text alone: a streamed check's
 * pre-pass needs every bundle's repository before it reports the first.
 */
export function imageRepositoryOf(
  location: BundleLocation,
  manifestText: string | undefined,
  config: HubConfig,
  validator: ManifestValidator,
): { repository: string; name: string } | undefined {
  if (manifestText === undefined) return undefined;
  const checked = checkManifestText(`${location.root}/manifest.yml`, manifestText, validator, {
    namePattern: config.namePattern,
  });
  const ref = manifestImage(checked, config);
  // manifestImage made it from a string name, so raw.name is that string.
  return ref && !isImageProblem(ref)
    ? { repository: ref.repository, name: String(checked.raw?.name) }
    : undefined;
}

/** The base branch's version, read leniently: a broken base manifest just means "no base". */
export function baseVersion(text: string): string | undefined {
  const read = lenientYamlData(text);
  if (!read) return undefined;
  const { data } = read;
  if (!data || typeof data !== "object" || !("version" in data)) return "0.0.0";
  const v = (data as { version: unknown }).version;
  return typeof v === "string" ? v : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function suggestKind(kind: string, kinds: readonly string[]): string {
  const guess = closest(kind, kinds);
  return guess ? `; did you mean "${guess}"?` : "";
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
