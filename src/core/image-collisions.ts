import { finding, sortFindings, type Position } from "./finding.js";
import { imageReference, isImageProblem, type ImageReference } from "./image-name.js";
import { bundleConclusion, type BundleResult } from "./result.js";
import { lenientYamlData } from "./yaml-document.js";

export interface ImageClaim {
  result: BundleResult;
  image?: ImageReference;
  namePosition?: Position;
  buildable: boolean;
}

/** A bundle of the hub that is not checked in this run, and the image repository its manifest claims. */
export interface ImageOwner {
  path: string;
  repository: string;
}

/**
 * Two bundles whose names map to one image repository (`AwesomeEncoder` and
 * `awesome encoder` both give `…awesomeencoder`/`…awesome-encoder`) would publish into each
 * other's repository and move each other's `latest`: an error on both `name:` lines, and
 * neither is built. `others` are the hub's bundles outside this run (unchanged, or not
 * selected): a new twin of an unchanged bundle is an error on the new one's `name:` line.
 * Mutates the claims' results; returns how many bundles collided.
 */
export function markImageCollisions(
  claims: readonly ImageClaim[],
  others: readonly ImageOwner[] = [],
): number {
  const byRepository = new Map<string, { claims: ImageClaim[]; others: string[] }>();
  const entry = (repository: string) => {
    let group = byRepository.get(repository);
    if (!group) byRepository.set(repository, (group = { claims: [], others: [] }));
    return group;
  };
  for (const claim of claims) if (claim.image) entry(claim.image.repository).claims.push(claim);
  for (const owner of others) byRepository.get(owner.repository)?.others.push(owner.path);
  let collided = 0;
  for (const [repository, group] of byRepository) {
    if (group.claims.length + group.others.length < 2) continue;
    for (const claim of group.claims) {
      const twins = [
        ...group.claims.filter((g) => g !== claim).map((g) => g.result.path),
        ...group.others.filter((path) => path !== claim.result.path),
      ];
      if (twins.length === 0) continue;
      claim.result.findings.push(
        finding(
          `${claim.result.path}/manifest.yml`,
          "error",
          "image/duplicate",
          `this bundle's image name ${repository} is also the image of ${twins.join(", ")}: names that differ only in case or white space make the same image. Rename one of them.`,
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

/**
 * Could this manifest's `name:` make one of these image name components? A cheap
 * over-approximation, so that only a possible twin's manifest is parsed: a name becomes its
 * component by lower-casing and turning white space into `-`, so the manifest's text,
 * lower-cased without white space and `-`, must hold the component so squashed. Escapes
 * (`\x41`) can spell anything: such a text always may.
 */
export function mayClaimName(manifestText: string, nameComponents: ReadonlySet<string>): boolean {
  if (manifestText.includes("\\")) return true;
  const text = squash(manifestText);
  for (const name of nameComponents) if (text.includes(squash(name))) return true;
  return false;
}

const squash = (text: string) => text.toLowerCase().replace(/[\s-]+/g, "");

/**
 * The image repository an unchecked bundle's manifest claims, read leniently (only `type`,
 * `kind` and `name`): undefined when the manifest does not parse or those cannot make an image.
 * Such a bundle is reported when it is itself checked; here it only stands as a possible twin.
 */
export function claimedRepository(manifestText: string, namespace: string): string | undefined {
  const data = lenientYamlData(manifestText)?.data;
  if (!data || typeof data !== "object") return undefined;
  const { type, kind, name } = data as Record<string, unknown>;
  if (typeof type !== "string" || typeof kind !== "string" || typeof name !== "string") return undefined;
  const ref = imageReference(namespace, type, kind, name, "0");
  return isImageProblem(ref) ? undefined : ref.repository;
}
