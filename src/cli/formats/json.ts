import type { BundleResult, CheckResult } from "../../core/result.js";

/** One bundle as in the DESIGN.md contract (`imageReference` added beside `image`). */
export function jsonBundle(b: BundleResult): Record<string, unknown> {
  return {
    path: b.path,
    kind: b.kind ?? null,
    name: b.name ?? null,
    version: b.version ?? null,
    image: b.image ?? null,
    ...(b.tags ? { tags: b.tags } : {}),
    ...(b.protectedTags ? { protectedTags: b.protectedTags } : {}),
    ...(b.imageRef ? { imageReference: b.imageRef } : {}),
    conclusion: b.conclusion,
    findings: b.findings,
    smoke: b.smoke,
    ...(b.build ? { build: b.build } : {}),
    ...(b.infrastructureError ? { infrastructureError: b.infrastructureError } : {}),
  };
}

/** The DESIGN.md contract: `{conclusion, bundles:[{path, kind, name, version, image, conclusion, findings, smoke}]}`. */
export function formatJson(result: CheckResult): string {
  return (
    JSON.stringify(
      {
        conclusion: result.conclusion,
        bundles: result.bundles.map(jsonBundle),
        findings: result.findings,
        ...(result.nothingChecked ? { nothingChecked: result.nothingChecked } : {}),
      },
      null,
      2,
    ) + "\n"
  );
}

/** A bundle's JSON at the depth it has inside `bundles` (for the streamed report). */
export function jsonBundleItem(b: BundleResult): string {
  return JSON.stringify(jsonBundle(b), null, 2).replace(/^/gm, "    ");
}
