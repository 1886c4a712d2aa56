import { createWriteStream } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import type { Readable } from "node:stream";

export interface ExtractLimits {
  /** Stop after this many bytes of file content (a PR cannot fill our disk). */
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxBytes: 2 * 1024 ** 3, maxEntries: 200_000 };

export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
}

/**
 * Extract a platform's .tar.gz of a commit (GitHub and GitLab both wrap the tree in one
 * top-level folder, which is stripped) into `dest`. Never writes outside `dest`: absolute
 * paths and `..` are refused, symlinks are recreated as links but nothing is ever written
 * through one, and hard links and devices are skipped. `only` keeps just the paths under
 * the given prefixes (the changed bundles), so a huge repository is not unpacked whole.
 */
export async function extractTarball(
  archive: Readable,
  dest: string,
  options: { only?: readonly string[]; limits?: ExtractLimits } = {},
): Promise<void> {
  const limits = options.limits ?? DEFAULT_EXTRACT_LIMITS;
  const links = new Set<string>();
  let bytes = 0;
  let entries = 0;
  const extractor = tarExtract();

  extractor.on("entry", (header, stream, next) => {
    const done = (error?: Error) => {
      stream.resume();
      next(error);
    };
    const relative = stripTopFolder(header.name);
    if (relative === undefined || !wanted(relative, options.only)) return done();
    if (++entries > limits.maxEntries)
      return done(new ArchiveError(`archive has more than ${limits.maxEntries} entries`));
    if (isUnsafe(relative) || [...ancestors(relative)].some((a) => links.has(a))) return done();
    const target = join(dest, relative);
    const write = async () => {
      if (header.type === "directory") return void (await mkdir(target, { recursive: true }));
      await mkdir(dirname(target), { recursive: true });
      if (header.type === "symlink") {
        links.add(relative);
        await symlink(header.linkname ?? "", target);
        return;
      }
      if (header.type !== "file" && header.type !== "contiguous-file") return;
      bytes += header.size ?? 0;
      if (bytes > limits.maxBytes) throw new ArchiveError(`archive is larger than ${limits.maxBytes} bytes`);
      await pipeline(
        stream,
        createWriteStream(target, { flags: "wx", mode: (header.mode ?? 0o644) & 0o755 }),
      );
    };
    write().then(
      () => done(),
      (error: Error) => done(error),
    );
  });

  await pipeline(archive, createGunzip(), extractor);
}

function stripTopFolder(name: string): string | undefined {
  const clean = name.replace(/^\.\//, "");
  const slash = clean.indexOf("/");
  if (slash < 0) return undefined;
  const rest = clean.slice(slash + 1).replace(/\/$/, "");
  return rest === "" ? undefined : rest;
}

function isUnsafe(relative: string): boolean {
  const normal = posix.normalize(relative);
  return (
    relative.startsWith("/") ||
    normal.startsWith("..") ||
    normal.split("/").includes("..") ||
    relative.includes("\0")
  );
}

function* ancestors(relative: string): Generator<string> {
  const parts = relative.split("/");
  for (let i = 1; i < parts.length; i++) yield parts.slice(0, i).join("/");
}

function wanted(relative: string, only: readonly string[] | undefined): boolean {
  if (!only) return true;
  return only.some(
    (prefix) => relative === prefix || relative.startsWith(`${prefix}/`) || prefix.startsWith(`${relative}/`),
  );
}
