import { gzipSync } from "node:zlib";
import * as tar from "tar-stream";

export type RawEntry =
  | { name: string; type?: "file"; content?: string }
  | { name: string; type: "directory" }
  | { name: string; type: "symlink" | "link"; linkname: string };

/** A gzip'd tar with entry names exactly as given: the archive a hostile tree could produce. */
export async function tarGz(entries: readonly RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c: unknown) => chunks.push(c as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (entry.type === "symlink" || entry.type === "link")
        pack.entry({ name: entry.name, type: entry.type, linkname: entry.linkname }, cb);
      else if (entry.type === "directory") pack.entry({ name: entry.name, type: "directory" }, cb);
      else
        pack.entry(
          { name: entry.name, type: "file", mode: 0o644 },
          ("content" in entry && entry.content) || "",
          cb,
        );
    });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

function ustarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const put = (offset: number, length: number, value: string) => header.write(value, offset, length, "ascii");
  const octal = (offset: number, length: number, n: number) =>
    put(offset, length, `${n.toString(8).padStart(length - 1, "0")}\0`);
  put(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 0);
  put(148, 8, "        ");
  put(156, 1, "0");
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  let sum = 0;
  for (const byte of header) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

/**
 * The archive from the report: `files` zero-filled files of `fileBytes` each (default 22 × 99 MB,
 * about 2.2 MB compressed), under `dir` below one top-level folder. Built from concatenated gzip
 * members (valid gzip) so making it costs one compression of one file.
 */
export function zeroBomb(
  dir: string,
  files = 22,
  fileBytes = 99 * 1024 * 1024,
  extra: RawEntryFile[] = [],
): Buffer {
  if (fileBytes % 512 !== 0) throw new Error("fileBytes must be a multiple of 512");
  const zeros = gzipSync(Buffer.alloc(fileBytes), { level: 9 });
  const parts: Buffer[] = [];
  for (const file of extra) {
    const body = Buffer.from(file.content);
    const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
    parts.push(gzipSync(Buffer.concat([ustarHeader(`top/${file.name}`, body.length), body, padding])));
  }
  for (let i = 0; i < files; i++) {
    parts.push(gzipSync(ustarHeader(`top/${dir}/zeros-${i}.bin`, fileBytes)), zeros);
  }
  parts.push(gzipSync(Buffer.alloc(1024)));
  return Buffer.concat(parts);
}

export interface RawEntryFile {
  name: string;
  content: string;
}
