import { createReadStream } from "node:fs";
import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import tar from "tar-stream";
import { symlinkEscapes } from "../core/bundle-files.js";
import { finding, type Finding } from "../core/finding.js";
import { InfrastructureError } from "../core/infrastructure-error.js";
import { parseDockerIgnore, type DockerIgnore } from "./dockerignore.js";

/**
 * The build context: the bundle folder as a tar stream, read with lstat only (a symlink is
 * sent as a symlink, never followed), filtered by `.dockerignore`, capped in size.
 */
export interface ContextEntry {
  /** Relative to the bundle, forward slashes. */
  path: string;
  type: "file" | "directory" | "symlink";
  size: number;
  mode: number;
  mtime: Date;
  linkTarget?: string;
}

export interface ContextPlan {
  entries: ContextEntry[];
  /** Size of the tar stream the entries make (headers and padding included). */
  bytes: number;
  /** Escaping symlinks (left out) and an oversized context. */
  findings: Finding[];
  /** Over the cap: nothing is sent to the engine. */
  tooLarge: boolean;
}

export interface PlanOptions {
  /** Repository-relative bundle path: the prefix of finding files. */
  bundlePath: string;
  maxBytes: number;
}

/** Always sent even when ignored, like the Docker CLI does: the builder needs them. */
const ALWAYS_SENT = new Set(["Dockerfile", ".dockerignore"]);
const BLOCK = 512;
const tarBytes = (size: number) => BLOCK + Math.ceil(size / BLOCK) * BLOCK;

export async function planBuildContext(bundleDir: string, options: PlanOptions): Promise<ContextPlan> {
  const plan: ContextPlan = { entries: [], bytes: 2 * BLOCK, findings: [], tooLarge: false };
  const ignore = await readDockerIgnore(bundleDir);
  try {
    await walk(bundleDir, "", ignore, plan, options);
  } catch (error) {
    // Our checkout on our disk could not be read: not the contributor's doing.
    throw new InfrastructureError(`could not read the bundle folder ${bundleDir}: ${String(error)}`, {
      cause: error,
    });
  }
  return plan;
}

async function readDockerIgnore(bundleDir: string): Promise<DockerIgnore> {
  const path = join(bundleDir, ".dockerignore");
  const stat = await lstat(path).catch(() => undefined);
  // A symlinked .dockerignore is not followed either; the build then ignores nothing.
  if (!stat?.isFile()) return parseDockerIgnore("");
  return parseDockerIgnore(await readFile(path, "utf8"));
}

/** Depth-first in name order, so the same folder always gives the same stream. */
async function walk(
  root: string,
  dir: string,
  ignore: DockerIgnore,
  plan: ContextPlan,
  options: PlanOptions,
) {
  const names = (await readdir(join(root, dir))).sort();
  for (const name of names) {
    if (plan.tooLarge) return;
    const path = dir ? `${dir}/${name}` : name;
    const stat = await lstat(join(root, path));
    const ignored = ignore.ignores(path) && !ALWAYS_SENT.has(path);
    if (stat.isDirectory()) {
      // An ignored folder can still hold a file re-included by a `!` pattern.
      if (ignored && !ignore.hasExceptions) continue;
      const before = plan.entries.length;
      if (!ignored)
        add(plan, { path, type: "directory", size: 0, mode: stat.mode, mtime: stat.mtime }, options);
      await walk(root, path, ignore, plan, options);
      if (ignored && plan.entries.length > before) {
        // Its parent folder must exist in the tar for the re-included files.
        plan.entries.splice(before, 0, {
          path,
          type: "directory",
          size: 0,
          mode: stat.mode,
          mtime: stat.mtime,
        });
      }
      continue;
    }
    if (ignored) continue;
    if (stat.isSymbolicLink()) {
      const target = await readlink(join(root, path));
      if (symlinkEscapes(path, target)) {
        plan.findings.push(escapingSymlink(options.bundlePath, path, target));
        continue;
      }
      add(
        plan,
        { path, type: "symlink", size: 0, mode: stat.mode, mtime: stat.mtime, linkTarget: target },
        options,
      );
    } else if (stat.isFile()) {
      add(plan, { path, type: "file", size: stat.size, mode: stat.mode, mtime: stat.mtime }, options);
    }
    // Sockets, fifos and devices have no place in an image context: left out, as tar-fs does.
  }
}

function add(plan: ContextPlan, entry: ContextEntry, options: PlanOptions) {
  plan.entries.push(entry);
  plan.bytes += tarBytes(entry.size);
  if (plan.bytes > options.maxBytes && !plan.tooLarge) {
    // Stop walking right away: a huge folder is not read to the end just to say it is huge.
    plan.tooLarge = true;
    plan.findings.push(contextTooLarge(options.bundlePath, options.maxBytes, plan.bytes));
  }
}

function escapingSymlink(bundlePath: string, path: string, target: string): Finding {
  return finding(
    `${bundlePath}/${path}`,
    "error",
    "bundle/symlink-escape",
    `symlink "${path}" points outside the bundle (${target}); it is never followed nor sent to the image build. ` +
      "Replace it with the file itself, or point it at a file inside the bundle.",
  );
}

const size = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.round(bytes / 1024)} KB`
    : `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

function contextTooLarge(bundlePath: string, maxBytes: number, seenBytes: number): Finding {
  return finding(
    bundlePath,
    "error",
    "build/context-too-large",
    `the build context (this folder minus .dockerignore) is over the ${size(maxBytes)} limit ` +
      `(at least ${size(seenBytes)}); the image was not built. ` +
      "Download large files (models, data) at build or run time instead of committing them, " +
      "or list what the image does not need in .dockerignore.",
  );
}

/** Stream the planned entries as a tar; contents are read only now, one file at a time.
 *  `generated` files replace or join the planned ones. */
export function packBuildContext(
  bundleDir: string,
  plan: ContextPlan,
  generated: Record<string, string> = {},
): tar.Pack {
  const pack = tar.pack();
  void (async () => {
    for (const entry of plan.entries) {
      if (!(entry.path in generated)) await packEntry(pack, bundleDir, entry);
    }
    // Files hubgate writes into the context (the labelled Dockerfile, its .dockerignore line).
    for (const [name, content] of Object.entries(generated)) {
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name, mode: 0o644, uid: 0, gid: 0 }, content, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    }
    pack.finalize();
  })().catch((error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))));
  return pack;
}

function packEntry(pack: tar.Pack, bundleDir: string, entry: ContextEntry): Promise<void> {
  // The CLI sends files as root-owned; ownership on the checkout is an accident of the runner.
  const header = { name: entry.path, mode: entry.mode & 0o7777, mtime: entry.mtime, uid: 0, gid: 0 };
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (entry.type === "directory") return void pack.entry({ ...header, type: "directory" }, done);
    if (entry.type === "symlink") {
      return void pack.entry({ ...header, type: "symlink", linkname: entry.linkTarget }, done);
    }
    if (entry.size === 0) return void pack.entry({ ...header, type: "file", size: 0 }, Buffer.alloc(0), done);
    // Read exactly the planned size: a file that grew since lstat cannot break the cap.
    const source = createReadStream(join(bundleDir, entry.path), { start: 0, end: entry.size - 1 });
    // The engine may hang up mid-stream (build aborted): release the file then.
    const onClose = () => {
      source.destroy();
      reject(new Error("build context stream closed"));
    };
    pack.once("close", onClose);
    const sink = pack.entry({ ...header, type: "file", size: entry.size }, (error) => {
      pack.off("close", onClose);
      done(error);
    });
    source.on("error", (error) => sink.destroy(error));
    source.on("data", (chunk) => {
      if (!sink.write(chunk)) {
        source.pause();
        sink.once("drain", () => source.resume());
      }
    });
    source.on("end", () => sink.end(null));
  });
}
