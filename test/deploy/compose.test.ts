import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { forbiddenSecrets, PLATFORM_SECRETS, REGISTRY_SECRETS } from "../../src/settings/role-secrets.js";
import { ROOT } from "../helpers/run-cli.js";

/**
 * compose.yaml as docker-compose (Debian's 1.29, installed by scripts/ensure-docker.sh) reads
 * it, with the env files an operator makes from the examples, every secret filled in: the
 * stack is gateway + Redis + two check workers + a publish worker, and each role's resolved
 * environment holds only the secrets it may (src/settings/role-secrets.ts), so none of the
 * workers would refuse to start and no secret reaches a worker that runs pull-request code.
 */
const run = promisify(execFile);
let dir: string;

type Service = { environment?: Record<string, string | null>; profiles?: string[]; volumes?: unknown[] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hubgate-compose-"));
  for (const file of ["compose.yaml", "compose.host-engine.yaml"])
    await copyFile(join(ROOT, file), join(dir, file));
  await mkdir(join(dir, "deploy", "redis"), { recursive: true });
  // The examples, every variable they name given a value (commented or not).
  const filled = (text: string) =>
    text
      .split("\n")
      .map((line) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
      .map((name) => `${name}=value-of-${name}`)
      .join("\n");
  const gatewayExample = await readFile(join(ROOT, ".env.example"), "utf8");
  // The gateway's file as the README says: everything but the publish worker's credentials.
  await writeFile(
    join(dir, ".env"),
    filled(gatewayExample)
      .split("\n")
      .filter((line) => !REGISTRY_SECRETS.some((name) => line.startsWith(`${name}=`)))
      .join("\n"),
  );
  await writeFile(
    join(dir, "publish.env"),
    filled(await readFile(join(ROOT, "publish.env.example"), "utf8")),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(...files: string[]): Promise<Record<string, Service>> {
  const args = files.flatMap((file) => ["-f", file]);
  const { stdout } = await run("docker-compose", [...args, "config"], {
    cwd: dir,
    env: { PATH: process.env.PATH, DOCKER_GID: "999" },
  });
  return (parse(stdout) as { services: Record<string, Service> }).services;
}

const env = (service: Service | undefined) =>
  Object.fromEntries(Object.entries(service?.environment ?? {}).map(([k, v]) => [k, v ?? ""]));

test.each([[["compose.yaml"]], [["compose.yaml", "compose.host-engine.yaml"]]])(
  "%j: gateway, Redis, two check workers and a publish worker, each with only its own secrets",
  async (files) => {
    const services = await config(...files);
    const running = Object.keys(services).filter((name) => !services[name]!.profiles?.includes("dind"));
    expect(running).toEqual(
      expect.arrayContaining(["gateway", "redis", "check-worker-1", "check-worker-2", "publish-worker"]),
    );
    const gateway = env(services.gateway);
    expect(gateway.HUBGATE_REDIS_URL).toBe("redis://redis:6379");
    expect(gateway.PRIVATE_KEY).toBe("value-of-PRIVATE_KEY");
    expect(gateway.HUBGATE_REGISTRY).toBe("value-of-HUBGATE_REGISTRY");
    expect(REGISTRY_SECRETS.filter((name) => gateway[name])).toEqual([]);

    for (const name of ["check-worker-1", "check-worker-2"]) {
      const worker = env(services[name]);
      expect(worker.HUBGATE_WORKER_QUEUE).toBe("check");
      expect(forbiddenSecrets("check", worker)).toEqual([]);
    }
    const publisher = env(services["publish-worker"]);
    expect(publisher.HUBGATE_WORKER_QUEUE).toBe("publish");
    expect(publisher.HUBGATE_REGISTRY_PASSWORD).toBe("value-of-HUBGATE_REGISTRY_PASSWORD");
    expect(publisher.HUBGATE_REGISTRY).toBe(gateway.HUBGATE_REGISTRY);
    expect(forbiddenSecrets("publish", publisher)).toEqual([]);
    expect(PLATFORM_SECRETS.filter((name) => publisher[name])).toEqual([]);
    // Every worker has an engine: its own dind, or this machine's through the socket.
    for (const name of ["check-worker-1", "check-worker-2", "publish-worker"]) {
      const host = env(services[name]).DOCKER_HOST!;
      if (host.startsWith("tcp://")) expect(services[host.slice(6).split(":")[0]!]).toBeDefined();
      else expect(services[name]!.volumes).toEqual([expect.stringContaining("/var/run/docker.sock")]);
    }
  },
);
