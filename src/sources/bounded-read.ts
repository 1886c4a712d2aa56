import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync } from "node:fs";
import { open, stat } from "node:fs/promises";

/** What reading one expected file gave: its bytes (at most cap + 1), or why there are none. */
export type BoundedRead =
  | { kind: "bytes"; bytes: Buffer; /** More than `cap` bytes were there. */ tooLarge: boolean }
  | { kind: "missing" }
  | { kind: "not-a-file"; what: string }
  | { kind: "unreadable"; message: string };

/**
 * Read a file expected to be small and regular, failing closed: a FIFO, device, folder,
 * dangling or looping symlink is `not-a-file` (never opened, so never a hang or a stream of
 * /dev/zero), a permission problem is `unreadable`, and at most `cap + 1` bytes are read.
 * The caller decides whether a symlink may be followed at all (see local-bundle-reader.ts).
 */
export async function readBounded(path: string, cap: number): Promise<BoundedRead> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    return statFailure(path, error);
  }
  if (!info.isFile()) return { kind: "not-a-file", what: kindOf(info) };
  let handle;
  try {
    // O_NONBLOCK: should the file be swapped for a FIFO after the stat, opening it cannot hang.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { kind: "unreadable", message: describe(error) };
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { kind: "not-a-file", what: kindOf(opened) };
    // Unzeroed: only the bytes read are ever looked at.
    const buffer = Buffer.allocUnsafe(cap + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { kind: "bytes", bytes: buffer.subarray(0, Math.min(length, cap)), tooLarge: length > cap };
  } catch (error) {
    return { kind: "unreadable", message: describe(error) };
  } finally {
    await handle.close();
  }
}

/** Reused by readBoundedSync: one allocation for every file a static check reads. */
let scratch = Buffer.allocUnsafe(0);

/**
 * readBounded, synchronous (the static check of a local tree reads two small files per
 * bundle: a round trip through the thread pool costs more than the read). Same outcomes.
 */
export function readBoundedSync(path: string, cap: number, listedAsFile = false): BoundedRead {
  // Listed as a regular file by the folder walk: open it straight away (O_NONBLOCK, and the
  // fstat after opening still refuses anything else); any failure is classified below.
  if (listedAsFile) {
    let fd;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      fd = undefined;
    }
    if (fd !== undefined) return readOpened(fd, cap);
  }
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    return statFailure(path, error);
  }
  if (!info.isFile()) return { kind: "not-a-file", what: kindOf(info) };
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { kind: "unreadable", message: describe(error) };
  }
  return readOpened(fd, cap);
}

/** The rest of readBoundedSync, once the file is open: at most cap + 1 bytes, then closed. */
function readOpened(fd: number, cap: number): BoundedRead {
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { kind: "not-a-file", what: kindOf(opened) };
    if (scratch.length < cap + 1) scratch = Buffer.allocUnsafe(cap + 1);
    let length = 0;
    while (length < cap + 1) {
      const bytesRead = readSync(fd, scratch, length, cap + 1 - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      // All the bytes the file had when opened: no need to ask again for the end.
      if (length === opened.size) break;
    }
    // A copy: the scratch buffer is reused by the next read.
    return {
      kind: "bytes",
      bytes: Buffer.from(scratch.subarray(0, Math.min(length, cap))),
      tooLarge: length > cap,
    };
  } catch (error) {
    return { kind: "unreadable", message: describe(error) };
  } finally {
    closeSync(fd);
  }
}

function kindOf(info: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a named pipe (FIFO)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a regular file";
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
  return e.code ? `${e.code.toLowerCase()}` : String(error);
}

/** Why stat() failed, as the checks report it: a missing file, a broken or looping link, or unreadable. */
function statFailure(path: string, error: unknown): BoundedRead {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    let link;
    try {
      link = lstatSync(path, { throwIfNoEntry: false });
    } catch {
      link = undefined;
    }
    return link?.isSymbolicLink() ? { kind: "not-a-file", what: "a dangling symlink" } : { kind: "missing" };
  }
  if (code === "ELOOP") return { kind: "not-a-file", what: "a symlink that refers to itself" };
  return { kind: "unreadable", message: describe(error) };
}
