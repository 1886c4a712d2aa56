import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { ROOT } from "../helpers/run-cli.js";

/** Small real images for publish tests: the local busybox base plus one file and a build date. */
export const BASE_IMAGE = "hubgate/busybox:1";

export function ensureBaseImage(): void {
  execFileSync("bash", [join(ROOT, "scripts/make-base-image.sh"), BASE_IMAGE], { stdio: "ignore" });
}

export const uniqueName = (prefix: string) => `${prefix}${randomBytes(4).toString("hex")}`;

const built = new Set<string>();

/**
 * Build `tag` with `/payload.txt` = content. Same content, other `created` → same layers,
 * other image ID: what a rebuild of an unchanged bundle gives.
 */
export function buildTestImage(tag: string, content: string, created = new Date().toISOString()): string {
  const dir = mkdtempSync(join(tmpdir(), "hubgate-image-"));
  try {
    writeFileSync(join(dir, "payload.txt"), content);
    writeFileSync(
      join(dir, "Dockerfile"),
      `FROM ${BASE_IMAGE}\nCOPY payload.txt /payload.txt\nLABEL org.opencontainers.image.created="${created}"\n`,
    );
    execFileSync("docker", ["build", "-q", "-t", tag, dir], { stdio: ["ignore", "ignore", "pipe"] });
    built.add(tag);
    return imageId(tag);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function imageId(reference: string): string {
  return execFileSync("docker", ["image", "inspect", "--format", "{{.Id}}", reference], {
    encoding: "utf8",
  }).trim();
}

export function removeTestImages(): void {
  for (const tag of built) {
    try {
      execFileSync("docker", ["rmi", "-f", tag], { stdio: "ignore" });
    } catch {
      // already gone
    }
  }
  built.clear();
}

/** Image push events the engine reported between two moments: proof that nothing (or something) was pushed. */
export async function pushEvents(docker: Docker, since: Date, until: Date): Promise<string[]> {
  const stream = (await docker.getEvents({
    since: Math.floor(since.getTime() / 1000),
    until: Math.ceil(until.getTime() / 1000),
    filters: JSON.stringify({ type: ["image"], event: ["push"] }),
  })) as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return (
    Buffer.concat(chunks)
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id?: string; timeNano?: number })
      // The API filters by whole seconds; timeNano tells events of the same second apart.
      .filter((event) => (event.timeNano ?? Infinity) >= since.getTime() * 1e6)
      .map((event) => event.id ?? "")
  );
}
