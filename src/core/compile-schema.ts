import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import type { CompiledSchema, JsonSchemaObject } from "./manifest-validator.js";

// ajv-formats ships CJS with `exports.default`; under NodeNext the default import is the module.
type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

/** Compile a JSON Schema with the options the build's standalone validators use too. */
export function compileSchema(schema: JsonSchemaObject): CompiledSchema {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv, ["uri", "email"]);
  return ajv.compile(schema);
}
