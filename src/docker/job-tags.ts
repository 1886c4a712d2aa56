import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type Dockerode from "dockerode";
import { dockerErrorMessage, statusCodeOf } from "./infrastructure.js";
import type { Logger } from "./logger.js";
import { processAlive } from "./sandbox.js";

/**
 * Per-job build names (`hubgate-job/<host>-<pid>-<random>:build`). A job drops its name when
 * it ends; one whose engine went away, or whose process died, cannot. The owner in the name
 * lets a later start tell a dead run's leftover from a live run's, as for smoke containers.
 */
const REPOSITORY = "hubgate-job";
const TAG = /^hubgate-job\/([0-9a-f]{8})-(\d+)-[0-9a-f]+:build$/;

/** This host, short: names that carry it (with a pid) can be told dead or alive by a later start. */
export const hostId = () => createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

export function newJobTag(): string {
  return `${REPOSITORY}/${hostId()}-${process.pid}-${randomBytes(8).toString("hex")}:build`;
}

/**
 * Drop the per-job names a dead run on this host left (only the name: an image that still
 * carries another tag, or that a container uses, stays). Never fails a job: trouble is logged.
 */
export async function sweepJobTags(docker: Dockerode, logger?: Logger): Promise<number> {
  let images: Dockerode.ImageInfo[];
  try {
    images = await docker.listImages({ filters: { reference: [`${REPOSITORY}/*`] } });
  } catch (error) {
    logger?.warn({ err: dockerErrorMessage(error) }, "could not list leftover job tags");
    return 0;
  }
  let removed = 0;
  for (const tag of images.flatMap((image) => image.RepoTags ?? [])) {
    const owner = TAG.exec(tag);
    if (!owner || owner[1] !== hostId() || processAlive(Number(owner[2]))) continue;
    try {
      await docker.getImage(tag).remove({ noprune: true });
      removed++;
    } catch (error) {
      if (statusCodeOf(error) !== 404)
        logger?.warn({ tag, err: dockerErrorMessage(error) }, "could not remove a leftover job tag");
    }
  }
  if (removed > 0) logger?.info({ removed }, "removed leftover job tags");
  return removed;
}
