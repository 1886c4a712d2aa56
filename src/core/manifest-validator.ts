import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats ships CJS with `exports.default`; under NodeNext the default import is the module.
type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

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

/** Compile once at start-up; the schema object is injected (read by src/schemas.ts). */
export function createManifestValidator(schema: JsonSchemaObject): ManifestValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv, ["uri", "email"]);
  const compiled: ValidateFunction = ajv.compile(schema);
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
