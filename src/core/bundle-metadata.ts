import type { Manifest } from "./manifest.js";
import { matchesSegment, parseLayout } from "./bundle-layout.js";

/**
 * What the catalogue records about a bundle besides its name and version: read from the
 * manifest's optional keys and, for the domain, from the layout's `{domain}` folder when
 * the manifest does not name one. Pure: the catalogue and publisher take it as data.
 */
export interface BundleMetadata {
  description?: string;
  licence?: string;
  domain?: string;
  tasks: string[];
  cpu: boolean;
  cudaVersion?: string;
  framework?: string;
  minHardwareGeneration?: string;
}

export function bundleMetadata(
  manifest: Manifest,
  bundleRoot: string,
  layout: string | readonly string[],
): BundleMetadata {
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);
  const metadata: BundleMetadata = {
    tasks: Array.isArray(manifest.tasks) ? manifest.tasks.filter((t) => typeof t === "string") : [],
    // A bundle that names no CUDA version runs on CPU unless it says otherwise.
    cpu: typeof manifest.cpu === "boolean" ? manifest.cpu : text(manifest.cuda_version) === undefined,
  };
  const fields: Array<[keyof BundleMetadata, string | undefined]> = [
    ["description", text(manifest.description)],
    ["licence", text(manifest.license)],
    ["domain", text(manifest.domain) ?? domainFolder(bundleRoot, layout)],
    ["cudaVersion", text(manifest.cuda_version)],
    ["framework", text(manifest.framework)],
    ["minHardwareGeneration", text(manifest.min_hardware_generation)],
  ];
  for (const [key, value] of fields)
    if (value !== undefined) (metadata as unknown as Record<string, string>)[key] = value;
  return metadata;
}

/**
 * The folder standing at `{domain}` in the first layout pattern that places `bundleRoot`
 * (`{kinds}/{domain}/{name}`), if that pattern has one.
 */
export function domainFolder(bundleRoot: string, layout: string | readonly string[]): string | undefined {
  const parts = bundleRoot.split("/").filter(Boolean);
  for (const pattern of parseLayout(layout).patterns) {
    // Patterns match at the end of the path when the hub sits below the repository root.
    const offset = parts.length - pattern.segments.length;
    if (offset < 0) continue;
    if (!pattern.segments.every((segment, i) => matchesSegment(segment, parts[offset + i]!))) continue;
    const index = pattern.segments.indexOf("{domain}");
    return index < 0 ? undefined : parts[offset + index];
  }
  return undefined;
}
