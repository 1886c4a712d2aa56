/**
 * The server as deployed: `node dist/server.js` and `npm start`, with signals. A malformed
 * key is a start-up error, health and readiness say what is wrong, metrics are served,
 * SIGTERM lets a running build finish (or puts it back for the next start), and `npm start`
 * leaves no orphaned node behind.
 */
import { execFileSync, spawn } from "node:child_process";
import { jest } from "@jest/globals";
import Dockerode from "dockerode";
import { deliverWebhook } from "../fakes/github/index.js";
import { ensureBaseImage, ROOMY_HUB_CONFIG } from "../helpers/docker-base-image.js";
import {
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import { serverEnv, WEBHOOK_SECRET } from "../helpers/hubgate-server.js";
import { ROOT, SERVER, spawnedServerSuite, spawnServer, until } from "../helpers/spawned-server.js";

jest.setTimeout(300_000);
const AWESOME = "executors/encoders/AwesomeEncoder";
const bundle = exampleBundleFiles(AWESOME);
const HUB_CONFIG = ROOMY_HUB_CONFIG;

describe("the server process", () => {
  const suite = spawnedServerSuite("hubgate-life-", "kill9");
  const explain = () =>
    `server output:\n${suite.server?.output().slice(-5000)}\nruns: ${JSON.stringify(
      suite.fake.checkRuns(OWNER, REPO).map((r) => [r.name, r.status, r.conclusion]),
    )}`;

  it("refuses to start with a malformed private key, naming it (no setup mode)", () => {
    let stderr = "";
    let status: number | null = 0;
    try {
      execFileSync(process.execPath, [SERVER], {
        cwd: ROOT,
        env: {
          ...process.env,
          ...serverEnv(suite.fake, { HUBGATE_DATA_DIR: suite.dataDir, PORT: "0" }),
          PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n",
        },
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      const e = error as { status: number | null; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toContain("PRIVATE_KEY: not a valid PEM private key");
  });

  it("answers /healthz, /readyz (naming each check) and /metrics", async () => {
    suite.server = await spawnServer(
      serverEnv(suite.fake, { HUBGATE_DATA_DIR: suite.dataDir, HUBGATE_BUILD: "false" }),
    );
    expect(await (await fetch(`${suite.server.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${suite.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Array<{ name: string; ok: boolean }> }).checks).toEqual([
      { name: "store", ok: true },
      { name: "github", ok: true },
    ]);
    const pull = setUpPull(suite.fake, { base: {}, head: bundle });
    await deliverWebhook({
      url: `${suite.server.url}/api/github/webhooks`,
      secret: WEBHOOK_SECRET,
      event: "pull_request",
      payload: pullRequestPayload(suite.fake, "opened", pull),
    });
    // Done once reported and recorded: the store's count says so.
    const metrics = await until(
      async () => {
        const text = await (await fetch(`${suite.server!.url}/metrics`)).text();
        return /hubgate_jobs\{state="done"\} 1/.test(text) ? text : undefined;
      },
      50,
      explain,
    );
    expect(metrics).toMatch(/hubgate_webhook_deliveries_total\{platform="github",outcome="200"\} 1/);
    expect(metrics).toMatch(/hubgate_webhook_ack_seconds_count\{platform="github"\} 1/);
    expect(metrics).toMatch(/hubgate_jobs\{state="done"\} 1/);
    expect(metrics).toMatch(/hubgate_job_outcomes_total\{kind="check",conclusion="success"\} 1/);
    expect(metrics).toContain("hubgate_platform_api_errors_total");
    expect(await suite.server.stop()).toBe(0);
  });

  it("is not ready, and says why, when GitHub refuses the App", async () => {
    suite.server = await spawnServer(
      serverEnv(suite.fake, { HUBGATE_DATA_DIR: suite.dataDir, HUBGATE_BUILD: "false", APP_ID: "999" }),
    );
    const ready = await fetch(`${suite.server.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Array<{ name: string; ok: boolean; problem?: string }> };
    expect(body.checks.find((c) => c.name === "github")).toMatchObject({
      ok: false,
      problem: expect.stringContaining("GitHub refuses the App's credentials"),
    });
  });

  describe("SIGTERM during a build", () => {
    beforeAll(() => ensureBaseImage(new Dockerode()));

    /** Starts the server, opens a pull request whose build runs, and sends SIGTERM once it does. */
    const sigtermDuringBuild = async (env: Record<string, string>) => {
      const server = (suite.server = await spawnServer(env));
      const pull = setUpPull(suite.fake, { base: HUB_CONFIG, head: { ...HUB_CONFIG, ...bundle } });
      await deliverWebhook({
        url: `${server.url}/api/github/webhooks`,
        secret: WEBHOOK_SECRET,
        event: "pull_request",
        payload: pullRequestPayload(suite.fake, "opened", pull),
      });
      await until(
        () => suite.fake.checkRuns(OWNER, REPO).some((r) => r.status === "in_progress"),
        50,
        explain,
      );
      expect(await server.stop("SIGTERM")).toBe(0);
    };

    it("lets the running build finish within the grace period, then exits 0", async () => {
      await sigtermDuringBuild(
        serverEnv(suite.fake, { HUBGATE_DATA_DIR: suite.dataDir, HUBGATE_SHUTDOWN_GRACE_S: "120" }),
      );
      expect(suite.fake.checkRuns(OWNER, REPO).map((r) => [r.status, r.conclusion])).toEqual([
        ["completed", "success"],
      ]);
    });

    it("past the grace period the build is put back, and the next start finishes it", async () => {
      const env = serverEnv(suite.fake, {
        HUBGATE_DATA_DIR: suite.dataDir,
        HUBGATE_SHUTDOWN_GRACE_S: "0.01",
      });
      await sigtermDuringBuild(env);
      // Not cancelled, not left for good: still in progress, and the job is kept.
      expect(suite.fake.checkRuns(OWNER, REPO).map((r) => r.status)).toEqual(["in_progress"]);
      suite.server = await spawnServer(env);
      await until(
        () => suite.fake.checkRuns(OWNER, REPO).every((r) => r.status === "completed"),
        100,
        explain,
      );
      expect(suite.fake.checkRuns(OWNER, REPO).map((r) => [r.status, r.conclusion])).toEqual([
        ["completed", "success"],
      ]);
    });
  });

  it("`npm start` passes SIGTERM to node: nothing keeps running, the port is free", async () => {
    suite.server = await spawnServer(
      serverEnv(suite.fake, { HUBGATE_DATA_DIR: suite.dataDir, HUBGATE_BUILD: "false" }),
      ["npm", "start", "--silent"],
    );
    const port = new URL(suite.server.url).port;
    const pids = execFileSync("pgrep", ["-P", String(suite.server.pid)], { encoding: "utf8" })
      .trim()
      .split("\n");
    expect(await suite.server.stop("SIGTERM")).toBe(0);
    for (const pid of pids.filter(Boolean)) expect(() => process.kill(Number(pid), 0)).toThrow();
    // The port is free again: a new listener can take it.
    const probe = spawn(process.execPath, [
      "-e",
      `require("http").createServer().listen(${port},"127.0.0.1",function(){this.close()})`,
    ]);
    expect(await new Promise((resolve) => probe.once("exit", resolve))).toBe(0);
  });
});
