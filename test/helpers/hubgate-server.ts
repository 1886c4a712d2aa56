import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/gateway.js";
import { silentLogger, type Logger } from "../../src/pipeline/logger.js";
import { readServerSettings } from "../../src/settings/server-settings.js";
import type { FakeGitHub } from "../fakes/github/index.js";

export const WEBHOOK_SECRET = "test-webhook-secret";
let privateKey: string | undefined;

/** A fresh RSA key in PKCS#1 PEM, as GitHub hands out for an App (made once per test process). */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  return privateKey;
}

/** The environment of a server talking to `fake` (and whatever `env` adds: GitLab, registry, data dir). */
export function serverEnv(fake: FakeGitHub, env: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ID: String(fake.appId),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    HUBGATE_GITHUB_API_URL: fake.url,
    HUBGATE_CONCURRENCY: "2",
    ...env,
  };
}

export interface RunningServer {
  url: string;
  webhookUrl: string;
  queue: { idle(): Promise<void> };
  gateway: Gateway;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Omit<GatewayOptions, "settings" | "env">> {
  env?: Record<string, string>;
  logger?: Logger;
}

/**
 * The real server stack in this process: the gateway (Probot's middleware, GitLab route,
 * dispatcher, SQLite job store, health, metrics) on a real HTTP port, talking to the fake
 * GitHub with the server's own (throttled, retrying) client. Each server gets its own data
 * dir unless HUBGATE_DATA_DIR is given.
 */
export async function startHubgateServer(
  fake: FakeGitHub,
  options: StartOptions = {},
): Promise<RunningServer> {
  const ownDataDir = options.env?.HUBGATE_DATA_DIR
    ? undefined
    : mkdtempSync(join(tmpdir(), "hubgate-server-"));
  const env = serverEnv(fake, { ...(ownDataDir ? { HUBGATE_DATA_DIR: ownDataDir } : {}), ...options.env });
  const settings = readServerSettings(env);
  if (settings.problems.length) throw new Error(settings.problems.join("; "));
  const gateway = await createGateway({
    progressIntervalMs: 0,
    ...options,
    settings,
    env,
    logger: options.logger ?? silentLogger,
    github: { backoffMs: 10, ...options.github },
    gitlab: { backoffMs: 10, ...options.gitlab },
  });
  await gateway.start();
  const server: Server = createServer((req, res) => gateway.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    queue: gateway.queue,
    gateway,
    close: async () => {
      await gateway.queue.idle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await gateway.stop(0);
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    },
  };
}
