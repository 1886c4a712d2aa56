import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tar from "tar-stream";
import { packBuildContext, planBuildContext, type ContextPlan } from "../docker/build-context.js";
import { hostId } from "../docker/job-tags.js";
import { processAlive } from "../docker/sandbox.js";
import { extractTarball } from "../sources/extract-tarball.js";

/** The single top folder of a bundle archive (extractTarball strips one, as for platform tarballs). */
const TOP = "bundle";

export interface PackedBundle {
  /** The build context as the engine would get it, gzipped; undefined when over the cap. */
  archive?: Buffer;
  plan: ContextPlan;
}

/**
 * The bundle's build context for a worker: the same lstat-only, `.dockerignore`-filtered,
 * size-capped walk the local pipeline makes (escaping symlinks are left out and reported
 * here), with modification times zeroed so the same content always packs to the same bytes.
 */
export async function packBundle(
  bundleDir: string,
  bundlePath: string,
  maxBytes: number,
): Promise<PackedBundle> {
  const planned = await planBuildContext(bundleDir, { bundlePath, maxBytes });
  if (planned.tooLarge) return { plan: planned };
  const plan = { ...planned, entries: planned.entries.map((entry) => ({ ...entry, mtime: new Date(0) })) };
  const extract = tar.extract();
  const out = tar.pack();
  extract.on("entry", (header, stream, next) => {
    const entry = out.entry({ ...header, name: `${TOP}/${header.name}` }, (error) => next(error));
    if (header.type === "file") stream.pipe(entry);
    else stream.resume();
  });
  extract.on("finish", () => out.finalize());
  extract.on("error", (error) => out.destroy(error));
  const [archive] = await Promise.all([
    buffer(out.pipe(createGzip())),
    pipeline(packBuildContext(bundleDir, plan), extract),
  ]);
  return { archive, plan };
}

/**
 * Unpack a bundle archive into a fresh folder under `parent`; `remove()` deletes it. The
 * archive comes from the gateway, but the files in it from a contributor: extractTarball
 * never writes outside the folder and caps the bytes.
 */
export async function unpackBundle(
  archive: Buffer,
  maxBytes: number,
  parent: string = tmpdir(),
): Promise<{ dir: string; remove: () => Promise<void> }> {
  // Host and pid in the name: a worker killed mid-job cannot remove its folder; the next start does.
  const dir = await mkdtemp(join(parent, `${JOB_FOLDER}${hostId()}-${process.pid}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await extractTarball(Readable.from([archive]), dir, { limits: { maxBytes, maxEntries: 100_000 } });
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

const JOB_FOLDER = "hubgate-job-";
const OWNED = /^hubgate-job-([0-9a-f]{8})-(\d+)-/;

/**
 * Remove the job folders under `parent` that a dead worker on this host left (kill -9, power
 * loss): a live worker's folders, and other hosts' on a shared volume, stay. Never throws.
 */
export async function sweepJobFolders(parent: string = tmpdir()): Promise<number> {
  const names = await readdir(parent).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const owner = OWNED.exec(name);
    if (!owner || owner[1] !== hostId() || processAlive(Number(owner[2]))) continue;
    await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}
