import { hostname } from "node:os";
import type Dockerode from "dockerode";
import { containerLogTail } from "./container-logs.js";
import {
  dockerErrorMessage,
  isEngineFailure,
  statusCodeOf,
  toInfrastructureError,
} from "./infrastructure.js";
import type { Logger } from "./logger.js";

/**
 * Hardened containers for code from a pull request: no network, capped memory/CPU/pids, no
 * capabilities, no privilege gain, read-only root with a small noexec /tmp, no host mounts,
 * and always removed afterwards.
 */
export const SMOKE_LABEL = "dev.hubgate.smoke";
const OWNER_LABEL = "dev.hubgate.owner";
const BUNDLE_LABEL = "dev.hubgate.bundle";

export interface SandboxLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
}

export interface SandboxSpec {
  image: string;
  /** Appended to the image's ENTRYPOINT. */
  cmd: string[];
  env?: string[];
  limits: SandboxLimits;
  bundlePath: string;
  /** Which smoke test, for `docker ps` readers. */
  purpose: string;
  healthcheck?: Dockerode.HealthConfig;
  /** The image's VOLUME paths: each gets a small tmpfs, so no anonymous volume lands on the host. */
  volumes?: readonly string[];
  /** `uid[:gid]` or a user the image defines; default the image's USER. */
  user?: string;
}

/** Size of the tmpfs put where the image declares a VOLUME. */
const VOLUME_TMPFS = "rw,nosuid,nodev,size=64m";

export function sandboxHostConfig(
  limits: SandboxLimits,
  volumes: readonly string[] = [],
): Dockerode.HostConfig {
  const memory = Math.round(limits.memoryMb * 1024 * 1024);
  const tmpfs: Record<string, string> = Object.fromEntries(volumes.map((v) => [v, VOLUME_TMPFS]));
  return {
    NetworkMode: "none",
    Memory: memory,
    // Same as Memory: no swap on top, so the limit is the limit.
    MemorySwap: memory,
    NanoCpus: Math.round(limits.cpus * 1e9),
    PidsLimit: limits.pids,
    ReadonlyRootfs: true,
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    Tmpfs: { ...tmpfs, "/tmp": "rw,noexec,nosuid,size=16m" },
    IpcMode: "private",
    // Kept after exit so its logs can be read; removed by us in any case.
    AutoRemove: false,
    RestartPolicy: { Name: "no" },
    // A chatty container must not fill the host's disk through its log.
    LogConfig: { Type: "json-file", Config: { "max-size": "5m", "max-file": "1" } },
  };
}

/** How often a running smoke container's engine is asked whether it is still there. */
const HEARTBEAT_MS = 1000;

/** Who started a container: lets a sweep tell a crashed run's leftovers from a live run's. */
const owner = () => `${hostname()}/${process.pid}`;

export type ExitState = { code: number; oomKilled: boolean };

/** The contributor's image could not start (bad ENTRYPOINT, missing binary). */
export class ContainerStartError extends Error {
  override readonly name = "ContainerStartError";
}

export class Cancelled extends Error {
  override readonly name = "AbortError";
  constructor() {
    super("cancelled");
  }
}

export class Sandbox {
  private exitPromise?: Promise<ExitState>;

  private constructor(
    readonly container: Dockerode.Container,
    private readonly logger: Logger,
  ) {}

  static async create(docker: Dockerode, spec: SandboxSpec, logger: Logger): Promise<Sandbox> {
    const options: Dockerode.ContainerCreateOptions = {
      Image: spec.image,
      Cmd: spec.cmd,
      Env: spec.env,
      Labels: {
        [SMOKE_LABEL]: "true",
        [OWNER_LABEL]: owner(),
        [BUNDLE_LABEL]: spec.bundlePath,
        "dev.hubgate.purpose": spec.purpose,
      },
      NetworkDisabled: true,
      Tty: false,
      OpenStdin: false,
      HostConfig: sandboxHostConfig(spec.limits, spec.volumes),
      ...(spec.user ? { User: spec.user } : {}),
      ...(spec.healthcheck ? { Healthcheck: spec.healthcheck } : {}),
    };
    try {
      const container = await docker.createContainer(options);
      return new Sandbox(container, logger.child({ container: container.id.slice(0, 12) }));
    } catch (error) {
      throw toInfrastructureError(error, "creating a smoke-test container");
    }
  }

  get id(): string {
    return this.container.id;
  }

  /** Start it; a refusal caused by the image (exec format, missing entrypoint) is the contributor's. */
  async start(): Promise<void> {
    try {
      await this.container.start();
    } catch (error) {
      if (isEngineFailure(error)) throw toInfrastructureError(error, "starting a smoke-test container");
      throw new ContainerStartError(dockerErrorMessage(error));
    }
    // Ask for the exit once, right away, so it is never missed.
    const waited = this.container.wait().then(
      async (result: { StatusCode?: number }) => ({
        code: result.StatusCode ?? -1,
        oomKilled: await this.oomKilled(),
      }),
      (error: unknown) => {
        // Removed under us: it has stopped. A lost engine is ours, never "exited with code -1".
        if (statusCodeOf(error) === 404) return { code: -1, oomKilled: false };
        throw toInfrastructureError(error, "waiting for a smoke-test container");
      },
    );
    // A wait whose connection drops never settles (docker-modem reports nothing): a heartbeat
    // notices the engine is gone, so a smoke test says so at once instead of at its timeout.
    this.exitPromise = Promise.race([waited, this.engineGone()]);
    this.exitPromise.then(
      () => this.stopHeartbeat(),
      () => this.stopHeartbeat(),
    );
    // Nobody may be waiting when the engine goes away; the next engine call reports it.
    this.exitPromise.catch(() => undefined);
  }

  private heartbeat?: NodeJS.Timeout;

  private engineGone(): Promise<never> {
    return new Promise<never>((_, reject) => {
      let busy = false;
      this.heartbeat = setInterval(() => {
        if (busy) return;
        busy = true;
        this.container.inspect().then(
          () => (busy = false),
          (error: unknown) => {
            busy = false;
            if (statusCodeOf(error) === 404 || !isEngineFailure(error)) return;
            this.stopHeartbeat();
            reject(toInfrastructureError(error, "running a smoke-test container"));
          },
        );
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    });
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Resolves when the container stops; rejects only when the engine fails. */
  get exited(): Promise<ExitState> {
    return this.exitPromise ?? Promise.resolve({ code: -1, oomKilled: false });
  }

  /** Wait for the exit, at most `timeoutMs`. */
  async waitForExit(timeoutMs: number, signal?: AbortSignal): Promise<ExitState | "timeout"> {
    return raceDeadline(this.exited, timeoutMs, signal);
  }

  /** Send a signal; false when it is no longer running. */
  async kill(signal: "SIGTERM" | "SIGKILL" = "SIGKILL"): Promise<boolean> {
    try {
      await this.container.kill({ signal });
      return true;
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 404 || status === 409) return false;
      throw toInfrastructureError(error, "stopping a smoke-test container");
    }
  }

  async inspect(): Promise<Dockerode.ContainerInspectInfo> {
    try {
      return await this.container.inspect();
    } catch (error) {
      throw toInfrastructureError(error, "inspecting a smoke-test container");
    }
  }

  logTail(lines = 20): Promise<string[]> {
    return containerLogTail(this.container, lines);
  }

  /** Remove whatever state it is in; never throws (a leftover is swept at the next start). */
  async remove(): Promise<void> {
    this.stopHeartbeat();
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      if (statusCodeOf(error) !== 404) {
        this.logger.warn({ err: dockerErrorMessage(error) }, "could not remove smoke-test container");
      }
    }
  }

  private async oomKilled(): Promise<boolean> {
    try {
      return (await this.container.inspect()).State.OOMKilled === true;
    } catch {
      return false;
    }
  }
}

/** Create a sandbox, hand it to `body`, and remove it afterwards whatever happened. */
export async function withSandbox<T>(
  docker: Dockerode,
  spec: SandboxSpec,
  logger: Logger,
  body: (sandbox: Sandbox) => Promise<T>,
): Promise<T> {
  const sandbox = await Sandbox.create(docker, spec, logger);
  try {
    return await body(sandbox);
  } finally {
    await sandbox.remove();
  }
}

/** Race a promise against a deadline and an abort signal (which throws Cancelled). */
export function raceDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T | "timeout"> {
  if (signal?.aborted) return Promise.reject(new Cancelled());
  return new Promise<T | "timeout">((resolve, reject) => {
    const onAbort = () => settle(() => reject(new Cancelled()));
    const timer = setTimeout(() => settle(() => resolve("timeout")), Math.max(0, timeoutMs));
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

export interface SweepOptions {
  logger?: Logger;
  /** Remove every smoke container, even those of a run still going (operators, tests). */
  all?: boolean;
  /** Containers older than this are leftovers whoever started them. Default one hour. */
  maxAgeMs?: number;
}

/**
 * Remove smoke containers a crashed run left behind: those whose owning process on this
 * host is gone, and any older than `maxAgeMs`. Containers of live runs are left alone, so
 * two hubgate processes can share one engine.
 */
export async function sweepLeftovers(docker: Dockerode, options: SweepOptions = {}): Promise<number> {
  const maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await docker.listContainers({ all: true, filters: { label: [`${SMOKE_LABEL}=true`] } });
  } catch (error) {
    throw toInfrastructureError(error, "listing leftover smoke-test containers");
  }
  let removed = 0;
  for (const info of containers) {
    if (!options.all && !isLeftover(info, maxAgeMs)) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
      removed++;
    } catch (error) {
      if (statusCodeOf(error) !== 404) {
        options.logger?.warn(
          { container: info.Id, err: dockerErrorMessage(error) },
          "could not sweep container",
        );
      }
    }
  }
  if (removed > 0) options.logger?.info({ removed }, "removed leftover smoke-test containers");
  return removed;
}

function isLeftover(info: Dockerode.ContainerInfo, maxAgeMs: number): boolean {
  if (Date.now() - info.Created * 1000 > maxAgeMs) return true;
  const [host, pid] = (info.Labels[OWNER_LABEL] ?? "").split("/");
  if (host !== hostname() || !pid) return false;
  return !processAlive(Number(pid));
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
