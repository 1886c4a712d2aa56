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

/** `domainFolder`: the folder at `{domain}` in the bundle's layout pattern, when it has one. */
export function bundleMetadata(manifest: Manifest, domainFolder?: string): BundleMetadata {
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);
  const metadata: BundleMetadata = {
    tasks: Array.isArray(manifest.tasks) ? manifest.tasks.filter((t) => typeof t === "string") : [],
    // A bundle that names no CUDA version runs on CPU unless it says otherwise.
    cpu: typeof manifest.cpu === "boolean" ? manifest.cpu : text(manifest.cuda_version) === undefined,
  };
  const fields: Array<[keyof BundleMetadata, string | undefined]> = [
    ["description", text(manifest.description)],
    ["licence", text(manifest.license)],
    ["domain", text(manifest.domain) ?? domainFolder],
    ["cudaVersion", text(manifest.cuda_version)],
    ["framework", text(manifest.framework)],
    ["minHardwareGeneration", text(manifest.min_hardware_generation)],
  ];
  for (const [key, value] of fields)
    if (value !== undefined) (metadata as unknown as Record<string, string>)[key] = value;
  return metadata;
}
