/**
 * Platform writes that GitHub makes hard: a create whose reply is lost, a secondary rate
 * limit with retry-after, an installation token revoked under us, GitHub down for longer
 * than the client retries. Real server stack (gateway, Probot's middleware, the server's own
 * throttled client), signed webhooks over HTTP, the fake GitHub.
 */
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github/index.js";
import { startHubgateServer, type RunningServer } from "../../helpers/hubgate-server.js";
import {
  deliver,
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../../helpers/github-scenario.js";
import { until } from "../../helpers/spawned-server.js";

const AWESOME = "executors/encoders/AwesomeEncoder";
const bundle = exampleBundleFiles(AWESOME);

describe("reliable check-run writes", () => {
  let fake: FakeGitHub;
  let server: RunningServer;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    server = await startHubgateServer(fake, { images: null });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());
  afterEach(() => expect(fake.violations).toEqual([]));

  const creates = () => fake.calls.filter((c) => c.operationId === "checks/create");
  const metric = async (name: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return text.split("\n").filter((l) => l.startsWith(name));
  };

  it("a create whose reply is lost is found by its external_id, never created twice", async () => {
    const pull = setUpPull(fake, { number: 31, base: {}, head: bundle });
    fake.dropReplyNext("checks/create");
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const runs = fake.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.name, r.status, r.conclusion])).toEqual([
      [`hubgate: ${AWESOME}`, "completed", "success"],
    ]);
    expect(creates()).toHaveLength(1);
  });

  it("a 403 secondary rate limit with retry-after is waited out and retried", async () => {
    const pull = setUpPull(fake, { number: 32, base: {}, head: bundle });
    fake.failNext("checks/create", 403, 1, {
      headers: { "retry-after": "1" },
      body: {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      },
    });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO).map((r) => r.conclusion)).toEqual(["success"]);
    expect(creates()).toHaveLength(2);
    expect(await metric("hubgate_platform_api_retries_total")).toContainEqual(
      expect.stringMatching(/platform="github",reason="retry-after"} [1-9]/),
    );
  });

  it("a revoked installation token: a fresh token is fetched once and the write retried", async () => {
    const first = setUpPull(fake, { number: 33, base: {}, head: bundle, headSha: "3".repeat(40) });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", first));
    await server.queue.idle();
    const tokens = fake.issuedTokens.length;
    fake.revokeIssuedTokens();
    const second = setUpPull(fake, { number: 34, base: {}, head: bundle, headSha: "4".repeat(40) });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", second));
    await server.queue.idle();
    expect(fake.issuedTokens.length).toBeGreaterThan(tokens);
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.head_sha, r.conclusion])).toEqual([
      [first.headSha, "success"],
      [second.headSha, "success"],
    ]);
  });

  it("GitHub down for longer than the client retries: the job stays in the store and reports later", async () => {
    const pull = setUpPull(fake, { number: 35, base: {}, head: bundle, headSha: "5".repeat(40) });
    fake.failNext("checks/create", 503, 3);
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    // Said at once that it is our side's problem, and kept: not done until its result is reported.
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.name, r.conclusion])).toEqual([["hubgate", "neutral"]]);
    expect((await server.gateway.store.counts()).queued).toBe(1);
    // Retried after its backoff, without any new webhook.
    await until(
      async () => (await server.gateway.store.counts()).queued === 0 && server.queue.idle().then(() => true),
      200,
    );
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.name, r.status, r.conclusion, r.output?.title])).toEqual(
      [
        ["hubgate", "completed", "success", "The pod bundle passed"],
        [`hubgate: ${AWESOME}`, "completed", "success", "Manifest and files are valid"],
      ],
    );
  });

  it("the general run left by a failed attempt ends as the bundles do: a failing bundle fails it", async () => {
    // A hub may require the general run: green beside a red bundle would let the change merge.
    const broken = {
      ...bundle,
      [`${AWESOME}/manifest.yml`]: bundle[`${AWESOME}/manifest.yml`]!.replace(
        /^version: .*$/m,
        "version: v1.0",
      ),
    };
    const pull = setUpPull(fake, { number: 36, base: {}, head: broken, headSha: "6".repeat(40) });
    fake.failNext("checks/create", 503, 3);
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.name, r.conclusion])).toEqual([["hubgate", "neutral"]]);
    await until(
      async () => (await server.gateway.store.counts()).queued === 0 && server.queue.idle().then(() => true),
      200,
    );
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.name, r.status, r.conclusion, r.output?.title])).toEqual(
      [
        ["hubgate", "completed", "failure", "1 of 1 pod bundle needs changes"],
        [`hubgate: ${AWESOME}`, "completed", "failure", expect.any(String)],
      ],
    );
  });
});
