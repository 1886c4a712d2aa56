import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { claimedRepository, type ImageOwner } from "../core/image-collisions.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { decodeYamlBytes } from "../core/text-decoding.js";
import { mapLimit } from "../pipeline/map-limit.js";

const CONCURRENCY = 16;

/** The image repository a manifest's bytes claim, if they decode and name one (see claimedRepository). */
export function repositoryFromManifestBytes(bytes: Uint8Array, namespace: string): string | undefined {
  const decoded = decodeYamlBytes(bytes);
  return decoded.ok ? claimedRepository(decoded.text, namespace) : undefined;
}

/**
 * The images claimed by bundles that are not checked in this run, from their manifest.yml on
 * disk (`file`: absolute; `path`: the bundle as reported). Cheap and hostile-safe: only a
 * regular file is read (O_NOFOLLOW and O_NONBLOCK, checked on the open handle, so a symlink,
 * FIFO or device costs nothing), and only when it is at most MAX_MANIFEST_BYTES. Anything
 * else claims nothing here; its own check reports it whenever that bundle is checked.
 */
export async function readImageOwners(
  bundles: ReadonlyArray<{ file: string; path: string }>,
  namespace: string,
): Promise<ImageOwner[]> {
  const claims = await mapLimit(bundles, CONCURRENCY, async ({ file, path }) => {
    const bytes = await readSmallRegularFile(file, MAX_MANIFEST_BYTES);
    const repository = bytes && repositoryFromManifestBytes(bytes, namespace);
    return repository ? { path, repository } : undefined;
  });
  return claims.filter((c): c is ImageOwner => c !== undefined);
}

async function readSmallRegularFile(file: string, cap: number): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > cap) return undefined;
    const buffer = Buffer.allocUnsafe(info.size);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
