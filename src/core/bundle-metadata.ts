import type { Manifest } from "./manifest.js";

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

export function bundleMetadata(manifest: Manifest, bundleRoot: string, layout: string): BundleMetadata {
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

/** The folder standing at `{domain}` in the layout (`{kinds}/{domain}/{name}`), if the layout has one. */
export function domainFolder(bundleRoot: string, layout: string): string | undefined {
  const segments = layout.split("/").filter(Boolean);
  const index = segments.indexOf("{domain}");
  if (index < 0) return undefined;
  const parts = bundleRoot.split("/").filter(Boolean);
  // Layouts match at the end of the path when the hub sits below the repository root.
  const offset = parts.length - segments.length;
  return offset >= 0 ? parts[offset + index] : undefined;
}
