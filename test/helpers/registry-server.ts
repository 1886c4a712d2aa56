import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A real Docker registry for tests: Debian's `docker-registry` (Distribution 2.8) on
 * 127.0.0.1 with a free port and storage in a temp dir. Loopback registries are insecure-
 * allowed by dockerd, so pushes work over plain HTTP. Auth is htpasswd (Basic) by default,
 * or Bearer tokens from a token service (see registry-token-server.ts).
 */
export interface RegistryServer {
  /** `127.0.0.1:PORT`, as in image references. */
  host: string;
  url: string;
  username: string;
  password: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
}

export interface RegistryOptions {
  username?: string;
  password?: string;
  /** Use Bearer token auth instead of htpasswd. */
  token?: TokenAuthConfig;
}

const READY_TIMEOUT_MS = 20_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  const username = options.username ?? "hubgate";
  const password = options.password ?? "s3cret-registry-pass";
  const dir = mkdtempSync(join(tmpdir(), "hubgate-registry-"));
  const htpasswd = join(dir, "htpasswd");
  writeFileSync(htpasswd, execFileSync("htpasswd", ["-Bbn", username, password], { encoding: "utf8" }));
  // The port is free when asked, but another process may take it before the registry binds: retry.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = join(dir, "config.yml");
    writeFileSync(config, registryConfig(host, join(dir, "data"), htpasswd, options.token));
    const child = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    try {
      await waitUntilReady(`http://${host}`, child, () => stderr);
      return {
        host,
        url: `http://${host}`,
        username,
        password,
        dataDir: join(dir, "data"),
        stop: async () => {
          await kill(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
      await kill(child);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function registryConfig(host: string, dataDir: string, htpasswd: string, token?: TokenAuthConfig): string {
  const auth = token
    ? [
        "  token:",
        `    realm: ${token.realm}`,
        `    service: ${token.service}`,
        `    issuer: ${token.issuer}`,
        `    rootcertbundle: ${token.rootCertBundle}`,
      ]
    : ["  htpasswd:", "    realm: basic-realm", `    path: ${htpasswd}`];
  return [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${dataDir}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${host}`,
    "auth:",
    ...auth,
    "",
  ].join("\n");
}

/** Ready = `/v2/` answers 401: the registry listens and enforces auth. */
async function waitUntilReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}): ${stderr()}`);
    const status = await fetch(`${url}/v2/`)
      .then((r) => r.status)
      .catch(() => undefined);
    if (status === 401) return;
    await sleep(100);
  }
  throw new Error(`docker-registry did not answer on ${url} within ${READY_TIMEOUT_MS} ms: ${stderr()}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

const MANIFEST_ACCEPT =
  "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";

/** The digest the registry holds for `repository:tag` (HEAD with the test's Basic credentials), or undefined. */
export async function registryDigest(
  registry: RegistryServer,
  repository: string,
  tag: string,
): Promise<string | undefined> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: {
      accept: MANIFEST_ACCEPT,
      authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString("base64")}`,
    },
  });
  return response.status === 200 ? (response.headers.get("docker-content-digest") ?? undefined) : undefined;
}
