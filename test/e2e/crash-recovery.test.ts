/**
 * kill -9 of the real server (`node dist/server.js`, signed webhooks over HTTP, real Docker,
 * real registry) at the worst moments, then a restart on the same data dir: every pull
 * request gets its result, nothing stays in progress, nothing is duplicated, and an
 * interrupted publish ends with registry, records and `latest` in agreement.
 */
import { existsSync, readdirSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { jest } from "@jest/globals";
import Dockerode from "dockerode";
import { listPublished } from "../../src/publish/list-published.js";
import { deliverWebhook } from "../fakes/github/index.js";
import { ensureBaseImage, ROOMY_HUB_CONFIG } from "../helpers/docker-base-image.js";
import {
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import { serverEnv, WEBHOOK_SECRET } from "../helpers/hubgate-server.js";
import { registryDigest, startRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { spawnedServerSuite, spawnServer, until, type SpawnedServer } from "../helpers/spawned-server.js";

const AWESOME = "executors/encoders/AwesomeEncoder";
const RUN = `hubgate: ${AWESOME}`;
const bundle = exampleBundleFiles(AWESOME);
jest.setTimeout(300_000);
// The tests' hub config with room for a loaded machine: a slow stop is not what is tested here.
const HUB_CONFIG = ROOMY_HUB_CONFIG;
const docker = new Dockerode();

const deliver = (server: SpawnedServer, event: string, payload: unknown) =>
  deliverWebhook({ url: `${server.url}/api/github/webhooks`, secret: WEBHOOK_SECRET, event, payload });

describe("kill -9 and restart", () => {
  beforeAll(() => ensureBaseImage(docker));
  const suite = spawnedServerSuite("hubgate-crash-", "stop");

  const explain = () =>
    `server output:\n${suite.server?.output().slice(-6000)}\ncheck runs:\n${JSON.stringify(
      suite.fake
        .checkRuns(OWNER, REPO)
        .map((r) => [r.head_sha.slice(0, 4), r.name, r.status, r.conclusion, r.output.title]),
    )}`;

  it("during a build with two pull requests queued: after the restart every run completes, once", async () => {
    const env = serverEnv(suite.fake, {
      HUBGATE_DATA_DIR: suite.dataDir,
      HUBGATE_CONCURRENCY: "1",
      HUBGATE_JOBS: "1",
    });
    const pulls = [1, 2, 3].map((number) =>
      setUpPull(suite.fake, {
        number,
        base: HUB_CONFIG,
        head: { ...HUB_CONFIG, ...bundle },
        headSha: String(number).repeat(40),
      }),
    );
    suite.server = await spawnServer(env);
    for (const pull of pulls) {
      const answer = await deliver(
        suite.server,
        "pull_request",
        pullRequestPayload(suite.fake, "opened", pull),
      );
      expect(answer.status).toBe(200);
    }
    // The first PR's run shows its static result while its image builds: kill the server now.
    await until(
      () =>
        suite.fake
          .checkRuns(OWNER, REPO)
          .some((r) => r.head_sha === pulls[0]!.headSha && r.status === "in_progress"),
      50,
      explain,
    );
    const deadPid = suite.server.pid;
    await suite.server.kill9();
    const deadTrees = readdirSync(join(suite.dataDir, "work"));
    expect(suite.fake.checkRuns(OWNER, REPO).filter((r) => r.status === "completed")).toEqual([]);

    suite.server = await spawnServer(env);
    // Each PR: one bundle run; PRs that waited behind a busy runner also showed a queued
    // `hubgate` run, which ends once their check has reported.
    const done = await until(
      () => {
        const runs = suite.fake.checkRuns(OWNER, REPO);
        return runs.filter((r) => r.name === RUN).length === 3 && runs.every((r) => r.status === "completed")
          ? runs
          : undefined;
      },
      200,
      explain,
    );
    expect(
      done
        .filter((r) => r.name === RUN)
        .map((r) => [r.head_sha, r.conclusion])
        .sort(),
    ).toEqual(pulls.map((p) => [p.headSha, "success"]).sort());
    expect(done.filter((r) => r.name !== RUN).map((r) => [r.name, r.conclusion])).toEqual(
      done.filter((r) => r.name !== RUN).map(() => ["hubgate", "success"]),
    );
    const created = suite.fake.calls.filter((c) => c.operationId === "checks/create");
    expect(created.filter((c) => (c.body as { name?: string }).name === RUN)).toHaveLength(3);
    expect(suite.fake.violations).toEqual([]);
    // The dead job's head tree and smoke containers are gone.
    const after = readdirSync(join(suite.dataDir, "work"));
    expect(deadTrees.length).toBeGreaterThan(0);
    expect(after.filter((d) => deadTrees.includes(d))).toEqual([]);
    const leftovers = await docker.listContainers({
      all: true,
      filters: { label: [`dev.hubgate.owner`] },
    });
    expect(leftovers.filter((c) => c.Labels["dev.hubgate.owner"]?.endsWith(`/${deadPid}`))).toEqual([]);
    expect(await suite.server.stop()).toBe(0);
  });

  describe("in the middle of a publish", () => {
    let registry: RegistryServer;
    let proxy: Server;
    let proxyHost: string;
    /** Called for each request reaching the registry; may kill the server and drop the request. */
    let onRequest: (method: string, path: string) => Promise<"forward" | "drop" | "kill-after">;

    beforeAll(async () => {
      registry = await startRegistry();
      // A transparent proxy in front of the registry: it sees every push and can kill the
      // server at an exact step (Docker pushes through it too; loopback needs no TLS).
      proxy = createServer((req, res) => {
        void (async () => {
          const action = await onRequest(req.method ?? "GET", req.url ?? "/");
          if (action === "drop") {
            req.resume();
            res.destroy();
            return;
          }
          const upstream = httpRequest(
            `${registry.url}${req.url}`,
            { method: req.method, headers: req.headers },
            async (answer) => {
              if (action === "kill-after" && answer.statusCode! < 300) await suite.server?.kill9();
              res.writeHead(answer.statusCode!, answer.headers);
              answer.pipe(res);
            },
          );
          upstream.on("error", () => res.destroy());
          req.pipe(upstream);
        })();
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await registry.stop();
    });

    const digestOf = (namespace: string, tag: string) =>
      registryDigest(registry, `${namespace}/pod.encoder.awesomeencoder`, tag);

    const cases: Array<
      [string, string, (method: string, path: string) => "forward" | "drop" | "kill-after"]
    > = [
      [
        "after the registry accepted the version, before the record",
        "0.0.1",
        (method, path) => (method === "PUT" && /\/manifests\/0\.0\.1$/.test(path) ? "kill-after" : "forward"),
      ],
      [
        "after the record, before latest moved",
        "crash2",
        (method, path) => (method === "PUT" && /\/manifests\/latest$/.test(path) ? "drop" : "forward"),
      ],
    ];

    it.each(cases)(
      "%s: after the restart registry, record and latest agree",
      async (_name, namespace, step) => {
        const version = "0.0.1";
        const env = serverEnv(suite.fake, {
          HUBGATE_DATA_DIR: suite.dataDir,
          HUBGATE_REGISTRY: proxyHost,
          HUBGATE_REGISTRY_USERNAME: registry.username,
          HUBGATE_REGISTRY_PASSWORD: registry.password,
          HUBGATE_JOBS: "1",
          HUBGATE_NAMESPACE: namespace,
        });
        const mergeSha = "d".repeat(40);
        const pull = setUpPull(suite.fake, {
          number: 21,
          base: HUB_CONFIG,
          head: { ...HUB_CONFIG, ...bundle },
        });
        suite.fake.setCommit(OWNER, REPO, mergeSha, { ...HUB_CONFIG, ...bundle });
        let killed = false;
        onRequest = async (method, path) => {
          const action = killed ? "forward" : step(method, path);
          if (action === "drop") {
            killed = true;
            await suite.server?.kill9();
          }
          if (action === "kill-after") killed = true;
          return action;
        };
        suite.server = await spawnServer(env);
        const merged = pullRequestPayload(suite.fake, "closed", { ...pull, merged: true, mergeSha });
        expect((await deliver(suite.server, "pull_request", merged)).status).toBe(200);
        // Killed by the proxy at the step under test (bounded: a hang names what it saw).
        await until(
          () =>
            killed
              ? suite.server!.exited.then(() => true)
              : suite.fake.checkRuns(OWNER, REPO).some((r) => r.status === "completed"),
          100,
          explain,
        );
        expect(killed).toBe(true);

        suite.server = await spawnServer(env);
        // GitHub never redelivers by itself: the restart alone must finish the publish.
        const [run] = await until(
          () => {
            const runs = suite.fake.checkRuns(OWNER, REPO).filter((r) => r.head_sha === mergeSha);
            return runs.length > 0 && runs.every((r) => r.status === "completed") ? runs : undefined;
          },
          200,
          explain,
        );
        expect(suite.fake.checkRuns(OWNER, REPO).filter((r) => r.head_sha === mergeSha)).toHaveLength(1);
        expect(run!.conclusion).toBe("success");
        const digest = await digestOf(namespace, version);
        expect(digest).toMatch(/^sha256:/);
        expect(await digestOf(namespace, "latest")).toBe(digest);
        expect(await listPublished(suite.dataDir)).toEqual([
          expect.objectContaining({ version, digest, commit: mergeSha }),
        ]);
        expect(suite.fake.violations).toEqual([]);
        expect(existsSync(join(suite.dataDir, "hubgate.db"))).toBe(true);
      },
    );
  });
});
