import { parse as parseYaml } from "yaml";
import { kindMatchesFolder, type BundleLocation } from "./bundle-layout.js";
import { checkBundleFiles, type BundleEntry } from "./bundle-files.js";
import { closest } from "./did-you-mean.js";
import { finding, sortFindings, type Finding } from "./finding.js";
import type { HubConfig } from "./hub-config.js";
import { imageReference, isImageProblem, type ImageReference } from "./image-name.js";
import { bundleMetadata } from "./bundle-metadata.js";
import type { Manifest } from "./manifest.js";
import { checkManifestText } from "./manifest-check.js";
import type { ManifestValidator } from "./manifest-validator.js";
import { bundleConclusion, type BundleResult } from "./result.js";
import { checkManifestTags, mergeTags } from "./tags.js";
import { checkVersionBump } from "./version-rules.js";

/** Everything the static check needs to know about one bundle, gathered by the caller. */
export interface BundleSnapshot {
  location: BundleLocation;
  entries: BundleEntry[];
  /** manifest.yml's text; undefined when there is none (or it could not be read safely). */
  manifestText?: string;
  /** manifest.yml on the base branch; undefined when the bundle is new there. */
  baseManifestText?: string;
}

export interface StaticCheck {
  result: BundleResult;
  manifest?: Manifest;
  image?: ImageReference;
  /** True when nothing stands in the way of building the image. */
  buildable: boolean;
}

export function checkBundleStatic(
  snapshot: BundleSnapshot,
  config: HubConfig,
  validator: ManifestValidator,
): StaticCheck {
  const { location } = snapshot;
  const manifestFile = `${location.root}/manifest.yml`;
  const findings: Finding[] = checkBundleFiles(location.root, snapshot.entries, config.files);
  const result: BundleResult = { path: location.root, conclusion: "failure", findings, smoke: [] };

  let manifest: Manifest | undefined;
  let image: ImageReference | undefined;
  if (snapshot.manifestText !== undefined) {
    const checked = checkManifestText(manifestFile, snapshot.manifestText, validator, {
      namePattern: config.namePattern,
    });
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

      const fieldsValid = !findings.some(
        (f) =>
          f.file === manifestFile &&
          f.level === "error" &&
          /^manifest\/(name|kind|type|version)$/.test(f.rule),
      );
      if (
        fieldsValid &&
        typeof raw.name === "string" &&
        typeof raw.kind === "string" &&
        typeof manifest.type === "string" &&
        typeof manifest.version === "string"
      ) {
        const ref = imageReference(config.namespace, manifest.type, raw.kind, raw.name, manifest.version);
        if (isImageProblem(ref)) {
          findings.push(
            finding(manifestFile, "error", "image/reference", ref.message, checked.positionOf(ref.field)),
          );
        } else {
          image = ref;
          result.image = ref.reference;
          result.imageRef = ref;
        }
      }
    }
  }

  sortFindings(findings);
  result.conclusion = bundleConclusion(findings, []);
  return { result, manifest, image, buildable: result.conclusion === "success" && image !== undefined };
}

/** The base branch's version, read leniently: a broken base manifest just means "no base". */
export function baseVersion(text: string): string | undefined {
  try {
    const data = parseYaml(text, { maxAliasCount: 10 }) as unknown;
    if (data && typeof data === "object" && "version" in data) {
      const v = (data as { version: unknown }).version;
      return typeof v === "string" ? v : undefined;
    }
    return "0.0.0";
  } catch {
    return undefined;
  }
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
