import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { createHubgateApp, type HubgateAppOptions } from "../../src/app.js";
import { WorkQueue } from "../../src/pipeline/work-queue.js";
import type { FakeGitHub } from "../fakes/github/index.js";

export const WEBHOOK_SECRET = "test-webhook-secret";
let privateKey: string | undefined;

/**
 * Probot merges its own `throttle` options over a plain `defaults({throttle:{enabled:false}})`,
 * which leaves the write throttle (one write a second) on; the function form wins last.
 */
const UnthrottledOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { enabled: false },
  retry: { enabled: false },
})) as typeof ProbotOctokit;

export interface RunningServer {
  url: string;
  webhookUrl: string;
  queue: WorkQueue;
  close(): Promise<void>;
}

/**
 * The real server stack: Probot's node middleware (signature check, event routing) with the
 * hubgate application function, on a real HTTP port, talking to the fake GitHub.
 */
export async function startHubgateServer(
  fake: FakeGitHub,
  options: HubgateAppOptions = {},
): Promise<RunningServer> {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const probot = new Probot({
    appId: fake.appId,
    privateKey,
    secret: WEBHOOK_SECRET,
    baseUrl: fake.url,
    Octokit: UnthrottledOctokit,
    logLevel: (process.env.LOG_LEVEL as "info" | undefined) ?? "fatal",
  });
  const queue = options.queue ?? new WorkQueue(2);
  const middleware = await createNodeMiddleware(
    createHubgateApp({ env: {}, queue, progressIntervalMs: 0, ...options }),
    {
      probot,
      webhooksPath: "/api/github/webhooks",
    },
  );
  const server: Server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    queue,
    close: async () => {
      await queue.idle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
