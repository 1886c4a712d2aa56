import type { ErrorObject } from "ajv";

export interface JsonSchemaObject {
  properties?: Record<string, { default?: unknown; enum?: unknown[] }>;
  required?: string[];
  [key: string]: unknown;
}

export interface ManifestValidator {
  schema: JsonSchemaObject;
  validate(data: unknown): ErrorObject[];
  defaults: Record<string, unknown>;
  licenses: readonly string[];
}

/** A compiled schema: ajv's function, or the same code precompiled at build time (standalone). */
export type CompiledSchema = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * The schema object and its compiled form are injected: compiled once at start-up by
 * core/compile-schema.ts, or precompiled at build time (src/config/manifest-validator-loader.ts).
 */
export function createManifestValidator(
  schema: JsonSchemaObject,
  compiled: CompiledSchema,
): ManifestValidator {
  const properties = schema.properties ?? {};
  const defaults = Object.fromEntries(
    Object.entries(properties)
      .filter(([, p]) => p.default !== undefined)
      .map(([k, p]) => [k, p.default]),
  );
  return {
    schema,
    defaults,
    licenses: (properties.license?.enum ?? []).map(String),
    validate(data) {
      return compiled(data) ? [] : [...(compiled.errors ?? [])];
    },
  };
}
