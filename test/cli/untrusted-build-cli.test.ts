import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { BASE_IMAGE, ensureBaseImage } from "../helpers/docker-base-image.js";
import { CLI, ROOT } from "../helpers/run-cli.js";

/** Untrusted builds through the spawned CLI (`hubgate check --build`) on the real engine. */
const AWESOME = join(ROOT, "examples/executors/encoders/AwesomeEncoder");
const BUNDLE = "executors/encoders/AwesomeEncoder";
const docker = new Dockerode();

describe("hubgate check --build with hostile builds (spawned)", () => {
  let hub: string;
  beforeAll(() => ensureBaseImage(docker));
  beforeEach(() => {
    hub = mkdtempSync(join(tmpdir(), "hubgate-build-cli-"));
    cpSync(AWESOME, join(hub, BUNDLE), { recursive: true });
  });
  afterEach(() => rmSync(hub, { recursive: true, force: true }));

  it("stops a build flooding its log at build.maxLogBytes, and one reaching for the network under build.network: none", () => {
    writeFileSync(
      join(hub, ".hubgate.yml"),
      `build:\n  maxLogBytes: 65536\n  network: none\n  buildArgs:\n    BASE_IMAGE: ${BASE_IMAGE}\n`,
    );
    writeFileSync(
      join(hub, BUNDLE, "Dockerfile"),
      `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN test "$(ls /sys/class/net)" = lo\nRUN yes 'spam' | head -c 3000000\n`,
    );
    const run = spawnSync(process.execPath, [CLI, "check", ".", "--build", "--format", "json"], {
      cwd: hub,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 300_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as {
      bundles: Array<{ findings: Array<{ rule: string; line: number }> }>;
    };
    // Line 3 passed (only the loopback interface: no network); line 4 flooded the log.
    expect(result.bundles[0]!.findings.map((f) => [f.rule, f.line])).toEqual([["build/log-limit", 4]]);
  }, 320_000);
});
