import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { claimedRepository, mayClaimName, type ImageOwner } from "../core/image-collisions.js";
import { MAX_MANIFEST_BYTES } from "../core/manifest-check.js";
import { decodeYamlBytes } from "../core/text-decoding.js";

/** The image repository a manifest's bytes claim, if they decode and name one (see claimedRepository). */
export function repositoryFromManifestBytes(
  bytes: Uint8Array,
  namespace: string,
  nameComponents?: ReadonlySet<string>,
): string | undefined {
  const decoded = decodeYamlBytes(bytes);
  if (!decoded.ok) return undefined;
  if (nameComponents && !mayClaimName(decoded.text, nameComponents)) return undefined;
  return claimedRepository(decoded.text, namespace);
}

/**
 * The images claimed by bundles that are not checked in this run, from their manifest.yml on
 * disk (`file`: absolute; `path`: the bundle as reported), as far as they may make one of
 * `nameComponents` (the checked bundles' names: only a possible twin is parsed). Cheap and
 * hostile-safe: only a regular file is read (O_NOFOLLOW and O_NONBLOCK, checked on the open
 * descriptor, so a symlink, FIFO or device costs nothing), and only when it is at most
 * MAX_MANIFEST_BYTES. Anything else claims nothing here; its own check reports it whenever
 * that bundle is checked. Synchronous: a few small reads, like the walk of the hub itself.
 */
export function readImageOwners(
  bundles: ReadonlyArray<{ file: string; path: string }>,
  namespace: string,
  nameComponents: ReadonlySet<string>,
): ImageOwner[] {
  const owners: ImageOwner[] = [];
  if (nameComponents.size === 0) return owners;
  for (const { file, path } of bundles) {
    const bytes = readSmallRegularFile(file, MAX_MANIFEST_BYTES);
    const repository = bytes && repositoryFromManifestBytes(bytes, namespace, nameComponents);
    if (repository) owners.push({ path, repository });
  }
  return owners;
}

function readSmallRegularFile(file: string, cap: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > cap) return undefined;
    const buffer = Buffer.allocUnsafe(info.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
