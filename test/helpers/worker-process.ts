import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./run-cli.js";

/** The Redis that .ci/run starts (scripts/ensure-services.sh); each test uses a key prefix of its own. */
export const TEST_REDIS_URL = "redis://127.0.0.1:6379";

export interface LogLine {
  msg: string;
  pid: number;
  jobId?: string;
  bundle?: string;
  [key: string]: unknown;
}

export interface WorkerProcess {
  pid: number;
  port: number;
  child: ChildProcess;
  /** Every JSON log line so far. */
  lines: LogLine[];
  /** Resolves with the first line (from now or earlier) that `match` accepts. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A real `hubgate worker` process, as an operator starts it; resolves once it says it is ready. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  // A work folder of its own, removed when the process ends (also after kill -9): nothing of a
  // killed worker's jobs stays in the OS temp folder. A test may name its own.
  const workDir = env.HUBGATE_WORK_DIR ? undefined : mkdtempSync(join(tmpdir(), "hubgate-worker-"));
  const child = spawn(process.execPath, [CLI, "worker"], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: "0",
      HOST: "127.0.0.1",
      ...(workDir ? { HUBGATE_WORK_DIR: workDir } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (workDir) child.once("exit", () => rmSync(workDir, { recursive: true, force: true }));
  const lines: LogLine[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let buffered = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const text of parts) {
      if (!text.startsWith("{")) continue;
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const waitFor = (match: (line: LogLine) => boolean) => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then((code) => reject(new Error(`worker exited (${code}) while waiting: ${stderr}`)));
    });
  };
  const ready = await waitFor((line) => line.msg === "worker ready");
  return {
    pid: child.pid!,
    port: ready.port as number,
    child,
    lines,
    waitFor,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
