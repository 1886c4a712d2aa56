import { mkdir, writeFile } from "node:fs/promises";
import tar from "tar-stream";
import { packBuildContext, planBuildContext } from "../../src/docker/build-context.js";
import { writeBundle, type TestBundle } from "../helpers/docker-bundle.js";

/** The context as the engine receives it: read back from the tar stream. */
const bundles: TestBundle[] = [];
afterAll(() => Promise.all(bundles.map((b) => b.cleanup())));

async function bundle(files: Parameters<typeof writeBundle>[0]): Promise<TestBundle> {
  const b = await writeBundle(files, { fixture: false });
  bundles.push(b);
  return b;
}

async function extract(dir: string, maxBytes = 10 * 1024 * 1024) {
  const plan = await planBuildContext(dir, { bundlePath: "executors/encoders/X", maxBytes });
  const entries = new Map<string, { type: string; content?: string; linkname?: string; uid?: number }>();
  if (plan.tooLarge) return { plan, entries };
  const extractor = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => chunks.push(chunk as Buffer));
      stream.on("end", () => {
        entries.set(header.name, {
          type: header.type,
          content: header.type === "file" ? Buffer.concat(chunks).toString() : undefined,
          linkname: header.linkname || undefined,
          uid: header.uid,
        });
        next();
      });
    });
    extractor.on("finish", resolve);
    extractor.on("error", reject);
  });
  packBuildContext(dir, plan).pipe(extractor);
  await done;
  return { plan, entries };
}

test("files, folders and in-bundle symlinks go in as they are, owned by root", async () => {
  const b = await bundle({
    Dockerfile: "FROM x\n",
    "src/app.py": "print(1)",
    "link.py": { symlink: "src/app.py" },
  });
  const { plan, entries } = await extract(b.dir);
  expect(plan.findings).toEqual([]);
  expect([...entries.keys()]).toEqual(["Dockerfile", "link.py", "src", "src/app.py"]);
  expect(entries.get("src/app.py")).toMatchObject({ type: "file", content: "print(1)", uid: 0 });
  expect(entries.get("link.py")).toMatchObject({ type: "symlink", linkname: "src/app.py" });
  expect(entries.get("src")).toMatchObject({ type: "directory" });
});

test("a symlink out of the bundle is a finding and is left out, never followed", async () => {
  const b = await bundle({
    Dockerfile: "FROM x\n",
    "up.txt": { symlink: "../../etc/passwd" },
    "abs.txt": { symlink: "/etc/shadow" },
  });
  await mkdir(`${b.root}/outside`);
  await writeFile(`${b.root}/outside/secret`, "SECRET");
  const { plan, entries } = await extract(b.dir);
  expect(plan.findings.map((f) => [f.file, f.rule, f.level])).toEqual([
    ["executors/encoders/X/abs.txt", "bundle/symlink-escape", "error"],
    ["executors/encoders/X/up.txt", "bundle/symlink-escape", "error"],
  ]);
  expect([...entries.keys()]).toEqual(["Dockerfile"]);
});

test(".dockerignore filters the context; Dockerfile and .dockerignore are always sent", async () => {
  const b = await bundle({
    Dockerfile: "FROM x\n",
    ".dockerignore": "Dockerfile\n.dockerignore\n*.log\ncache\nmodels/**\n!models/small.txt\n",
    "run.log": "x",
    "cache/blob": "x",
    "models/huge.bin": "x",
    "models/small.txt": "kept",
    "keep.py": "x",
  });
  const { entries } = await extract(b.dir);
  expect([...entries.keys()].sort()).toEqual([
    ".dockerignore",
    "Dockerfile",
    "keep.py",
    "models",
    "models/small.txt",
  ]);
});

test("the size cap stops the walk early with a finding", async () => {
  const b = await bundle({
    Dockerfile: "FROM x\n",
    "a-big.bin": { bytes: 64 * 1024 },
    "b-more.bin": { bytes: 64 * 1024 },
  });
  const { plan } = await extract(b.dir, 50 * 1024);
  expect(plan.tooLarge).toBe(true);
  // Stopped at the first file over the cap: the second was never looked at.
  expect(plan.entries.map((e) => e.path)).toEqual(["Dockerfile", "a-big.bin"]);
  expect(plan.findings).toEqual([
    expect.objectContaining({
      file: "executors/encoders/X",
      rule: "build/context-too-large",
      level: "error",
    }),
  ]);
  expect(plan.findings[0]?.message).toContain("over the 50 KB limit (at least 67 KB)");
});

test("ignored files do not count toward the cap", async () => {
  const b = await bundle({
    Dockerfile: "FROM x\n",
    ".dockerignore": "*.bin\n",
    "big.bin": { bytes: 200 * 1024 },
  });
  const { plan } = await extract(b.dir, 50 * 1024);
  expect(plan.tooLarge).toBe(false);
  expect(plan.findings).toEqual([]);
});
