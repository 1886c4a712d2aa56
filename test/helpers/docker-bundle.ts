import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Dockerode from "dockerode";
import { resolveHubConfig, type HubConfigInput } from "../../src/core/hub-config.js";
import type { Manifest } from "../../src/core/manifest.js";
import type { ImageJob, Phase } from "../../src/pipeline/image-pipeline.js";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import { FrameDecoder } from "../../src/docker/container-logs.js";
import { SMOKE_LABEL } from "../../src/docker/sandbox.js";
import { ensureBaseImage } from "./docker-base-image.js";

/** Bundle folders for docker tests, written to a temp dir from the pod fixture plus overrides. */
export const POD_FIXTURE = fileURLToPath(new URL("../fixtures/docker/pod-bundle", import.meta.url));

export type FileSpec = string | { symlink: string } | { bytes: number };

export interface TestBundle {
  dir: string;
  /** The folder holding `dir`, for files "outside the bundle". */
  root: string;
  cleanup(): Promise<void>;
}

/** Copy the pod fixture into a fresh temp dir, then apply `files` (path → content). */
export async function writeBundle(
  files: Record<string, FileSpec> = {},
  options: { fixture?: boolean } = {},
): Promise<TestBundle> {
  const root = await mkdtemp(join(tmpdir(), "hubgate-docker-"));
  const dir = join(root, "bundle");
  if (options.fixture === false) await mkdir(dir);
  else await cp(POD_FIXTURE, dir, { recursive: true });
  for (const [path, spec] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof spec === "string") await writeFile(target, spec);
    else if ("symlink" in spec) await symlink(spec.symlink, target);
    else await writeFile(target, Buffer.alloc(spec.bytes, 120));
  }
  return { dir, root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The fixture's Dockerfile with the pod set to misbehave in one way (see entrypoint.sh). */
export function podDockerfile(mode?: string, extra = ""): string {
  return [
    "FROM hubgate-test/busybox:1",
    "WORKDIR /app",
    "COPY . /app",
    ...(mode ? [`ENV POD_MODE=${mode}`] : []),
    ...(extra ? [extra] : []),
    'ENTRYPOINT ["/bin/sh", "/app/entrypoint.sh"]',
    "",
  ].join("\n");
}

export const TEST_MANIFEST: Manifest = {
  name: "SmokePod",
  kind: "encoder",
  type: "pod",
  description: "A test pod for hubgate's docker tests.",
  author: "Test Author (author@example.com)",
  url: "https://example.com/smoke-pod",
  version: "0.0.1",
  vendor: "Hubgate Tests",
  license: "apache-2.0",
  keywords: ["test", "smoke"],
};

/** Small limits and timeouts so failing cases end in seconds. */
export const FAST_CONFIG: HubConfigInput = {
  smoke: { timeoutSeconds: 6, stopTimeoutSeconds: 3, replicas: 3, memoryMb: 64, cpus: 0.5, pids: 64 },
  build: { timeoutSeconds: 60 },
};

/** An ImageJob for a bundle folder; `name` keeps images of different tests apart. */
export function testJob(dir: string, name: string, config: HubConfigInput = {}): ImageJob {
  const repository = `hubgate-test/pod.encoder.${name}`;
  return {
    bundleDir: dir,
    bundlePath: `executors/encoders/${name}`,
    image: {
      namespace: "hubgate-test",
      component: `pod.encoder.${name}`,
      repository,
      tag: "0.0.1",
      reference: `${repository}:0.0.1`,
      version: "0.0.1",
    },
    manifest: TEST_MANIFEST,
    config: resolveHubConfig({
      ...FAST_CONFIG,
      ...config,
      smoke: { ...FAST_CONFIG.smoke, ...config.smoke },
      build: { ...FAST_CONFIG.build, ...config.build },
    }),
    revision: { sourceUrl: "https://token:secret@github.com/acme/hub.git", commit: "0123456789abcdef" },
  };
}

/** Records the phases a run goes through. */
export function phaseRecorder(): { phases: Phase[]; onPhase: (phase: Phase) => void } {
  const phases: Phase[] = [];
  return { phases, onPhase: (phase) => phases.push(phase) };
}

/** Smoke containers still present for bundle paths starting with `prefix` (should be none). */
export async function smokeContainers(docker: Dockerode, prefix = ""): Promise<Dockerode.ContainerInfo[]> {
  const all = await docker.listContainers({ all: true, filters: { label: [`${SMOKE_LABEL}=true`] } });
  return all.filter((c) => (c.Labels["dev.hubgate.bundle"] ?? "").startsWith(prefix));
}

/** Remove test images by reference (keeps the base image and the layer cache of others). */
export async function removeImages(docker: Dockerode, references: string[]): Promise<void> {
  for (const reference of references) {
    await docker
      .getImage(reference)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

/**
 * The common set-up of a docker test file, registered as jest hooks: the base image exists,
 * every bundle and image a test made is removed afterwards, and after each test no smoke
 * container of this file (`executors/encoders/<prefix>-*`) is left.
 */
export function dockerSuite(prefix: string) {
  const docker = new Dockerode();
  const pipeline = createDockerImagePipeline({ docker });
  const bundles: TestBundle[] = [];
  const images: string[] = [];
  beforeAll(() => ensureBaseImage(docker));
  afterAll(async () => {
    await Promise.all(bundles.map((b) => b.cleanup()));
    await removeImages(docker, images);
  });
  afterEach(async () => {
    expect(await smokeContainers(docker, `executors/encoders/${prefix}-`)).toEqual([]);
  });
  return {
    docker,
    pipeline,
    async bundle(...args: Parameters<typeof writeBundle>): Promise<TestBundle> {
      const b = await writeBundle(...args);
      bundles.push(b);
      return b;
    },
    /** Remove this image too when the file ends (one a test left untagged, say). */
    trackImage(reference: string): void {
      images.push(reference);
    },
    job(dir: string, name: string, config?: HubConfigInput): ImageJob {
      const j = testJob(dir, `${prefix}-${name}`, config);
      images.push(j.image.reference);
      return j;
    },
  };
}

/** Run a shell command in an image (outside the sandbox helpers, no network) and return its output. */
export async function runInImage(docker: Dockerode, image: string, command: string): Promise<string> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ["/bin/sh", "-c"],
    Cmd: [command],
    HostConfig: { NetworkMode: "none" },
  });
  try {
    await container.start();
    await container.wait();
    const logs = Buffer.from(await container.logs({ stdout: true, stderr: true, follow: false }));
    return new FrameDecoder()
      .push(logs)
      .map((chunk) => chunk.text)
      .join("")
      .trim();
  } finally {
    // v: the image's VOLUME lines made anonymous volumes; they go with the container.
    await container.remove({ force: true, v: true });
  }
}
