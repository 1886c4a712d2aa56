/**
 * manifest.yml as hubgate reads it. The JSON Schema (schemas/manifest.schema.json) is the
 * single source of truth; test/core/manifest-types.test.ts fails when these keys drift from it.
 */
export interface Manifest {
  manifest_version?: number;
  name: string;
  kind: string;
  type: "pod" | "app";
  description: string;
  author: string;
  url?: string;
  documentation?: string;
  version: string;
  vendor: string;
  license: string;
  keywords?: string[];
  avatar?: string | null;
  platform?: string | string[] | null;
  update?: string | Record<string, unknown> | null;
  /** Extra tags besides the version; none given = `latest`. */
  tags?: string[];
  /** Tags pushed once, never again. */
  protected_tags?: string[];
  /** Catalogue metadata (optional): job contracts, hardware and framework the image needs. */
  tasks?: string[];
  cpu?: boolean;
  cuda_version?: string;
  framework?: string;
  min_hardware_generation?: string;
  domain?: string;
}

export const MANIFEST_KEYS = [
  "manifest_version",
  "name",
  "kind",
  "type",
  "description",
  "author",
  "url",
  "documentation",
  "version",
  "vendor",
  "license",
  "keywords",
  "avatar",
  "platform",
  "update",
  "tags",
  "protected_tags",
  "tasks",
  "cpu",
  "cuda_version",
  "framework",
  "min_hardware_generation",
  "domain",
] as const satisfies readonly (keyof Manifest)[];

/** Compile-time check that MANIFEST_KEYS lists every key of Manifest. */
type Missing = Exclude<keyof Manifest, (typeof MANIFEST_KEYS)[number]>;
export const _allKeysListed: Missing extends never ? true : Missing = true;
