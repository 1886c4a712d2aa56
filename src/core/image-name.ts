/**
 * Image references: `<namespace>/<type>.<kind>.<name>:<version>`.
 *
 * Mapping from the manifest (documented in README "Image names"):
 * - name: lower-cased, each run of white space becomes one `-`;
 * - type and kind: as written (the schema keeps them lower-case);
 * - version: as written, with SemVer build metadata's `+` mapped to `_` (a Docker tag cannot
 *   hold `+`; the convention Helm uses for OCI tags): `1.0.0-rc.1+build.5` → `1.0.0-rc.1_build.5`.
 * The manifest's name regex allows characters a Docker reference does not (`$`, a
 * leading `_`): such a name is reported, never silently rewritten further.
 */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_REPOSITORY_LENGTH = 255;

export function imageNameComponent(name: string): string {
  return name.toLowerCase().trim().replace(/\s+/g, "-");
}

export interface ImageReference {
  namespace: string;
  /** `<type>.<kind>.<name>`: the repository below the namespace. */
  component: string;
  /** `<namespace>/<type>.<kind>.<name>` */
  repository: string;
  /** The tag: the manifest's version with `+` mapped to `_`. */
  tag: string;
  /** `repository:tag` */
  reference: string;
  /** The manifest's version as written (with any `+build` metadata). */
  version: string;
}

/** The tag for a version: SemVer build metadata's `+` becomes `_` (Helm's OCI convention). */
export function versionTag(version: string): string {
  return version.replace(/\+/g, "_");
}

export type ImageProblem = { field: "name" | "kind" | "version"; message: string };

export function imageReference(
  namespace: string,
  type: string,
  kind: string,
  name: string,
  version: string,
): ImageReference | ImageProblem {
  const component = `${type}.${kind}.${imageNameComponent(name)}`;
  if (!PATH_COMPONENT.test(imageNameComponent(name))) {
    return {
      field: "name",
      message:
        `name "${name}" cannot become a Docker image name ("${imageNameComponent(name)}"): after lower-casing ` +
        "it must start and end with a letter or digit and use only letters, digits, -, _ and . between. " +
        "Remove characters such as $ and leading or trailing _ or -.",
    };
  }
  if (!PATH_COMPONENT.test(component)) {
    return {
      field: "kind",
      message: `kind "${kind}" cannot be part of a Docker image name; use lower-case letters.`,
    };
  }
  const tag = versionTag(version);
  if (!TAG.test(tag)) {
    return {
      field: "version",
      message: `version "${version}" cannot be a Docker tag ("${tag}"): use letters, digits, ., - and + only, at most 128 characters.`,
    };
  }
  const repository = `${namespace}/${component}`;
  if (repository.length > MAX_REPOSITORY_LENGTH) {
    return {
      field: "name",
      message: `image name "${repository}" is longer than ${MAX_REPOSITORY_LENGTH} characters.`,
    };
  }
  return { namespace, component, repository, tag, reference: `${repository}:${tag}`, version };
}

export function isImageProblem(x: ImageReference | ImageProblem): x is ImageProblem {
  return "field" in x;
}
