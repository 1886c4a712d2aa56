/**
 * Webhook figures under the real server: the gateway (Probot's middleware, the job store,
 * the dispatcher) on a real HTTP port with the server's own Probot client (throttled, as in
 * production), talking to the fake GitHub.
 *
 * - ack latency: the same Probot with an empty handler is the baseline, measured in
 *   interleaved rounds so both see the same machine load;
 * - delivery → first annotation on an idle server (target ≤ 1 s);
 * - a burst of 20 pull requests: per PR, delivery → its first annotation, p90 (target ≤ 5 s).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot } from "probot";
import { createGitHubOctokit } from "../src/platform/github/github-client.js";
import { startFakeGitHub, type FakeGitHub } from "../test/fakes/github/index.js";
import { startHubgateServer, testPrivateKey, WEBHOOK_SECRET } from "../test/helpers/hubgate-server.js";
import { deliver, OWNER, pullRequestPayload, REPO, setUpPull } from "../test/helpers/github-scenario.js";
import { deliverWebhook } from "../test/fakes/github/index.js";
import { median, type Row } from "./measure.js";

const ROUNDS = 5;
const PER_ROUND = 40;
const BURST = 20;
// `license: MIT` gets a "did you mean mit" error: a static annotation on its line.
const MANIFEST =
  "name: BenchEncoder\nkind: encoder\ntype: pod\ndescription: bench\nversion: 0.0.1\nlicense: MIT\n";
const bundle = {
  "executors/encoders/BenchEncoder/manifest.yml": MANIFEST,
  "executors/encoders/BenchEncoder/Dockerfile": "FROM scratch\n",
};

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The baseline: the same Probot (same client class), an app that handles pull_request by doing nothing. */
async function emptyProbot(fake: FakeGitHub): Promise<{ url: string; server: Server }> {
  const probot = new Probot({
    appId: fake.appId,
    privateKey: testPrivateKey(),
    secret: WEBHOOK_SECRET,
    baseUrl: fake.url,
    Octokit: createGitHubOctokit(),
    logLevel: "fatal",
  });
  const middleware = await createNodeMiddleware((app) => app.on("pull_request", async () => undefined), {
    probot,
    webhooksPath: "/api/github/webhooks",
  });
  const server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, server };
}

/** Time from each delivery to the first check run with an annotation on that PR's head commit. */
async function firstAnnotations(
  fake: FakeGitHub,
  shas: string[],
  sent: Map<string, number>,
): Promise<number[]> {
  const seen = new Map<string, number>();
  while (seen.size < shas.length) {
    for (const run of fake.checkRuns(OWNER, REPO))
      if (run.annotations.length > 0 && !seen.has(run.head_sha) && sent.has(run.head_sha))
        seen.set(run.head_sha, performance.now() - sent.get(run.head_sha)!);
    await sleep(2);
  }
  return shas.map((sha) => seen.get(sha)!);
}

export async function benchWebhooks(): Promise<Row[]> {
  const fake = await startFakeGitHub();
  const hubgate = await startHubgateServer(fake, { images: null });
  const baseline = await emptyProbot(fake);
  try {
    fake.setRepo(OWNER, REPO, { default_branch: "main" });
    const pull = setUpPull(fake, { number: 1, base: {}, head: bundle });
    const payload = pullRequestPayload(fake, "opened", pull);

    // Ack latency, interleaved: a round on the baseline, then a round on hubgate, and again.
    // hubgate's PRs are duplicates after the first (same head), so the store is written and
    // dedupe answers, without piling work onto the measurement.
    const ackBase: number[] = [];
    const ackHub: number[] = [];
    const send = async (url: string, into: number[]) => {
      const start = performance.now();
      await deliverWebhook({ url, secret: WEBHOOK_SECRET, event: "pull_request", payload });
      into.push(performance.now() - start);
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i++) await send(baseline.url, ackBase);
      for (let i = 0; i < PER_ROUND; i++) await send(hubgate.webhookUrl, ackHub);
    }
    await hubgate.queue.idle();

    // Idle server: one PR at a time, delivery → first annotation.
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sha = `${(10 + i).toString(16)}`.padStart(40, "a");
      const p = setUpPull(fake, { number: 100 + i, base: {}, head: bundle, headSha: sha });
      const sent = new Map([[sha, performance.now()]]);
      await deliver(hubgate, "pull_request", pullRequestPayload(fake, "opened", p));
      idle.push(...(await firstAnnotations(fake, [sha], sent)));
      await hubgate.queue.idle();
    }

    // A burst: BURST PRs delivered back to back.
    const shas: string[] = [];
    const sent = new Map<string, number>();
    const payloads = Array.from({ length: BURST }, (_, i) => {
      const sha = `${(1000 + i).toString(16)}`.padStart(40, "b");
      shas.push(sha);
      return pullRequestPayload(
        fake,
        "opened",
        setUpPull(fake, { number: 1000 + i, base: {}, head: bundle, headSha: sha }),
      );
    });
    await Promise.all(
      payloads.map(async (p, i) => {
        sent.set(shas[i]!, performance.now());
        await deliver(hubgate, "pull_request", p);
      }),
    );
    const burst = await firstAnnotations(fake, shas, sent);
    await hubgate.queue.idle();
    const writes = fake.calls.filter((c) => c.method !== "GET").length;

    return [
      {
        name: `Probot, empty handler: webhook answer p50 (${ROUNDS}×${PER_ROUND}, interleaved)`,
        value: median(ackBase),
        unit: "ms",
      },
      {
        name: "hubgate (job on disk before the answer): answer p50",
        value: median(ackHub),
        unit: "ms",
        baseline: "empty Probot p50",
        ratio: median(ackHub) / median(ackBase),
      },
      {
        name: "hubgate: answer p95",
        value: quantile(ackHub, 0.95),
        unit: "ms",
        baseline: "empty Probot p95",
        ratio: quantile(ackHub, 0.95) / quantile(ackBase, 0.95),
      },
      {
        name: "idle server: delivery → first annotation, median of 5",
        value: median(idle),
        unit: "ms",
        targetMax: 1000,
      },
      {
        name: "idle server: delivery → first annotation, worst of 5",
        value: Math.max(...idle),
        unit: "ms",
        targetMax: 1000,
      },
      { name: `burst of ${BURST} PRs: delivery → first annotation, p50`, value: median(burst), unit: "ms" },
      {
        name: `burst of ${BURST} PRs: delivery → first annotation, p90`,
        value: quantile(burst, 0.9),
        unit: "ms",
        targetMax: 5000,
      },
      { name: `(writes to GitHub during the bench, throttled client)`, value: writes, unit: "calls" },
    ];
  } finally {
    await hubgate.close();
    baseline.server.close();
    await fake.close();
  }
}
