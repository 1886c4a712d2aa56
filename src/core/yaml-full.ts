import { createRequire } from "node:module";

type Yaml = typeof import("yaml");
let loaded: Yaml | undefined;

/**
 * The `yaml` package, loaded on first use (the same file a static import loads; it is
 * CommonJS). Most manifests are read by yaml-fast.ts, so a check that never needs the full
 * parser never pays for loading it (a third of a one-bundle check's start-up).
 */
export function fullYaml(): Yaml {
  return (loaded ??= createRequire(import.meta.url)("yaml") as Yaml);
}
