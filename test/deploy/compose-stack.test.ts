import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { stringify } from "yaml";
import { deliverWebhook, startFakeGitHub, type FakeGitHub } from "../fakes/github/index.js";
import { ensureBaseImage, TEST_HUB_CONFIG } from "../helpers/docker-base-image.js";
import {
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import { testPrivateKey } from "../helpers/hubgate-server.js";
import { freePort, registryDigest, startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { ROOT } from "../helpers/run-cli.js";

/**
 * The compose stack, brought up with docker-compose from the project's images built offline
 * (scripts/make-node-image.sh base; Redis from deploy/redis on the same base): gateway, Redis,
 * two check workers and a publish worker, the workers on this machine's engine
 * (compose.host-engine.yaml). A signed webhook for a pull request is checked end to end by a
 * check worker, and its merge is pushed to a real registry by the publish worker. The test's
 * own override only puts every service on the host network (the fake GitHub and the registry
 * listen on 127.0.0.1) and gives each its port.
 */
const run = promisify(execFile);
const HASH = createHash("sha256").update(ROOT).digest("hex").slice(0, 12);
// The same tag as test/deploy/image.test.ts: whichever runs first builds, the other finds it.
const IMAGE = `hubgate-test/hubgate:${HASH}`;
const REDIS_IMAGE = `hubgate-test/redis:${HASH}`;
const PROJECT = `hgtest${process.pid}`;
const AWESOME = "executors/encoders/AwesomeEncoder";
const REPOSITORY = "jinahub/pod.encoder.awesomeencoder";
const VERSION = "0.7.0";
const SECRET = "compose-stack-secret";
const bundle = exampleBundleFiles(AWESOME);
const files = {
  ...TEST_HUB_CONFIG,
  ...bundle,
  [`${AWESOME}/manifest.yml`]: bundle[`${AWESOME}/manifest.yml`]!.replace(
    "version: 0.0.1",
    `version: ${VERSION}`,
  ),
};
const docker = (...args: string[]) => run("docker", args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });

let dir: string;
let fake: FakeGitHub;
let registry: RegistryServer;
let gatewayUrl: string;
let composeEnv: NodeJS.ProcessEnv;

const compose = (...args: string[]) =>
  run(
    "docker-compose",
    ["-p", PROJECT, "-f", "compose.yaml", "-f", "compose.host-engine.yaml", "-f", "test.yaml", ...args],
    { cwd: dir, env: composeEnv, maxBuffer: 64 * 1024 * 1024 },
  );

beforeAll(async () => {
  const base = (
    await run("bash", ["scripts/make-node-image.sh"], { cwd: ROOT, timeout: 600_000 })
  ).stdout.trim();
  await docker("build", "-q", "--build-arg", `NODE_IMAGE=${base}`, "-t", IMAGE, ".");
  await docker("build", "-q", "--build-arg", `BASE_IMAGE=${base}`, "-t", REDIS_IMAGE, "deploy/redis");
  await ensureBaseImage(new Dockerode());
  fake = await startFakeGitHub();
  registry = await startRegistry();

  dir = await mkdtemp(join(tmpdir(), "hubgate-stack-"));
  await copyFile(join(ROOT, "compose.host-engine.yaml"), join(dir, "compose.host-engine.yaml"));
  // compose.yaml as it is, but for the gateway's published port: a service on the host network
  // cannot publish one, and an override can add ports, never remove them.
  const composeFile = await readFile(join(ROOT, "compose.yaml"), "utf8");
  const portLine = /^\s*ports: \["\$\{HUBGATE_PORT:-3000\}:3000"\]\n/m;
  expect(composeFile).toMatch(portLine);
  await writeFile(join(dir, "compose.yaml"), composeFile.replace(portLine, ""));
  await mkdir(join(dir, "deploy", "redis"), { recursive: true });
  const [gatewayPort, redisPort] = [await freePort(), await freePort()];
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  // The operator's two files, as README "Deploying" describes them.
  await writeFile(
    join(dir, ".env"),
    [
      `APP_ID=${fake.appId}`,
      `WEBHOOK_SECRET=${SECRET}`,
      `HUBGATE_GITHUB_API_URL=${fake.url}`,
      `HUBGATE_REGISTRY=${registry.host}`,
    ].join("\n"),
  );
  await writeFile(
    join(dir, "publish.env"),
    [
      `HUBGATE_REGISTRY=${registry.host}`,
      `HUBGATE_REGISTRY_USERNAME=${registry.username}`,
      `HUBGATE_REGISTRY_PASSWORD=${registry.password}`,
    ].join("\n"),
  );
  const host = (environment: Record<string, string>) => ({
    network_mode: "host",
    environment: { HUBGATE_REDIS_URL: redisUrl, PORT: "0", HOST: "127.0.0.1", ...environment },
  });
  await writeFile(
    join(dir, "test.yaml"),
    stringify(
      {
        services: {
          redis: {
            network_mode: "host",
            command: [
              "redis-server",
              "--bind",
              "127.0.0.1",
              "--port",
              String(redisPort),
              "--save",
              "",
              "--appendonly",
              "no",
            ],
          },
          // A multi-line PEM does not fit an env file; the override's YAML carries it.
          gateway: host({ PORT: String(gatewayPort), PRIVATE_KEY: testPrivateKey() }),
          "check-worker-1": host({}),
          "check-worker-2": host({}),
          "publish-worker": host({ HUBGATE_WORKER_LOCK_MS: "5000" }),
        },
      },
      { version: "1.1" },
    ), // docker-compose reads YAML 1.1, where a bare `no` is false
  );
  composeEnv = {
    PATH: process.env.PATH,
    HUBGATE_IMAGE: IMAGE,
    REDIS_IMAGE,
    NODE_IMAGE: base,
    DOCKER_GID: String((await stat("/var/run/docker.sock")).gid),
  };
  await compose("up", "-d", "--no-build");
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  for (let i = 0; ; i++) {
    const status = await fetch(`${gatewayUrl}/readyz`)
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 200) break;
    if (i > 240)
      throw new Error(`the gateway never became ready: ${(await compose("logs", "gateway")).stdout}`);
    await sleep(500);
  }
}, 1_800_000);

afterAll(async () => {
  if (dir) {
    await compose("down", "-v", "--remove-orphans").catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  await registry?.stop();
  await fake?.close();
  await docker("rmi", "-f", `${REPOSITORY}:${VERSION}`).catch(() => undefined);
});

async function completedRun(sha: string) {
  for (let i = 0; i < 600; i++) {
    const found = fake.checkRuns(OWNER, REPO).find((r) => r.head_sha === sha && r.status === "completed");
    if (found) return found;
    await sleep(200);
  }
  throw new Error(`no completed check run for ${sha}: ${(await compose("logs")).stdout.slice(-4000)}`);
}

const deliver = (payload: unknown) =>
  deliverWebhook({
    url: `${gatewayUrl}/api/github/webhooks`,
    secret: SECRET,
    event: "pull_request",
    payload,
  });

test("a signed webhook is checked by a check worker, and its merge published by the publish worker", async () => {
  const pull = setUpPull(fake, { number: 70, base: TEST_HUB_CONFIG, head: files, headSha: "7".repeat(40) });
  expect((await deliver(pullRequestPayload(fake, "opened", pull))).status).toBeLessThan(300);
  const check = await completedRun(pull.headSha);
  expect(check.conclusion).toBe("success");
  expect(check.output.title).toContain("smoke tests");

  const mergeSha = "8".repeat(40);
  fake.setCommit(OWNER, REPO, mergeSha, files);
  await deliver(pullRequestPayload(fake, "closed", { ...pull, merged: true, mergeSha }));
  const publish = await completedRun(mergeSha);
  expect(publish.conclusion).toBe("success");
  const digest = await registryDigest(registry, REPOSITORY, VERSION);
  expect(digest).toBeDefined();
  expect(publish.annotations.map((a) => a.message).join("\n")).toContain(digest!);
  // Which container did what: the check on a check worker, the push on the publish worker.
  const logs = (service: string) => compose("logs", "--no-color", service).then((r) => r.stdout);
  const checkLogs = (await logs("check-worker-1")) + (await logs("check-worker-2"));
  expect(checkLogs).toContain('"msg":"check job done"');
  expect(await logs("publish-worker")).toContain('"msg":"publish job done"');
  expect(await logs("gateway")).not.toContain(registry.password);
  expect(fake.violations).toEqual([]);
});
