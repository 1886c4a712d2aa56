import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";

export const SERVER = fileURLToPath(new URL("../../dist/server.js", import.meta.url));
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface SpawnedServer {
  proc: ChildProcess;
  pid: number;
  url: string;
  /** Everything the server printed (pino JSON lines and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill9(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * The server as production runs it: `node dist/server.js` (or any command, e.g. `npm start`),
 * listening on an ephemeral port (PORT=0), ready once it logs "listening" with its port.
 */
export async function spawnServer(
  env: Record<string, string>,
  command: string[] = [process.execPath, SERVER],
): Promise<SpawnedServer> {
  const proc = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | string>((resolve) =>
    proc.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return {
    proc,
    pid: proc.pid!,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    async kill9() {
      proc.kill("SIGKILL");
      await exited;
    },
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Poll `probe` until it returns a value. Gives up after `limitMs` with `explain()` in the
 * error (a bound on a hang, not a speed assertion: speed belongs to the bench).
 */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  everyMs = 50,
  explain: () => string = () => "",
  limitMs = 100_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${limitMs} ms\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** What a describe block of spawned-server tests shares: one fake GitHub, a fresh data dir and server slot per test. */
export interface SpawnedServerSuite {
  fake: FakeGitHub;
  dataDir: string;
  /** The test's server; one still running after the test is ended as `leftRunning` says. */
  server: SpawnedServer | undefined;
}

/** Registers the describe block's hooks (call it inside `describe`). */
export function spawnedServerSuite(dataDirPrefix: string, leftRunning: "stop" | "kill9"): SpawnedServerSuite {
  const suite = {} as SpawnedServerSuite;
  beforeAll(async () => {
    suite.fake = await startFakeGitHub();
  });
  afterAll(async () => {
    await suite.fake.close();
  });
  beforeEach(() => {
    suite.fake.reset();
    suite.dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  });
  afterEach(async () => {
    const server = suite.server;
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
      if (leftRunning === "stop") await server.stop();
      else await server.kill9();
    }
    suite.server = undefined;
    rmSync(suite.dataDir, { recursive: true, force: true });
  });
  return suite;
}
