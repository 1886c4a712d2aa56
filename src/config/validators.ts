import type { CompiledSchema, ManifestValidator } from "../core/manifest-validator.js";
import { createManifestValidator } from "../core/manifest-validator.js";
import { loadSchema } from "./schemas.js";

const cache = new Map<string, Promise<CompiledSchema>>();

/**
 * The compiled validator for a schema: the standalone module the build wrote to
 * dist/generated/ when present (no ajv compiler at start-up), else compiled now.
 */
export function compiledSchema(name: "manifest" | "config"): Promise<CompiledSchema> {
  let compiled = cache.get(name);
  if (!compiled) {
    // A template literal (not a computed URL) so that the CLI's bundler can take the generated
    // modules in (scripts/bundle-cli.js).
    compiled = import(`../generated/${name}-validate.js`).then(
      (m: { default: CompiledSchema }) => m.default,
      async () => (await import("../core/compile-schema.js")).compileSchema(loadSchema(name)),
    );
    cache.set(name, compiled);
  }
  return compiled;
}

export async function loadManifestValidator(): Promise<ManifestValidator> {
  return createManifestValidator(loadSchema("manifest"), await compiledSchema("manifest"));
}
