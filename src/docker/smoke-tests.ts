import type Dockerode from "dockerode";
import type { SmokeConfig } from "../core/hub-config.js";
import type { SmokeResult, SmokeTestName } from "../core/result.js";
import { followLogLines } from "./container-logs.js";
import { toInfrastructureError } from "./infrastructure.js";
import type { Logger } from "./logger.js";
import { ContainerStartError, raceDeadline, withSandbox, type ExitState, type Sandbox } from "./sandbox.js";

/**
 * The three smoke tests of DESIGN.md ("The three smoke tests"). Each returns a verdict for
 * the contributor; engine failures throw an InfrastructureError, an abort throws Cancelled.
 */
export interface SmokeContext {
  docker: Dockerode;
  /** The image ID, not the tag: a concurrent build of the same tag cannot swap it under us. */
  imageId: string;
  config: SmokeConfig;
  bundlePath: string;
  /** The image's VOLUME paths (mounted as tmpfs in every smoke container). */
  volumes?: readonly string[];
  logger: Logger;
  signal?: AbortSignal;
}

/** Polling the health status this often keeps readiness detection within a second. */
const HEALTH_POLL_MS = 250;
/** Run the image's own HEALTHCHECK this often: the smoke test wants an answer in seconds. */
const HEALTH_INTERVAL_NS = 1e9;

export const SMOKE_TESTS: Record<SmokeTestName, (context: SmokeContext) => Promise<SmokeResult>> = {
  run: smokeRun,
  pod: smokePod,
  replicas: smokeReplicas,
};

const seconds = (ms: number) => ms / 1000;

/** `run`: the image with the run arguments exits 0 in time. */
export async function smokeRun(context: SmokeContext): Promise<SmokeResult> {
  const started = Date.now();
  const { config } = context;
  const timeoutMs = config.timeoutSeconds * 1000;
  const verdict = await withSandbox(
    context.docker,
    spec(context, "run", config.runArgs),
    context.logger,
    async (box) => {
      const startFailure = await startOrReason(box);
      if (startFailure) return { passed: false, reason: startFailure, logTail: [] };
      const exit = await box.waitForExit(timeoutMs, context.signal);
      if (exit === "timeout") {
        await box.kill();
        return {
          passed: false,
          reason: `did not exit within ${seconds(timeoutMs)}s; it was killed`,
          logTail: await box.logTail(),
        };
      }
      const logTail = await box.logTail();
      if (exit.code === 0) return { passed: true, logTail };
      return { passed: false, reason: exitReason(exit, config.memoryMb), logTail };
    },
  );
  return { name: "run", durationMs: Date.now() - started, ...verdict };
}

/** `pod`: started with the pod arguments, it becomes ready, then stops on SIGTERM. */
export async function smokePod(context: SmokeContext): Promise<SmokeResult> {
  const started = Date.now();
  const readiness = await readinessOf(context);
  const verdict = await withSandbox(
    context.docker,
    spec(context, "pod", context.config.podArgs, readiness),
    context.logger,
    async (box) => {
      const ready = await startAndAwaitReady(
        box,
        readiness,
        context,
        Date.now() + context.config.timeoutSeconds * 1000,
      );
      const reason = ready ?? (await stopGracefully(box, context));
      return { passed: reason === undefined, ...(reason ? { reason } : {}), logTail: await box.logTail() };
    },
  );
  return { name: "pod", durationMs: Date.now() - started, ...verdict };
}

/** `replicas`: N pods at once all become ready, then all stop on SIGTERM. */
export async function smokeReplicas(context: SmokeContext): Promise<SmokeResult> {
  const started = Date.now();
  const readiness = await readinessOf(context);
  const count = Math.max(1, context.config.replicas);
  const boxes: Sandbox[] = [];
  const reasons: string[] = [];
  const tails: string[][] = [];
  // Nested sandboxes, so each is removed whatever happens to the others.
  const runAll = async (index: number): Promise<void> => {
    if (index < count) {
      const env = [`HUBGATE_REPLICA=${index + 1}`, `HUBGATE_REPLICAS=${count}`];
      const replicaSpec = spec(context, "replicas", context.config.podArgs, readiness, env);
      return withSandbox(context.docker, replicaSpec, context.logger, async (box) => {
        boxes.push(box);
        await runAll(index + 1);
      });
    }
    const deadline = Date.now() + context.config.timeoutSeconds * 1000;
    const ready = await Promise.all(
      boxes.map((box) => startAndAwaitReady(box, readiness, context, deadline)),
    );
    const stopped = ready.every((r) => r === undefined)
      ? await Promise.all(boxes.map((box) => stopGracefully(box, context)))
      : ready;
    reasons.push(...groupReasons(stopped, count));
    tails.push(...(await Promise.all(boxes.map((box) => box.logTail()))));
  };
  await runAll(0);
  const perReplica = Math.max(3, Math.floor(20 / count));
  const logTail = tails.flatMap((tail, i) =>
    tail.slice(-perReplica).map((line) => `[replica ${i + 1}] ${line}`),
  );
  return {
    name: "replicas",
    passed: reasons.length === 0,
    durationMs: Date.now() - started,
    ...(reasons.length ? { reason: reasons.join("; ") } : {}),
    logTail,
  };
}

/** "replica 2 of 3: …", or "replicas 1, 2 and 3 of 3: …" when several failed alike. */
function groupReasons(reasons: ReadonlyArray<string | undefined>, count: number): string[] {
  const byReason = new Map<string, number[]>();
  reasons.forEach((reason, i) => reason && byReason.set(reason, [...(byReason.get(reason) ?? []), i + 1]));
  return [...byReason].map(([reason, replicas]) => {
    const which =
      replicas.length === 1
        ? `replica ${replicas[0]}`
        : `replicas ${replicas.slice(0, -1).join(", ")} and ${replicas.at(-1)}`;
    return `${which} of ${count}: ${reason}`;
  });
}

type Readiness = { kind: "health" } | { kind: "log"; pattern: RegExp };

/** A HEALTHCHECK in the image decides readiness; without one, the ready pattern in the log. */
async function readinessOf(context: SmokeContext): Promise<Readiness> {
  let image: Dockerode.ImageInspectInfo;
  try {
    image = await context.docker.getImage(context.imageId).inspect();
  } catch (error) {
    throw toInfrastructureError(error, "inspecting the built image");
  }
  const test = image.Config.Healthcheck?.Test;
  if (test && test.length > 0 && test[0] !== "NONE") return { kind: "health" };
  return { kind: "log", pattern: readyPattern(context.config.readyPattern) };
}

/** The ready pattern is a regular expression; one that does not compile is taken literally. */
export function readyPattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    return new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  }
}

function spec(
  context: SmokeContext,
  test: SmokeTestName,
  cmd: string[],
  readiness?: Readiness,
  env: string[] = [],
) {
  const { memoryMb, cpus, pids } = context.config;
  return {
    image: context.imageId,
    cmd,
    // Tells the image which smoke test runs it (and which replica): like Jina's replica id.
    env: [`HUBGATE_SMOKE_TEST=${test}`, ...env],
    limits: { memoryMb, cpus, pids },
    volumes: context.volumes,
    user: context.config.user,
    bundlePath: context.bundlePath,
    purpose: test,
    // Inherit the image's check (empty Test), only run it often enough for a smoke test.
    ...(readiness?.kind === "health" ? { healthcheck: { Interval: HEALTH_INTERVAL_NS } } : {}),
  };
}

async function startOrReason(box: Sandbox): Promise<string | undefined> {
  try {
    await box.start();
    return undefined;
  } catch (error) {
    if (error instanceof ContainerStartError) return `the container did not start: ${error.message}`;
    throw error;
  }
}

function exitReason(exit: ExitState, memoryMb: number, when = ""): string {
  if (exit.oomKilled) return `killed for using more than its ${memoryMb} MB memory limit${when}`;
  return `exited with code ${exit.code}${when}`;
}

/** Start and wait until ready; a reason when it is not ready by `deadline`. */
async function startAndAwaitReady(
  box: Sandbox,
  readiness: Readiness,
  context: SmokeContext,
  deadline: number,
): Promise<string | undefined> {
  const startFailure = await startOrReason(box);
  if (startFailure) return startFailure;
  const timeoutMs = deadline - Date.now();
  let watching = true;
  let stopWatching = () => {};
  const becameReady = new Promise<"ready">((resolve, reject) => {
    if (readiness.kind === "log") {
      followLogLines(box.container, (line) => readiness.pattern.test(line) && resolve("ready")).then(
        (stop) => {
          // The wait may already be over (exit, timeout) by the time the log stream opens.
          if (watching) stopWatching = stop;
          else stop();
        },
        (error: unknown) => reject(toInfrastructureError(error, "reading a smoke-test container's log")),
      );
    } else {
      const timer = setInterval(() => {
        box.inspect().then((info) => info.State.Health?.Status === "healthy" && resolve("ready"), reject);
      }, HEALTH_POLL_MS);
      stopWatching = () => clearInterval(timer);
    }
  });
  try {
    const outcome = await raceDeadline(Promise.race([becameReady, box.exited]), timeoutMs, context.signal);
    if (outcome === "ready") return undefined;
    if (outcome === "timeout") {
      await box.kill();
      const why =
        readiness.kind === "health"
          ? "its HEALTHCHECK never reported healthy"
          : `no log line matched /${readiness.pattern.source}/`;
      return `not ready within ${context.config.timeoutSeconds}s (${why})`;
    }
    return exitReason(outcome, context.config.memoryMb, " before ready");
  } finally {
    watching = false;
    stopWatching();
  }
}

/** SIGTERM a ready container; a reason when it does not stop in time or stops badly. */
async function stopGracefully(box: Sandbox, context: SmokeContext): Promise<string | undefined> {
  const stopTimeoutMs = context.config.stopTimeoutSeconds * 1000;
  if (!(await box.kill("SIGTERM"))) {
    return exitReason(await box.exited, context.config.memoryMb, " after becoming ready, before SIGTERM");
  }
  const exit = await box.waitForExit(stopTimeoutMs, context.signal);
  if (exit === "timeout") {
    await box.kill();
    return `did not stop within ${context.config.stopTimeoutSeconds}s of SIGTERM`;
  }
  // 143 = terminated by the SIGTERM itself: stopped as asked, just without a handler.
  if (exit.code === 0 || exit.code === 143) return undefined;
  return exitReason(exit, context.config.memoryMb, " after SIGTERM");
}
