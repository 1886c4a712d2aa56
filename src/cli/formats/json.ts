import type { CheckResult } from "../../core/result.js";

/** The DESIGN.md contract: `{conclusion, bundles:[{path, kind, name, version, image, conclusion, findings, smoke}]}`. */
export function formatJson(result: CheckResult): string {
  const bundles = result.bundles.map((b) => ({
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
  }));
  return (
    JSON.stringify(
      {
        conclusion: result.conclusion,
        bundles,
        findings: result.findings,
        ...(result.nothingChecked ? { nothingChecked: result.nothingChecked } : {}),
      },
      null,
      2,
    ) + "\n"
  );
}
