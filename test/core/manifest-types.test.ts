import { MANIFEST_KEYS } from "../../src/core/manifest.js";
import { loadSchema } from "../../src/config/schemas.js";

it("the Manifest type lists exactly the schema's properties (schema is the source of truth)", () => {
  const schema = loadSchema("manifest");
  expect([...MANIFEST_KEYS].sort()).toEqual(Object.keys(schema.properties ?? {}).sort());
  expect(schema.required).toEqual(["name", "kind", "type", "description"]);
});
