import type Dockerode from "dockerode";
import type { Pack } from "tar-stream";
import {
  instructionForStep,
  lineFromErrorMessage,
  parseDockerfileInstructions,
  parseStepLine,
  type BuildStep,
} from "./dockerfile-lines.js";
import { finding, type Finding } from "../core/finding.js";
import {
  buildErrorOwner,
  dockerErrorMessage,
  rejectedBuildOwner,
  toInfrastructureError,
} from "./infrastructure.js";
import { LogTail } from "./log-tail.js";
import type { Logger } from "./logger.js";

export interface BuildRequest {
  /** The tar stream of the context (see build-context.ts); destroyed when the build ends. */
  context: Pack;
  /** `repository:tag` the engine applies when the build succeeds. */
  tag: string;
  labels: Record<string, string>;
  /** Dockerfile inside the context (default `Dockerfile`). */
  dockerfile?: string;
  buildArgs: Record<string, string>;
  timeoutMs: number;
  /** Limits of every build-step container (untrusted code runs in RUN). */
  limits?: BuildLimits;
  signal?: AbortSignal;
  logger: Logger;
}

export interface BuildLimits {
  memoryMb: number;
  cpus: number;
  network: "default" | "none";
  /** Output past this stops the build. */
  maxLogBytes: number;
}

/** The classic builder's query parameters for the limits (cpuquota per 100 ms period). */
export function buildLimitOptions(limits: BuildLimits): Record<string, string | number> {
  const memory = Math.round(limits.memoryMb * 1024 * 1024);
  const period = 100_000;
  return {
    memory,
    memswap: memory,
    cpuperiod: period,
    cpuquota: Math.max(1000, Math.round(limits.cpus * period)),
    ...(limits.network === "none" ? { networkmode: "none" } : {}),
  };
}

export type BuildOutcome =
  | { status: "built"; imageId: string; logTail: string[]; durationMs: number }
  | {
      status: "failed";
      reason: string;
      step?: BuildStep;
      line?: number;
      logTail: string[];
      durationMs: number;
    }
  | { status: "timed-out"; step?: BuildStep; logTail: string[]; durationMs: number }
  | { status: "log-limit"; step?: BuildStep; logTail: string[]; durationMs: number; maxLogBytes: number }
  | { status: "cancelled"; durationMs: number };

/** The classic builder's bookkeeping lines say nothing about why a build failed. */
const BUILDER_NOISE = /^ ---> |^Removing intermediate container /;

interface ProgressEvent {
  stream?: string;
  status?: string;
  progressDetail?: unknown;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Build with the classic builder (the engine's default on API 1.41), which numbers steps
 * ("Step N/M") so a failure maps to a Dockerfile line. Contributor failures come back as a
 * `failed` outcome; engine failures throw an InfrastructureError.
 */
export async function buildImage(docker: Dockerode, request: BuildRequest): Promise<BuildOutcome> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const log = new LogTail(20, 500, (line) => !BUILDER_NOISE.test(line));
  const controller = new AbortController();
  let stopped: "timeout" | "cancelled" | "log-limit" | undefined;
  // No abortSignal goes to dockerode: Node's http aborts a request by emitting an AbortError
  // that docker-modem does not always listen for (an uncaught exception). Stopping instead
  // closes the upload and the response stream; the engine ends a build whose client left.
  let response: NodeJS.ReadableStream | undefined;
  const stop = (why: "timeout" | "cancelled" | "log-limit") => {
    stopped ??= why;
    controller.abort();
    request.context.destroy();
    (response as { destroy?: () => void } | undefined)?.destroy?.();
  };
  const onAbort = () => stop("cancelled");
  if (request.signal?.aborted) {
    request.context.destroy();
    return { status: "cancelled", durationMs: 0 };
  }
  request.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => stop("timeout"), request.timeoutMs);
  let contextError: unknown;
  // A context file that cannot be read leaves the upload hanging: end the request.
  request.context.on("error", (error: unknown) => {
    contextError = error;
    controller.abort();
  });

  let step: BuildStep | undefined;
  let imageId: string | undefined;
  let streamError: string | undefined;
  let logBytes = 0;
  const maxLogBytes = request.limits?.maxLogBytes ?? Number.POSITIVE_INFINITY;
  const onEvent = (event: ProgressEvent) => {
    if (typeof event.stream === "string") {
      logBytes += Buffer.byteLength(event.stream);
      if (logBytes > maxLogBytes) return stop("log-limit");
      for (const line of log.push(event.stream)) step = parseStepLine(line) ?? step;
    } else if (typeof event.status === "string" && !event.progressDetail) {
      log.push(`${event.status}\n`);
    }
    if (event.error !== undefined || event.errorDetail !== undefined) {
      streamError = event.errorDetail?.message ?? event.error ?? "unknown build error";
    }
    if (typeof event.aux?.ID === "string") imageId = event.aux.ID;
  };

  try {
    // A streamx Readable: docker-modem only pipes it into the request, which streamx supports.
    const body = request.context as unknown as NodeJS.ReadableStream;
    const stream = await docker.buildImage(body, {
      t: request.tag,
      labels: request.labels,
      dockerfile: request.dockerfile ?? "Dockerfile",
      buildargs: request.buildArgs,
      pull: false,
      rm: true,
      forcerm: true,
      ...(request.limits ? buildLimitOptions(request.limits) : {}),
    });
    response = stream;
    if (stopped) (stream as { destroy?: () => void }).destroy?.();
    // followProgress drops its error listener after the first error; an abort later emits
    // another AbortError on the response stream, which must not become an uncaught exception.
    (stream as NodeJS.EventEmitter).on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve()), onEvent);
      // followProgress resolves on "close" too; an abort must not wait for a stream that never ends.
      controller.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } catch (error) {
    if (!stopped && contextError === undefined) {
      if (rejectedBuildOwner(error) === "infrastructure")
        throw toInfrastructureError(error, "building the image");
      const reason = dockerErrorMessage(error);
      return {
        status: "failed",
        reason,
        line: lineFromErrorMessage(reason),
        logTail: log.lines(),
        durationMs: elapsed(),
      };
    }
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
    request.context.destroy();
  }

  if (stopped === "cancelled") return { status: "cancelled", durationMs: elapsed() };
  if (stopped === "timeout")
    return { status: "timed-out", step, logTail: log.lines(), durationMs: elapsed() };
  if (stopped === "log-limit")
    return { status: "log-limit", step, logTail: log.lines(), durationMs: elapsed(), maxLogBytes };
  if (contextError !== undefined) throw toInfrastructureError(contextError, "sending the build context");
  if (streamError !== undefined) {
    if (buildErrorOwner(streamError, log.lines()) === "infrastructure") {
      throw toInfrastructureError(new Error(streamError), "building the image");
    }
    return { status: "failed", reason: streamError, step, logTail: log.lines(), durationMs: elapsed() };
  }
  // Without the engine's word on the result (connection lost mid-build), the tag may still
  // name an older image: never take it for this build's.
  if (imageId === undefined) {
    throw toInfrastructureError(
      new Error("the build output ended without an image ID"),
      "building the image",
    );
  }
  request.logger.debug({ imageId, durationMs: elapsed() }, "image built");
  return { status: "built", imageId, logTail: log.lines(), durationMs: elapsed() };
}

/** The contributor-facing finding for a build that did not produce an image. */
export function buildFailureFinding(
  outcome: Extract<BuildOutcome, { status: "failed" | "timed-out" | "log-limit" }>,
  dockerfileSource: string | undefined,
  bundlePath: string,
  timeoutSeconds: number,
): Finding {
  const instructions = dockerfileSource === undefined ? [] : parseDockerfileInstructions(dockerfileSource);
  const instruction = outcome.step ? instructionForStep(instructions, outcome.step) : undefined;
  const line =
    instruction?.line ??
    (outcome.status === "failed" ? outcome.line : undefined) ??
    instructions[0]?.line ??
    1;
  // No "/total": the engine's total counts the label steps we append, not the contributor's.
  const where = outcome.step
    ? `at step ${outcome.step.index} (${clip(instruction?.text ?? outcome.step.text)})`
    : `at line ${line}`;
  const output = outcome.logTail.length > 0 ? `\nLast build output:\n${outcome.logTail.join("\n")}` : "";
  const message =
    outcome.status === "failed"
      ? `the image build failed ${where}: ${outcome.reason}. Fix this instruction and check with \`docker build .\` in the bundle folder.${output}`
      : outcome.status === "log-limit"
        ? `the image build printed more than ${outcome.maxLogBytes} bytes and was stopped ${where}. ` +
          `Make this step quieter (for example \`pip install -q\`, or send its output to a file).${output}`
        : `the image build did not finish within ${timeoutSeconds}s and was stopped ${where}. Make this step faster ` +
          `(smaller downloads, fewer packages) so the build ends in time.${output}`;
  const rule =
    outcome.status === "failed"
      ? "build/failed"
      : outcome.status === "log-limit"
        ? "build/log-limit"
        : "build/timeout";
  return finding(`${bundlePath}/Dockerfile`, "error", rule, message, {
    line,
    column: 1,
    endLine: instruction?.endLine ?? line,
    endColumn: (instruction?.endLineLength ?? 0) + 1,
  });
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
