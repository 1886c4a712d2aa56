/**
 * Engine faults staged for real on a second Docker engine of the test's own (never the shared
 * one): its bridge deleted before a build's RUN step, and the engine killed while a smoke
 * container runs. Both are ours, not the contributor's: exit 2, the bundle's infrastructure
 * error says what happened, and no finding blames a Dockerfile line or the smoke test.
 * Through the spawned CLI (`hubgate check --build`, DOCKER_HOST at the second engine).
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jest } from "@jest/globals";
import { ensureBaseImage } from "../helpers/docker-base-image.js";
import { CLI, ROOT } from "../helpers/run-cli.js";
import { startSecondEngine, type SecondEngine } from "../helpers/second-engine.js";
import { until } from "../helpers/spawned-server.js";

jest.setTimeout(300_000);
const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
const BUNDLE = "executors/encoders/AwesomeEncoder";
/** The base image, built inside the second engine (nothing can be pulled). */
const BASE = "hubgate-test/busybox:second-engine";

interface JsonResult {
  bundles: Array<{
    findings: Array<{ rule: string; file: string; line?: number }>;
    smoke: Array<{ name: string; passed: boolean; reason?: string }>;
    infrastructureError?: string;
  }>;
}

describe("engine faults on a second Docker engine (spawned CLI)", () => {
  let engine: SecondEngine;
  let hub: string;
  beforeEach(async () => {
    hub = mkdtempSync(join(tmpdir(), "hubgate-engine-hub-"));
    cpSync(AWESOME, join(hub, BUNDLE), { recursive: true });
    engine = await startSecondEngine();
    await ensureBaseImage(engine.docker, BASE);
  });
  afterEach(async () => {
    await engine?.close();
    rmSync(hub, { recursive: true, force: true });
  });

  const hubConfig = (smokeTimeoutSeconds: number) =>
    `build:\n  buildArgs:\n    BASE_IMAGE: ${BASE}\nsmoke:\n  timeoutSeconds: ${smokeTimeoutSeconds}\n`;
  const cliEnv = () => ({ ...process.env, NO_COLOR: "1", DOCKER_HOST: engine.dockerHost });

  it('"could not find bridge" during a RUN step is our infrastructure error, not the Dockerfile line\'s', () => {
    writeFileSync(join(hub, ".hubgate.yml"), hubConfig(60));
    writeFileSync(
      join(hub, BUNDLE, "Dockerfile"),
      `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nWORKDIR /app\nCOPY . /app\nRUN echo building\nENTRYPOINT ["/bin/sh", "/app/entrypoint.sh"]\n`,
    );
    engine.deleteBridge();
    const run = spawnSync(process.execPath, [CLI, "check", ".", "--build", "--format", "json"], {
      cwd: hub,
      encoding: "utf8",
      env: cliEnv(),
      timeout: 240_000,
    });
    const explain = `exit ${run.status}\n${run.stdout}\n${run.stderr}\nengine log:\n${engine.log()}`;
    expect({ status: run.status, explain }).toMatchObject({ status: 2 });
    const [bundle] = (JSON.parse(run.stdout) as JsonResult).bundles;
    expect(bundle!.infrastructureError).toMatch(/could not find bridge/);
    expect(bundle!.infrastructureError).toContain("not in the bundle");
    expect(bundle!.findings.filter((f) => f.rule.startsWith("build/"))).toEqual([]);
    expect(bundle!.smoke).toEqual([]);
  });

  it("an engine killed while a smoke container runs is reported at once as an engine failure", async () => {
    // The smoke timeout is far beyond the test's own: only an immediate report can pass.
    writeFileSync(join(hub, ".hubgate.yml"), hubConfig(3600));
    writeFileSync(
      join(hub, BUNDLE, "Dockerfile"),
      `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nENTRYPOINT ["/bin/sh", "-c", "sleep 100000", "--"]\n`,
    );
    const cli = spawn(process.execPath, [CLI, "check", ".", "--build", "--format", "json"], {
      cwd: hub,
      env: cliEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    cli.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    cli.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => cli.once("exit", (code) => resolve(code)));
    try {
      await until(
        async () => {
          if (cli.exitCode !== null)
            throw new Error(`the check ended before its smoke test ran:\n${stdout}\n${stderr}`);
          const running = await engine.docker.listContainers({
            filters: { label: ["dev.hubgate.smoke=true"], status: ["running"] },
          });
          return running.length > 0;
        },
        100,
        () => `no smoke container ran\n${stdout}\n${stderr}\n${engine.log()}`,
      );
      await engine.kill9();
      const code = await exited;
      expect({ code, stdout, stderr }).toMatchObject({ code: 2 });
      const [bundle] = (JSON.parse(stdout) as JsonResult).bundles;
      expect(bundle!.infrastructureError).toMatch(
        /the Docker engine could not be reached while .*smoke-test container/,
      );
      // Not the contributor's: no failed smoke test, no "did not exit within 3600s".
      expect(bundle!.smoke.filter((s) => !s.passed)).toEqual([]);
      expect(JSON.stringify(bundle)).not.toContain("3600");
    } finally {
      if (cli.exitCode === null && cli.signalCode === null) cli.kill("SIGKILL");
      await exited;
    }
  });
});
