import { finding, sortFindings, type Position } from "./finding.js";
import type { ImageReference } from "./image-name.js";
import { bundleConclusion, type BundleResult } from "./result.js";

export interface ImageClaim {
  result: BundleResult;
  image?: ImageReference;
  namePosition?: Position;
  buildable: boolean;
}

/**
 * Two bundles whose names map to one image repository (`AwesomeEncoder` and
 * `awesome encoder` both give `…awesomeencoder`/`…awesome-encoder`) would publish into each
 * other's repository and move each other's `latest`: an error on both `name:` lines, and
 * neither is built. Mutates the claims' results; returns how many bundles collided.
 */
export function markImageCollisions(
  claims: readonly ImageClaim[],
  elsewhere: readonly string[] = [],
): number {
  const byRepository = new Map<string, ImageClaim[]>();
  for (const claim of claims) {
    if (!claim.image) continue;
    const list = byRepository.get(claim.image.repository) ?? [];
    list.push(claim);
    byRepository.set(claim.image.repository, list);
  }
  let collided = 0;
  for (const [repository, group] of byRepository) {
    // `elsewhere`: bundles known (by a streamed check's pre-pass) to claim the same image.
    if (group.length + elsewhere.length < 2) continue;
    for (const claim of group) {
      const others = [...group.filter((g) => g !== claim).map((g) => g.result.path), ...elsewhere];
      claim.result.findings.push(
        finding(
          `${claim.result.path}/manifest.yml`,
          "error",
          "image/duplicate",
          `this bundle's image name ${repository} is also the image of ${others.join(", ")}: names that differ only in case or white space make the same image. Rename one of them.`,
          claim.namePosition,
        ),
      );
      sortFindings(claim.result.findings);
      claim.result.conclusion = bundleConclusion(claim.result.findings, claim.result.smoke);
      claim.buildable = false;
      collided++;
    }
  }
  return collided;
}
