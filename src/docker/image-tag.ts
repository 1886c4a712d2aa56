import type Dockerode from "dockerode";
import type { ImageReference } from "../core/image-name.js";
import { statusCodeOf, toInfrastructureError } from "./infrastructure.js";

/**
 * Make `repository:tag` point at the tested image. The build already applied it, but a
 * concurrent build of the same bundle version on this engine may have moved it since: the
 * tag must end on the image whose smoke tests this run reports.
 */
export async function ensureTag(
  docker: Dockerode,
  imageId: string,
  image: ImageReference,
): Promise<string[]> {
  try {
    const current = await docker
      .getImage(image.reference)
      .inspect()
      .catch((error: unknown) => {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      });
    if (current?.Id !== imageId)
      await docker.getImage(imageId).tag({ repo: image.repository, tag: image.tag });
    return [image.reference];
  } catch (error) {
    throw toInfrastructureError(error, `tagging the image ${image.reference}`);
  }
}
