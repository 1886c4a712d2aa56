import { loadSchema } from "../../src/config/schemas.js";
import { createManifestValidator, type ManifestValidator } from "../../src/core/manifest-validator.js";

let validator: ManifestValidator | undefined;
export function manifestValidator(): ManifestValidator {
  validator ??= createManifestValidator(loadSchema("manifest"));
  return validator;
}
