import { lstat } from "node:fs/promises";
import { join } from "node:path";
import Dockerode from "dockerode";
import { isInfrastructureError } from "../core/infrastructure-error.js";
import type { SmokeTestName } from "../core/result.js";
import type { ImageJob, ImageOutcome, ImagePipeline, Phase } from "../pipeline/image-pipeline.js";
import { readBounded } from "../sources/bounded-read.js";
import { MAX_DOCKERFILE_BYTES } from "../sources/local-bundle-reader.js";
import { packBuildContext, planBuildContext } from "./build-context.js";
import { buildFailureFinding, buildImage } from "./image-build.js";
import { ensureTag } from "./image-tag.js";
import { isAbortError, statusCodeOf, toInfrastructureError } from "./infrastructure.js";
import { imageLabels, keepCreatedOfSameRevision } from "./labels.js";
import {
  dockerignoreWithGenerated,
  GENERATED_DOCKERFILE,
  labelledDockerfile,
} from "./labelled-dockerfile.js";
import { silentLogger, type Logger } from "./logger.js";
import { Cancelled, sweepLeftovers } from "./sandbox.js";
import { newJobTag, sweepJobTags } from "./job-tags.js";
import { SMOKE_TESTS, type SmokeContext } from "./smoke-tests.js";

export interface DockerImagePipelineOptions {
  /** Defaults to the engine of DOCKER_HOST or /var/run/docker.sock. */
  docker?: Dockerode;
  logger?: Logger;
  /** Remove smoke containers left by a crashed run before the first job (default true). */
  sweepOnStart?: boolean;
  /** Clock for the `org.opencontainers.image.created` label. */
  now?: () => Date;
}

const SMOKE_ORDER: readonly SmokeTestName[] = ["run", "pod", "replicas"];

/** Told to the caller in place of an engine error when the run was aborted. */
export const CANCELLED = "cancelled";

/**
 * Build, smoke-test and tag bundle images with dockerode. Contributor problems become
 * findings and smoke verdicts; engine problems become `infrastructureError`; nothing throws.
 */
export function createDockerImagePipeline(options: DockerImagePipelineOptions = {}): ImagePipeline {
  const docker = options.docker ?? new Dockerode();
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  let ready: Promise<void> | undefined;

  /** Once per pipeline: the engine answers, and a crashed run's containers are gone. */
  const prepare = (): Promise<void> => {
    ready ??= (async () => {
      try {
        await docker.ping();
      } catch (error) {
        throw toInfrastructureError(error, "connecting");
      }
      if (options.sweepOnStart !== false) {
        await sweepLeftovers(docker, { logger });
        await sweepJobTags(docker, logger);
      }
    })().catch((error: unknown) => {
      ready = undefined; // the engine may be back for the next job
      throw error;
    });
    return ready;
  };

  return {
    async run(job: ImageJob, onPhase: (phase: Phase) => void, signal?: AbortSignal): Promise<ImageOutcome> {
      const log = logger.child({ bundle: job.bundlePath, image: job.image.reference });
      const outcome: ImageOutcome = { findings: [], smoke: [] };
      try {
        await runJob(job, outcome, { docker, log, now, prepare, onPhase, signal });
      } catch (error) {
        if (signal?.aborted || isAbortError(error)) {
          outcome.infrastructureError = CANCELLED;
        } else if (isInfrastructureError(error)) {
          log.error({ err: error.message }, "image pipeline: infrastructure error");
          outcome.infrastructureError = error.message;
        } else {
          log.error(
            { err: error instanceof Error ? error.stack : String(error) },
            "image pipeline: unexpected error",
          );
          outcome.infrastructureError = `internal error in hubgate's image pipeline (${String(error)}); not a problem in the bundle.`;
        }
      } finally {
        onPhase("done");
      }
      return outcome;
    },
  };
}

interface RunDeps {
  docker: Dockerode;
  log: Logger;
  now: () => Date;
  prepare: () => Promise<void>;
  onPhase: (phase: Phase) => void;
  signal?: AbortSignal;
}

async function runJob(job: ImageJob, outcome: ImageOutcome, deps: RunDeps): Promise<void> {
  const { docker, log, signal } = deps;
  const checkAbort = () => {
    if (signal?.aborted) throw new Cancelled();
  };
  deps.onPhase("build");
  // The context is read before the engine is asked anything: its findings stand even if Docker is down.
  const plan = await planBuildContext(job.bundleDir, {
    bundlePath: job.bundlePath,
    maxBytes: job.config.build.maxContextBytes,
  });
  outcome.findings.push(...plan.findings);
  if (plan.tooLarge) return;
  checkAbort();
  await deps.prepare();
  checkAbort();

  const labels = keepCreatedOfSameRevision(
    imageLabels(job.manifest, job.revision, deps.now()),
    await currentLabels(docker, job.image.reference),
  );
  // A Dockerfile we cannot read as a plain file (a symlink) keeps the API's labels instead.
  const original = await readDockerfile(job.bundleDir);
  const generated: Record<string, string> =
    original === undefined
      ? {}
      : {
          [GENERATED_DOCKERFILE]: labelledDockerfile(original, labels),
          ".dockerignore": dockerignoreWithGenerated(
            await readRegularFile(join(job.bundleDir, ".dockerignore")),
          ),
        };
  // A per-job name, never the hub's: until its smoke tests pass, no other build's
  // `FROM jinahub/pod...` can pick this image up (tagged below only once they pass).
  const jobTag = newJobTag();
  const build = await buildImage(docker, {
    context: packBuildContext(job.bundleDir, plan, generated),
    tag: jobTag,
    labels: original === undefined ? labels : {},
    dockerfile: original === undefined ? undefined : GENERATED_DOCKERFILE,
    buildArgs: job.config.build.buildArgs,
    timeoutMs: job.config.build.timeoutSeconds * 1000,
    limits: job.config.build,
    signal,
    logger: log,
  });
  if (build.status === "cancelled") throw new Cancelled();
  if (build.status !== "built") {
    const dockerfile = await readDockerfile(job.bundleDir);
    outcome.findings.push(
      buildFailureFinding(build, dockerfile, job.bundlePath, job.config.build.timeoutSeconds),
    );
    return; // no image, no smoke tests
  }
  try {
    await testAndTag(job, build, outcome, deps);
  } finally {
    await untag(docker, jobTag, log);
  }
}

async function testAndTag(
  job: ImageJob,
  build: { imageId: string; durationMs: number; logTail: string[] },
  outcome: ImageOutcome,
  deps: RunDeps,
): Promise<void> {
  const { docker, log, signal } = deps;
  const checkAbort = () => {
    if (signal?.aborted) throw new Cancelled();
  };
  outcome.build = { imageId: build.imageId, durationMs: build.durationMs, tags: [], logTail: build.logTail };

  const context: SmokeContext = {
    docker,
    imageId: build.imageId,
    config: job.config.smoke,
    bundlePath: job.bundlePath,
    volumes: await imageVolumes(docker, build.imageId),
    logger: log,
    signal,
  };
  // All three run whatever the others gave: each failure stands on its own.
  for (const name of SMOKE_ORDER) {
    checkAbort();
    deps.onPhase(`smoke:${name}`);
    const result = await SMOKE_TESTS[name](context);
    log.info(
      { smoke: name, passed: result.passed, reason: result.reason, durationMs: result.durationMs },
      "smoke test",
    );
    outcome.smoke.push(result);
  }
  checkAbort();
  if (outcome.smoke.some((s) => !s.passed)) return; // an untested image never carries the hub's name
  deps.onPhase("tag");
  outcome.build.tags = await ensureTag(docker, build.imageId, job.image);
}

/** The image's VOLUME paths. */
async function imageVolumes(docker: Dockerode, imageId: string): Promise<string[]> {
  try {
    return Object.keys((await docker.getImage(imageId).inspect()).Config.Volumes ?? {});
  } catch (error) {
    throw toInfrastructureError(error, "inspecting the built image");
  }
}

/** Drop the per-job name; the image stays when the hub's tag holds it (noprune keeps the cache). */
async function untag(docker: Dockerode, jobTag: string, log: Logger): Promise<void> {
  try {
    await docker.getImage(jobTag).remove({ noprune: true });
  } catch (error) {
    if (statusCodeOf(error) !== 404) log.warn({ err: String(error), jobTag }, "could not remove a job tag");
  }
}

/** The Dockerfile's text for line numbers; only a regular file (a symlink is never followed). */
async function readDockerfile(bundleDir: string): Promise<string | undefined> {
  return readRegularFile(join(bundleDir, "Dockerfile"));
}

/** A file's text when it is a regular file (a symlink is never followed), at most 1 MiB. */
async function readRegularFile(path: string): Promise<string | undefined> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat?.isFile()) return undefined;
  const read = await readBounded(path, MAX_DOCKERFILE_BYTES);
  return read.kind === "bytes" && !read.tooLarge ? read.bytes.toString("utf8") : undefined;
}

/** Labels of the image the tag points at now, if any (a missing image is the usual case). */
async function currentLabels(
  docker: Dockerode,
  reference: string,
): Promise<Record<string, string> | undefined> {
  try {
    return (await docker.getImage(reference).inspect()).Config.Labels ?? undefined;
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw toInfrastructureError(error, "reading the current image");
  }
}
