import { spawn } from "node:child_process";
import { once } from "node:events";
import { CLI, runCli } from "../helpers/run-cli.js";

/**
 * A check worker runs pull-request code: started with any platform or registry secret in its
 * environment it refuses (exit 2), naming the variable and never its value. A publish worker
 * may hold registry credentials, never platform ones. Spawned as an operator would start it.
 */
const REDIS = {
  HUBGATE_REDIS_URL: "redis://127.0.0.1:6379",
  HUBGATE_QUEUE_PREFIX: `hgtest-secrets-${process.pid}`,
};
// The test runner's own environment must not leak a real secret into these workers either.
const clean = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/TOKEN|SECRET|PASSWORD|PRIVATE_KEY|REGISTRY_USERNAME/.test(name),
  ),
);
const worker = (env: NodeJS.ProcessEnv) => runCli(["worker"], undefined, { ...REDIS, ...env }, clean);

test.each([
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GITHUB_TOKEN",
  "GITLAB_TOKEN",
  "GITLAB_WEBHOOK_SECRET",
  "HUBGATE_ADMIN_TOKEN",
  "HUBGATE_CATALOGUE_KEY",
  "HUBGATE_REGISTRY_USERNAME",
  "HUBGATE_REGISTRY_PASSWORD",
])("a check worker with %s refuses to start", (name) => {
  const result = worker({ [name]: "s3cr3t-value" });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`refusing to start a check worker with ${name}`);
  expect(result.stderr).not.toContain("s3cr3t-value");
  expect(result.stdout).not.toContain("worker ready");
});

test.each(["PRIVATE_KEY", "WEBHOOK_SECRET", "GITLAB_TOKEN", "GITLAB_WEBHOOK_SECRET", "HUBGATE_ADMIN_TOKEN"])(
  "a publish worker with %s refuses to start",
  (name) => {
    const result = worker({
      HUBGATE_WORKER_QUEUE: "publish",
      HUBGATE_REGISTRY: "127.0.0.1:5000",
      [name]: "s3cr3t-value",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`refusing to start a publish worker with ${name}`);
    expect(result.stderr).not.toContain("s3cr3t-value");
  },
);

test("a publish worker may hold registry credentials but not the GitHub App key", () => {
  const result = worker({
    HUBGATE_WORKER_QUEUE: "publish",
    HUBGATE_REGISTRY_PASSWORD: "p",
    PRIVATE_KEY: "k",
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("refusing to start a publish worker with PRIVATE_KEY");
  expect(result.stderr).not.toContain("HUBGATE_REGISTRY_PASSWORD");
});

test("one worker serves one queue; no Redis, no worker; no registry, no publish worker", () => {
  const both = worker({ HUBGATE_WORKER_QUEUE: "check,publish" });
  expect(both.code).toBe(2);
  expect(both.stderr).toContain("one worker serves one queue");
  const noRegistry = worker({ HUBGATE_WORKER_QUEUE: "publish" });
  expect(noRegistry.code).toBe(2);
  expect(noRegistry.stderr).toContain("a publish worker pushes to HUBGATE_REGISTRY");
  const noRedis = runCli(["worker"], undefined, { HUBGATE_REDIS_URL: "" }, clean);
  expect(noRedis.code).toBe(2);
  expect(noRedis.stderr).toContain("HUBGATE_REDIS_URL");
});

test("a clean check worker starts, answers /healthz, and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [CLI, "worker"], {
    env: { ...clean, ...REDIS, PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<{ port: number }>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.includes('"worker ready"'));
      if (line) resolve(JSON.parse(line) as { port: number });
    });
    child.once("exit", (code) => reject(new Error(`worker exited ${code}: ${out}`)));
  });
  const { port } = await ready;
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  child.kill("SIGTERM");
  const [code] = (await once(child, "exit")) as [number | null];
  expect(code).toBe(0);
});
