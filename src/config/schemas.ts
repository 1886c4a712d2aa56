import { readFileSync } from "node:fs";
import type { JsonSchemaObject } from "../core/manifest-validator.js";

/** schemas/ sits beside src/ and dist/, so one relative URL serves both. */
const SCHEMA_DIR = new URL("../../schemas/", import.meta.url);

export function loadSchema(name: "manifest" | "config"): JsonSchemaObject {
  return JSON.parse(readFileSync(new URL(`${name}.schema.json`, SCHEMA_DIR), "utf8")) as JsonSchemaObject;
}
