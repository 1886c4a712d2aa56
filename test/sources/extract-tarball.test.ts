import { lstat, mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { ArchiveLimitError, extractTarball, normalisedName } from "../../src/sources/extract-tarball.js";
import { tarGz, zeroBomb } from "../helpers/hostile-archive.js";

describe("extractTarball with hostile archives", () => {
  let work: string;
  let dest: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "hubgate-extract-test-"));
    dest = join(work, "dest");
  });
  afterEach(async () => rm(work, { recursive: true, force: true }));

  const extract = async (tgz: Buffer, options: Parameters<typeof extractTarball>[2] = {}) => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dest, { recursive: true });
    return extractTarball(Readable.from(tgz), dest, options);
  };

  it("normalises entry names before every check", () => {
    expect(normalisedName("top/a//l")).toBe("a/l");
    expect(normalisedName("top/a/./l")).toBe("a/l");
    expect(normalisedName("./top/./l")).toBe("l");
    expect(normalisedName("top/a/b/")).toBe("a/b");
    expect(normalisedName("top/../../etc/passwd")).toBeUndefined();
    expect(normalisedName("/top/etc")).toBeUndefined();
    expect(normalisedName("top/a/../../x")).toBeUndefined();
    expect(normalisedName("top")).toBeUndefined();
  });

  it("never writes through a link, whatever spelling the later entry uses", async () => {
    const outside = join(work, "outside");
    const tgz = await tarGz([
      { name: "top/a/", type: "directory" },
      { name: "top/a/l", type: "symlink", linkname: outside },
      { name: "top/a//l/x", content: "one" },
      { name: "top/a/./l/y", content: "two" },
      { name: "./top/a/l/z", content: "three" },
      { name: "top/a/in", type: "symlink", linkname: "../b" },
      { name: "top/a/in/w", content: "four" },
      { name: "top/q", type: "symlink", linkname: "." },
      { name: "top/p", type: "symlink", linkname: "q/../outside" },
      { name: "top/h", type: "link", linkname: "/etc/passwd" },
      { name: "top/ok/file", content: "fine" },
    ]);
    const outcome = await extract(tgz);
    expect(await readdir(work)).toEqual(["dest"]);
    expect(await lstat(join(dest, "a/l")).catch(() => "absent")).toBe("absent");
    expect(outcome.refusedLinks).toEqual([
      { path: "a/l", target: outside },
      { path: "p", target: "q/../outside" },
    ]);
    expect(await readlink(join(dest, "a/in"))).toBe("../b");
    expect(await readdir(join(dest))).toEqual(["a", "ok", "q"]);
    expect(await readFile(join(dest, "ok/file"), "utf8")).toBe("fine");
  });

  it("ends a zero-filled bomb at the byte limit, having written no more than the limit", async () => {
    const bomb = zeroBomb("executors/encoders/Bomb", 22, 99 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(3 * 1024 * 1024);
    const limit = 150 * 1024 * 1024;
    const error = await extract(bomb, { limits: { maxBytes: limit } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveLimitError);
    expect((error as ArchiveLimitError).path).toBe("executors/encoders/Bomb/zeros-1.bin");
    const sizes = await Promise.all(
      (await readdir(join(dest, "executors/encoders/Bomb"))).map(
        async (f) => (await lstat(join(dest, "executors/encoders/Bomb", f))).size,
      ),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(limit);
  });

  it("stops inflating skipped entries at the stream limit", async () => {
    const bomb = zeroBomb("elsewhere", 22, 99 * 1024 * 1024);
    const error = await extract(bomb, {
      only: ["executors/encoders/Bomb"],
      limits: { maxStreamBytes: 300 * 1024 * 1024 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveLimitError);
    expect(await readdir(dest)).toEqual([]);
  });

  it("counts entries", async () => {
    const tgz = await tarGz(Array.from({ length: 30 }, (_, i) => ({ name: `top/b/f${i}`, content: "x" })));
    const error = await extract(tgz, { limits: { maxEntries: 10 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveLimitError);
    expect((error as Error).message).toContain("more than 10 files");
  });

  it("reports a truncated archive as unreadable (our side), not as a limit", async () => {
    const tgz = await tarGz([{ name: "top/a", content: "x".repeat(5000) }]);
    const error = await extract(tgz.subarray(0, tgz.length - 30)).catch((e: unknown) => e);
    expect((error as Error).name).toBe("ArchiveError");
  });

  it("peeks at small regular files outside `only` without writing them (links, big and repeated ones skipped)", async () => {
    const tgz = await tarGz([
      { name: "top/kept/manifest.yml", content: "kept" },
      { name: "top/small/manifest.yml", content: "small" },
      { name: "top/small/manifest.yml", content: "a second entry of the same name" },
      { name: "top/big/manifest.yml", content: "x".repeat(100) },
      { name: "top/link/manifest.yml", type: "symlink", linkname: "/dev/zero" },
      { name: "top/small/other.txt", content: "not asked for" },
    ]);
    const seen: Array<[string, string]> = [];
    await extract(tgz, {
      only: ["kept"],
      peek: {
        paths: new Set(["kept/manifest.yml", "small/manifest.yml", "big/manifest.yml", "link/manifest.yml"]),
        maxBytes: 50,
        file: (path, content) => seen.push([path, content.toString("utf8")]),
      },
    });
    expect(seen).toEqual([["small/manifest.yml", "small"]]);
    expect(await readdir(dest)).toEqual(["kept"]);
  });
});
