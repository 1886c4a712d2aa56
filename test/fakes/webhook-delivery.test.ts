import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, type ApplicationFunction } from "probot";
import {
  deliverWebhook,
  exampleActions,
  loadExamplePayload,
  startFakeGitHub,
  TestOctokit,
  type FakeGitHub,
} from "./github/index.js";

const SECRET = "webhook-secret";

describe("webhook examples", () => {
  test("loadExamplePayload returns deep copies of @octokit/webhooks-examples payloads", () => {
    const a = loadExamplePayload("pull_request", "opened");
    const b = loadExamplePayload("pull_request", "opened");
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    a.pull_request.head.sha = "changed";
    expect(b.pull_request.head.sha).not.toBe("changed");
    expect(loadExamplePayload("pull_request", "synchronize").action).toBe("synchronize");
    expect(loadExamplePayload("push")).toHaveProperty("ref");
    expect(exampleActions("pull_request")).toEqual(
      expect.arrayContaining(["opened", "synchronize", "closed"]),
    );
    expect(() => loadExamplePayload("pull_request", "no-such-action")).toThrow(/actions with examples/);
  });
});

describe("deliverWebhook → Probot → fake GitHub", () => {
  let fake: FakeGitHub;
  let server: Server;
  let webhookUrl: string;

  beforeAll(async () => {
    fake = await startFakeGitHub();
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const probot = new Probot({
      appId: fake.appId,
      privateKey,
      secret: SECRET,
      baseUrl: fake.url,
      Octokit: TestOctokit,
      // "fatal": the wrong-signature test would otherwise log the whole refused payload.
      logLevel: "fatal",
    });
    const appFn: ApplicationFunction = (app) => {
      app.on("pull_request.opened", async (context) => {
        const pr = context.payload.pull_request;
        await context.octokit.rest.checks.create(
          context.repo({ name: "hubgate", head_sha: pr.head.sha, status: "in_progress" as const }),
        );
      });
    };
    const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: "/api/github/webhooks" });
    server = createServer((req, res) => {
      void middleware(req, res, () => {
        res.writeHead(404);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await fake.close();
  });

  test("a signed pull_request.opened reaches the app, which creates a check run with an installation token", async () => {
    const payload = loadExamplePayload("pull_request", "opened");
    Object.assign(payload, { installation: { id: fake.installationId, node_id: "I_1" } });
    const { owner, name } = { owner: payload.repository.owner.login, name: payload.repository.name };
    const res = await deliverWebhook({ url: webhookUrl, secret: SECRET, event: "pull_request", payload });
    expect(res.status).toBe(200);
    expect(fake.checkRuns(owner, name)).toEqual([
      expect.objectContaining({
        name: "hubgate",
        head_sha: payload.pull_request.head.sha,
        status: "in_progress",
      }),
    ]);
    expect(fake.calls.map((c) => c.operationId)).toEqual([
      "apps/create-installation-access-token",
      "checks/create",
    ]);
    expect(fake.violations).toEqual([]);
  });

  test("a wrong signature is refused by Probot", async () => {
    const payload = loadExamplePayload("pull_request", "opened");
    const res = await deliverWebhook({
      url: webhookUrl,
      secret: "not-the-secret",
      event: "pull_request",
      payload,
    });
    expect(res.status).toBe(400);
  });
});
