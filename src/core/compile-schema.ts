import { Ajv } from "ajv";
import type { CompiledSchema, JsonSchemaObject } from "./manifest-validator.js";
import { SCHEMA_FORMATS } from "./schema-formats.js";

/** Compile a JSON Schema with the options and formats the build's standalone validators use too. */
export function compileSchema(schema: JsonSchemaObject): CompiledSchema {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const [name, test] of Object.entries(SCHEMA_FORMATS)) ajv.addFormat(name, test);
  return ajv.compile(schema);
}
