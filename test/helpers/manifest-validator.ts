import { compileSchema } from "../../src/core/compile-schema.js";
import { loadSchema } from "../../src/config/schemas.js";
import { createManifestValidator, type ManifestValidator } from "../../src/core/manifest-validator.js";

let validator: ManifestValidator | undefined;
export function manifestValidator(): ManifestValidator {
  validator ??= createManifestValidator(loadSchema("manifest"), compileSchema(loadSchema("manifest")));
  return validator;
}
