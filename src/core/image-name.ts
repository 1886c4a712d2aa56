/**
 * Image references: `<namespace>/<type>.<kind>.<name>:<version>`.
 *
 * Mapping from the manifest (documented in README "Image names"):
 * - name: lower-cased, each run of white space becomes one `-`;
 * - type and kind: as written (the schema keeps them lower-case);
 * - version: exactly as written.
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
  repository: string;
  tag: string;
  reference: string;
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
  if (!TAG.test(version)) {
    return {
      field: "version",
      message: version.includes("+")
        ? `version "${version}" has build metadata (+…), which a Docker tag cannot hold; drop the +… part.`
        : `version "${version}" cannot be a Docker tag.`,
    };
  }
  const repository = `${namespace}/${component}`;
  if (repository.length > MAX_REPOSITORY_LENGTH) {
    return {
      field: "name",
      message: `image name "${repository}" is longer than ${MAX_REPOSITORY_LENGTH} characters.`,
    };
  }
  return { repository, tag: version, reference: `${repository}:${version}` };
}

export function isImageProblem(x: ImageReference | ImageProblem): x is ImageProblem {
  return "field" in x;
}
