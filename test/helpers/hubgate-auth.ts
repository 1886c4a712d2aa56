import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startRegistry, type RegistryServer } from "./registry-server.js";
import { CLI, runCli } from "./run-cli.js";

/**
 * The real registry with `auth: token` pointing at hubgate's token server, set up the way the
 * README tells an operator to: `hubgate registry-auth-config` writes the signing certificate
 * and prints the registry's auth section, then `hubgate serve-auth` answers the realm.
 */
export const ADMIN_TOKEN = "admin-token-for-tests-0123456789";

export interface HubgateAuth {
  registry: RegistryServer;
  /** Base URL of the spawned `hubgate serve-auth`. */
  serverUrl: string;
  dataDir: string;
  /** Run the CLI as the admin (HUBGATE_ADMIN_TOKEN). */
  admin(...args: string[]): ReturnType<typeof runCli>;
  /** Run the CLI with a user's API token (HUBGATE_TOKEN). */
  as(token: string, ...args: string[]): ReturnType<typeof runCli>;
  /** A new API token for `user`. */
  userToken(user: string): string;
  stop(): Promise<void>;
}

export async function startHubgateAuth(env: Record<string, string> = {}): Promise<HubgateAuth> {
  const dataDir = mkdtempSync(join(tmpdir(), "hubgate-orgs-"));
  const port = await freePort();
  const serverUrl = `http://127.0.0.1:${port}`;
  const config = runCli(["registry-auth-config", "--public-url", serverUrl], undefined, {
    HUBGATE_DATA_DIR: dataDir,
  });
  if (config.code !== 0) throw new Error(`registry-auth-config failed: ${config.stderr}`);
  const field = (key: string) => new RegExp(`${key}: (.+)`).exec(config.stdout)![1]!.trim();
  const registry = await startRegistry({
    token: {
      realm: field("realm"),
      service: field("service"),
      issuer: field("issuer"),
      rootCertBundle: field("rootcertbundle"),
    },
  });
  const server: ChildProcess = spawn(process.execPath, [CLI, "serve-auth", "--port", String(port)], {
    env: {
      ...process.env,
      HUBGATE_DATA_DIR: dataDir,
      HUBGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      HUBGATE_REGISTRY: registry.host,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
    server.once("exit", (code) => reject(new Error(`serve-auth exited with ${code}`)));
  });
  const admin = (...args: string[]) =>
    runCli(args, undefined, { HUBGATE_URL: serverUrl, HUBGATE_ADMIN_TOKEN: ADMIN_TOKEN });
  return {
    registry,
    serverUrl,
    dataDir,
    admin,
    as: (token, ...args) => runCli(args, undefined, { HUBGATE_URL: serverUrl, HUBGATE_TOKEN: token }),
    userToken(user) {
      const result = admin("users", "token", user);
      if (result.code !== 0) throw new Error(`users token failed: ${result.stderr}`);
      return result.stdout.trim();
    },
    async stop() {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
      await registry.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
