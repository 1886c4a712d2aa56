import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeGitHub } from "../test/fakes/github/index.js";
import { startHubgateServer } from "../test/helpers/hubgate-server.js";
import { deliver, OWNER, pullRequestPayload, REPO, setUpPull } from "../test/helpers/github-scenario.js";
import { median, type Row } from "./measure.js";

const BURST = 200;
const CONCURRENCY = 20;
const MANIFEST =
  "name: BenchEncoder\nkind: encoder\ntype: pod\ndescription: bench\nversion: 0.0.1\nlicense: MIT\n";

async function burst(send: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BURST) {
        const i = next++;
        const start = performance.now();
        await send(i);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies;
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

export async function benchWebhooks(): Promise<Row[]> {
  const fake = await startFakeGitHub();
  const server = await startHubgateServer(fake, { images: null });
  const bare = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end("ok"));
  });
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
  try {
    const bundle = {
      "executors/encoders/BenchEncoder/manifest.yml": MANIFEST,
      "executors/encoders/BenchEncoder/Dockerfile": "FROM scratch\n",
    };
    const pull = setUpPull(fake, { base: {}, head: bundle });
    const payload = pullRequestPayload(fake, "opened", pull);
    const body = JSON.stringify(payload);

    // Time to the first annotations: one delivery on an idle server, polled from the fake's record.
    const firstAnnotation: number[] = [];
    for (let i = 0; i < 5; i++) {
      fake.reset();
      setUpPull(fake, { base: {}, head: bundle, number: 100 + i });
      const start = performance.now();
      await deliver(server, "pull_request", pullRequestPayload(fake, "opened", { ...pull, number: 100 + i }));
      while (!fake.checkRuns(OWNER, REPO).some((r) => r.annotations.length > 0))
        await new Promise((r) => setTimeout(r, 2));
      firstAnnotation.push(performance.now() - start);
      await server.queue.idle();
    }

    const bareLatency = await burst(() => fetch(bareUrl, { method: "POST", body }).then((r) => r.text()));
    const hubLatency = await burst((i) =>
      deliver(server, "pull_request", pullRequestPayload(fake, "opened", { ...pull, number: 1000 + i })),
    );
    await server.queue.idle();
    return [
      {
        name: `bare node:http POST, burst of ${BURST} (${CONCURRENCY} at once), p50`,
        value: median(bareLatency),
        unit: "ms",
      },
      {
        name: "hubgate webhook answer, same burst, p50",
        value: median(hubLatency),
        unit: "ms",
        baseline: "bare p50",
        ratio: median(hubLatency) / median(bareLatency),
      },
      {
        name: "hubgate webhook answer, same burst, p95",
        value: p95(hubLatency),
        unit: "ms",
        baseline: "bare p95",
        ratio: p95(hubLatency) / p95(bareLatency),
      },
      {
        name: "delivery → first static annotations on GitHub (median of 5)",
        value: median(firstAnnotation),
        unit: "ms",
        baseline: "bare p50",
        ratio: median(firstAnnotation) / median(bareLatency),
      },
    ];
  } finally {
    await server.close();
    await fake.close();
    bare.close();
  }
}
