import { execFile } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { promisify } from "node:util";
import { ROOT } from "../helpers/run-cli.js";

/**
 * The bot's own image, built from the project Dockerfile with nothing pulled: the base is the
 * local stand-in scripts/make-node-image.sh makes (Debian mirror + this host's Node). Then the
 * gateway role runs in it as a non-root user, its HEALTHCHECK turns healthy on /healthz, and
 * `docker stop` ends node itself (SIGTERM reaches it, no SIGKILL needed). The worker role is
 * the same image, and refuses a secret it must not hold.
 */
const run = promisify(execFile);
// One tag per checkout: parallel checkouts on a shared engine never test each other's image,
// and each keeps its own build cache.
const TAG = `hubgate-test/hubgate:${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}`;
const docker = (...args: string[]) => run("docker", args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
const created: string[] = [];

beforeAll(async () => {
  const base = (
    await run("bash", ["scripts/make-node-image.sh"], { cwd: ROOT, timeout: 600_000 })
  ).stdout.trim();
  await docker("build", "-q", "--build-arg", `NODE_IMAGE=${base}`, "-t", TAG, ".");
}, 1_800_000);

afterAll(async () => {
  for (const id of created) await docker("rm", "-f", id).catch(() => undefined);
});

async function inspect(id: string) {
  const [info] = JSON.parse((await docker("inspect", id)).stdout) as Array<{
    State: { Running: boolean; ExitCode: number; Health?: { Status: string } };
    NetworkSettings: { Ports: Record<string, Array<{ HostPort: string }> | null> };
  }>;
  if (!info) throw new Error(`no container ${id}`);
  return info;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`gave up waiting for ${what}`);
}

test("the context stays small: .dockerignore lets only the sources in", async () => {
  const { stdout } = await docker("image", "inspect", TAG, "--format", "{{json .Config}}");
  const config = JSON.parse(stdout) as {
    User: string;
    Entrypoint: string[];
    Cmd: string[];
    Healthcheck: { Test: string[] };
  };
  expect(config.User).toBe("node");
  expect(config.Entrypoint).toEqual(["node", "dist/cli/main.js"]);
  expect(config.Cmd).toEqual(["gateway"]);
  expect(config.Healthcheck.Test.join(" ")).toContain("/healthz");
  const ls = await docker("run", "--rm", "--entrypoint", "ls", TAG, "/app");
  expect(ls.stdout.split("\n").filter(Boolean).sort()).toEqual(
    ["app.yml", "dist", "node_modules", "package.json", "schemas"].sort(),
  );
});

test("the gateway runs as non-root, turns healthy on /healthz and stops on SIGTERM", async () => {
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const { stdout } = await docker(
    "run",
    "-d",
    "-p",
    "127.0.0.1::3000",
    "--health-interval",
    "1s",
    "-e",
    "APP_ID=1",
    "-e",
    `PRIVATE_KEY=${key}`,
    "-e",
    "WEBHOOK_SECRET=image-test",
    "-e",
    "HUBGATE_BUILD=false",
    "-e",
    "LOG_LEVEL=warn",
    TAG,
  );
  const id = stdout.trim();
  created.push(id);
  await until("healthy", async () =>
    (await inspect(id)).State.Health?.Status === "healthy" ? true : undefined,
  );
  const port = (await inspect(id)).NetworkSettings.Ports["3000/tcp"]?.[0]?.HostPort;
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect((await docker("exec", id, "id", "-u")).stdout.trim()).toBe("1000");
  // `docker stop` sends SIGTERM, then SIGKILL after the timeout; exit 137 would mean it was killed.
  await docker("stop", "-t", "30", id);
  const state = (await inspect(id)).State;
  expect(state.Running).toBe(false);
  expect(state.ExitCode).not.toBe(137);
});

test("the same image is the worker, which refuses a platform secret", async () => {
  const result = await docker(
    "run",
    "--rm",
    "-e",
    "HUBGATE_REDIS_URL=redis://redis.invalid:6379",
    "-e",
    "GITLAB_TOKEN=glpat-secret-value",
    TAG,
    "worker",
  ).then(
    () => ({ code: 0, stderr: "" }),
    (error: { code: number; stderr: string }) => error,
  );
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("GITLAB_TOKEN");
  expect(result.stderr).not.toContain("glpat-secret-value");
});
