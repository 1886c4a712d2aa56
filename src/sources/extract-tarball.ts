import { createWriteStream } from "node:fs";
import { lstat, mkdir, symlink } from "node:fs/promises";
import { join, posix } from "node:path";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract as tarExtract } from "tar-stream";

export interface ExtractLimits {
  /** File content written to disk, counted as it streams (a PR cannot fill our disk). */
  maxBytes: number;
  /** Entries kept (under `only`). */
  maxEntries: number;
  /** Bytes out of gunzip, kept or skipped: a small bomb cannot keep the CPU busy for minutes. */
  maxStreamBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxBytes: 512 * 1024 ** 2,
  maxEntries: 50_000,
  maxStreamBytes: 4 * 1024 ** 3,
};

/** The archive could not be read (truncated download, not a gzip'd tar): our side. */
export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
}

/** The archive is readable but goes beyond a limit: the contributor's change, reported as a finding. */
export class ArchiveLimitError extends Error {
  override readonly name = "ArchiveLimitError";
  constructor(
    message: string,
    /** The entry (relative to the repository root) that crossed the limit, when known. */
    readonly path: string | undefined,
  ) {
    super(message);
  }
}

/** Small files read from the archive without extracting them (outside `only`), one at a time. */
export interface ArchivePeek {
  /** Normalised paths (as `only` uses them) whose content is wanted. */
  paths: ReadonlySet<string>;
  /** Larger files (and anything but a regular file) are skipped. */
  maxBytes: number;
  /** Called once per path, with the whole content; nothing is kept after it returns. */
  file(path: string, content: Buffer): void;
}

export interface ExtractOutcome {
  /** Symlinks not created because their target leaves the destination (relative paths). */
  refusedLinks: Array<{ path: string; target: string }>;
}

/**
 * Extract a platform's .tar.gz of a commit (GitHub and GitLab both wrap the tree in one
 * top-level folder, which is stripped) into `dest`, streaming: nothing is held in memory.
 *
 * Never writes outside `dest`: every entry name is normalised (`a//l`, `a/./l`, `./l`) before
 * any check; absolute names and `..` are dropped; a symlink is created only when its target
 * stays inside `dest`, and nothing is written below a symlink; hard links and devices are
 * skipped. `only` keeps just the paths under the given prefixes (the changed bundles); `peek`
 * reads a few small files outside them (the other bundles' manifests) without writing them.
 * Exceeding a limit rejects with ArchiveLimitError as soon as it happens.
 */
export async function extractTarball(
  archive: Readable,
  dest: string,
  options: { only?: readonly string[]; limits?: Partial<ExtractLimits>; peek?: ArchivePeek } = {},
): Promise<ExtractOutcome> {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...options.limits };
  const links = new Set<string>();
  const written = new Set<string>();
  const peeked = new Set<string>();
  const refusedLinks: ExtractOutcome["refusedLinks"] = [];
  let bytes = 0;
  let entries = 0;
  const extractor = tarExtract();

  extractor.on("entry", (header, stream, next) => {
    // Once the extraction fails, tar-stream destroys the entry with the error: without a
    // listener that is an uncaught exception, which took the whole server down.
    stream.on("error", () => undefined);
    let finished = false;
    const done = (error?: Error) => {
      if (finished) return;
      finished = true;
      stream.resume();
      next(error);
    };
    const relative = normalisedName(header.name);
    if (relative === undefined) return done();
    if (!wanted(relative, options.only)) {
      const peek = options.peek;
      if (!peek || !peek.paths.has(relative) || peeked.has(relative)) return done();
      if (header.type !== "file" && header.type !== "contiguous-file") return done();
      if ((header.size ?? 0) > peek.maxBytes) return done();
      peeked.add(relative); // the first entry of a name wins, as for extracted files
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (data: unknown) => {
        const chunk = data as Buffer;
        size += chunk.length;
        if (size <= peek.maxBytes) chunks.push(chunk);
      });
      stream.on("end", () => {
        try {
          if (size <= peek.maxBytes) peek.file(relative, Buffer.concat(chunks));
          done();
        } catch (error) {
          done(error as Error);
        }
      });
      return;
    }
    if (++entries > limits.maxEntries)
      return done(new ArchiveLimitError(`the change has more than ${limits.maxEntries} files`, relative));
    if ([...ancestors(relative)].some((a) => links.has(a)) || links.has(relative) || written.has(relative))
      return done();
    const target = join(dest, relative);
    const write = async () => {
      if (header.type === "directory") return void (await mkdir(target, { recursive: true }));
      if (header.type === "symlink") {
        const linkname = header.linkname ?? "";
        links.add(relative); // refused or not, nothing goes below it
        if (linkLeaves(relative, linkname)) {
          refusedLinks.push({ path: relative, target: linkname });
          return;
        }
        await mkdir(join(target, ".."), { recursive: true });
        await symlink(linkname, target);
        return;
      }
      if (header.type !== "file" && header.type !== "contiguous-file") return;
      await mkdir(join(target, ".."), { recursive: true });
      // A directory entry of the same name came first: keep it, skip the file.
      if (await lstat(target).catch(() => undefined)) return;
      written.add(relative);
      const budget = new Transform({
        transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
          bytes += chunk.length;
          if (bytes > limits.maxBytes) {
            callback(
              new ArchiveLimitError(
                `the changed files hold more than ${limits.maxBytes} bytes (stopped at this file)`,
                relative,
              ),
            );
            return;
          }
          callback(null, chunk);
        },
      });
      await pipeline(
        stream,
        budget,
        createWriteStream(target, { flags: "wx", mode: (header.mode ?? 0o644) & 0o755 }),
      );
    };
    write().then(
      () => done(),
      (error: NodeJS.ErrnoException) =>
        // A name that is both a file and a folder in one archive: the later entry is skipped.
        done(error.code === "EEXIST" || error.code === "ENOTDIR" ? undefined : error),
    );
  });

  let streamed = 0;
  const inflated = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      streamed += chunk.length;
      if (streamed > limits.maxStreamBytes) {
        callback(
          new ArchiveLimitError(`the archive unpacks to more than ${limits.maxStreamBytes} bytes`, undefined),
        );
        return;
      }
      callback(null, chunk);
    },
  });

  try {
    await pipeline(archive, createGunzip(), inflated, extractor);
  } catch (error) {
    if (error instanceof ArchiveLimitError) throw error;
    throw new ArchiveError(`the archive could not be read: ${(error as Error).message}`, { cause: error });
  }
  return { refusedLinks };
}

/**
 * The entry's path below the top-level folder, normalised (`a//b`, `a/./b`, `./a`, `a/b/`
 * all become `a/b`), or undefined when it is the top folder itself or not a safe relative path.
 */
export function normalisedName(name: string): string | undefined {
  if (name.includes("\0")) return undefined;
  const clean = posix.normalize(name.replace(/^(\.\/)+/, ""));
  if (clean.startsWith("/")) return undefined;
  const slash = clean.indexOf("/");
  if (slash < 0) return undefined;
  const rest = posix.normalize(clean.slice(slash + 1)).replace(/\/+$/, "");
  if (rest === "" || rest === "." || rest === ".." || rest.startsWith("../") || rest.startsWith("/"))
    return undefined;
  // The top folder itself must be a plain name (`../x/y` normalises to a ".." top folder).
  if (clean.slice(0, slash) === "..") return undefined;
  return rest;
}

/**
 * Would a symlink at `relative` with this target resolve outside the extraction folder?
 * A `..` after a named segment is refused outright: that segment may itself be a link
 * (`q -> .`, then `p -> q/../x` leaves although `q/..` cancels out on paper).
 */
function linkLeaves(relative: string, target: string): boolean {
  if (target === "" || target.startsWith("/") || target.includes("\0")) return true;
  const segments = target.split("/").filter((s) => s !== "" && s !== ".");
  const firstNamed = segments.findIndex((s) => s !== "..");
  if (firstNamed >= 0 && segments.slice(firstNamed).includes("..")) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(relative), target));
  return resolved === ".." || resolved.startsWith("../");
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
