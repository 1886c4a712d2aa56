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

const AWESOME = "executors/encoders/AwesomeEncoder";
const base = exampleBundleFiles("executors/encoders/AwesomeEncoder");
const bumped = (files: Record<string, string>, version: string) => ({
  ...files,
  [`${AWESOME}/manifest.yml`]: files[`${AWESOME}/manifest.yml`]!.replace(
    "version: 0.0.1",
    `version: ${version}`,
  ),
});

describe("GitHub pull requests → check runs (static checks, Docker off)", () => {
  let fake: FakeGitHub;
  let server: RunningServer;
  beforeAll(async () => {
    fake = await startFakeGitHub();
  });
  afterAll(async () => fake.close());
  beforeEach(async () => {
    fake.reset();
    server = await startHubgateServer(fake, { images: null });
  });
  afterEach(async () => {
    await server.close();
    expect(fake.violations).toEqual([]);
  });

  it("reports a valid bundle as one successful check run", async () => {
    const pull = setUpPull(fake, { base: { "README.md": "hub\n" }, head: { "README.md": "hub\n", ...base } });
    const answer = await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    expect(answer.status).toBe(200);
    await server.queue.idle();
    const runs = fake.checkRuns(OWNER, REPO);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      name: `hubgate: ${AWESOME}`,
      head_sha: pull.headSha,
      status: "completed",
      conclusion: "success",
      external_id: JSON.stringify({ pr: pull.number }),
    });
    expect(runs[0]!.output.summary).toContain("jinahub/pod.encoder.awesomeencoder:0.0.1");
    expect(runs[0]!.output.summary).toContain("✅ Required files Dockerfile and manifest.yml are present");
  });

  it("annotates every manifest problem on its exact line, and requires a version bump over the base branch", async () => {
    const head = {
      ...base,
      [`${AWESOME}/manifest.yml`]: base[`${AWESOME}/manifest.yml`]!.replace(
        "license: apache-2.0",
        "license: Apache-2.0",
      ).replace("name: AwesomeEncoder", "name: Awesome!"),
    };
    const pull = setUpPull(fake, { base, head });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run!.conclusion).toBe("failure");
    expect(
      run!.annotations.map((a) => [a.path, a.start_line, a.start_column, a.annotation_level, a.title]),
    ).toEqual([
      [`${AWESOME}/manifest.yml`, 2, 7, "failure", "manifest/name"],
      [`${AWESOME}/manifest.yml`, 9, 10, "failure", "manifest/version-bump"],
      [`${AWESOME}/manifest.yml`, 11, 10, "failure", "manifest/license"],
    ]);
    expect(run!.output.summary).toContain("❌ Field values are in the correct format");
  });

  it("escapes what the contributor wrote: no mentions, HTML or Markdown injection", async () => {
    const head = bumped(
      {
        ...base,
        [`${AWESOME}/manifest.yml`]: base[`${AWESOME}/manifest.yml`]!.replace(
          "license: apache-2.0",
          "license: '<img src=x> @octocat [x](http://evil)'",
        ),
      },
      "0.0.2",
    );
    const pull = setUpPull(fake, { base, head });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const summary = fake.checkRuns(OWNER, REPO)[0]!.output.summary!;
    expect(summary).not.toContain("<img");
    expect(summary).not.toMatch(/@octocat/);
    expect(summary).not.toContain("[x](http://evil)");
  });

  it("gives a PR that touches no bundle one successful run that says why", async () => {
    const pull = setUpPull(fake, {
      base: { "README.md": "a\n", ...base },
      head: { "README.md": "b\n", ...base },
    });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const runs = fake.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.name, r.status, r.conclusion, r.output.title])).toEqual([
      ["hubgate", "completed", "success", "No bundle changed: nothing to check"],
    ]);
    // Read as rendered: the reason is escaped Markdown.
    const shown = runs[0]!.output.summary!.replace(/\\(.)/g, "$1");
    expect(shown).toContain("0 bundles checked: no bundle changed (1 changed file");
  });

  it("reports badly placed files in the one run of a change without bundles", async () => {
    const pull = setUpPull(fake, { base, head: { ...base, "executors/encoders/helper.py": "x = 1\n" } });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const runs = fake.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.name, r.conclusion, r.output.title])).toEqual([
      ["hubgate", "failure", "The pod bundle is badly placed"],
    ]);
    expect(runs[0]!.annotations[0]).toMatchObject({ path: "executors/encoders/helper.py", start_line: 1 });
  });

  it("reports badly placed files beside a changed bundle in a layout check run", async () => {
    const head = bumped({ ...base, "executors/encoders/helper.py": "x = 1\n" }, "0.0.2");
    const pull = setUpPull(fake, { base, head });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const runs = fake.checkRuns(OWNER, REPO);
    expect(runs.map((r) => [r.name, r.conclusion]).sort()).toEqual([
      ["hubgate: executors/encoders/AwesomeEncoder", "success"],
      ["hubgate: hub layout", "failure"],
    ]);
  });

  it("annotates 200 of 260 findings in requests of at most 50, and the summary lists and counts the rest", async () => {
    const manifest = `${AWESOME}/manifest.yml`;
    const extra = Array.from({ length: 260 }, (_, i) => `extra_key_${i}: ${i}\n`).join("");
    const pull = setUpPull(fake, { base: {}, head: { ...base, [manifest]: base[manifest]! + extra } });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run!.conclusion).toBe("success");
    expect(run!.annotations).toHaveLength(200);
    const sizes = fake.calls
      .filter((c) => c.operationId === "checks/create" || c.operationId === "checks/update")
      .map((c) => ((c.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);
    expect(sizes).toEqual([50, 50, 50, 50]);
    const summary = run!.output.summary!;
    expect(summary).toContain("60 more findings are not annotated on the files");
    // As many as fit in 65,535 characters are listed; the rest are counted, with where to see them.
    const listed = summary.split("\n").filter((l) => l.includes("`manifest/unknown-key`")).length;
    const more =
      /… and (\d+) more findings not shown here: run `npx hubgate check (\S+)` to see them all/.exec(summary);
    expect(more?.[2]).toBe(AWESOME);
    expect(listed + Number(more?.[1])).toBe(260);
    expect(summary.length).toBeLessThanOrEqual(65_535);
  });

  it("creates no duplicate check run when the same delivery arrives twice", async () => {
    const pull = setUpPull(fake, { base: {}, head: base });
    const payload = pullRequestPayload(fake, "opened", pull);
    await deliver(server, "pull_request", payload, "delivery-1");
    await server.queue.idle();
    await deliver(server, "pull_request", payload, "delivery-1");
    await deliver(server, "pull_request", pullRequestPayload(fake, "reopened", pull), "delivery-2");
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.operationId === "checks/create")).toHaveLength(1);
  });

  it("pull requests waiting for a free runner show a queued run at once, completed when checked", async () => {
    const pulls = [41, 42, 43, 44, 45, 46].map((number) =>
      setUpPull(fake, { number, base: {}, head: base, headSha: String(number).repeat(20) }),
    );
    await Promise.all(
      pulls.map((p) => deliver(server, "pull_request", pullRequestPayload(fake, "opened", p))),
    );
    await server.queue.idle();
    const queuedCreates = fake.calls.filter(
      (c) => c.operationId === "checks/create" && (c.body as { status?: string }).status === "queued",
    );
    expect(queuedCreates.length).toBeGreaterThan(0);
    const runs = fake.checkRuns(OWNER, REPO);
    expect(runs.filter((r) => r.status !== "completed")).toEqual([]);
    for (const p of pulls)
      expect(runs.filter((r) => r.head_sha === p.headSha && r.name === `hubgate: ${AWESOME}`)).toHaveLength(
        1,
      );
    expect(new Set(runs.map((r) => r.conclusion))).toEqual(new Set(["success"]));
  });

  it("rejects a bad signature and does nothing", async () => {
    const pull = setUpPull(fake, { base: {}, head: base });
    const response = await fetch(server.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": "x",
        "x-hub-signature-256": "sha256=" + "0".repeat(64),
      },
      body: JSON.stringify(pullRequestPayload(fake, "opened", pull)),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await server.queue.idle();
    expect(
      fake.calls.filter((c) => c.operationId !== undefined && !c.operationId.startsWith("apps/")),
    ).toEqual([]);
  });

  it("pages through more than 100 changed files and finds every bundle", async () => {
    const head: Record<string, string> = {};
    for (let i = 0; i < 30; i++)
      for (const [path, text] of Object.entries(base))
        head[path.replace("AwesomeEncoder", `Encoder${i}`)] = text.replace("AwesomeEncoder", `Encoder${i}x`);
    const pull = setUpPull(fake, { base: {}, head });
    await deliver(
      server,
      "pull_request",
      pullRequestPayload(fake, "opened", { ...pull, changedFiles: Object.keys(head).length }),
    );
    await server.queue.idle();
    expect(Object.keys(head).length).toBeGreaterThan(200);
    expect(fake.calls.filter((c) => c.operationId === "pulls/list-files").length).toBeGreaterThanOrEqual(3);
    expect(fake.checkRuns(OWNER, REPO)).toHaveLength(30);
  });

  it("falls back to comparing trees when a PR changes more than 3000 files", async () => {
    const head: Record<string, string> = { ...base };
    for (let i = 0; i < 3100; i++) head[`docs/page-${i}.md`] = `page ${i}\n`;
    head[`${AWESOME}/__init__.py`] = "# changed\n";
    const withBump = bumped(head, "0.0.2");
    const pull = setUpPull(fake, { base, head: withBump });
    await deliver(
      server,
      "pull_request",
      pullRequestPayload(fake, "opened", { ...pull, changedFiles: 3102 }),
    );
    await server.queue.idle();
    expect(fake.calls.some((c) => c.operationId === "git/get-tree")).toBe(true);
    expect(fake.checkRuns(OWNER, REPO).map((r) => [r.name, r.conclusion])).toEqual([
      [`hubgate: ${AWESOME}`, "success"],
    ]);
  });

  it("ends neutral with a Re-run button when GitHub fails on our side, and re-runs on request", async () => {
    const pull = setUpPull(fake, { base: {}, head: base });
    // Past the client's retries: five answers of 502.
    fake.failNext("repos/download-tarball-archive", 502, 5);
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({
      conclusion: "neutral",
      actions: [expect.objectContaining({ identifier: "rerun" })],
    });

    const action = loadAction(fake, run!, pull.number);
    await deliver(server, "check_run", action);
    await server.queue.idle();
    const runs = fake.checkRuns(OWNER, REPO);
    expect(runs.map((r) => r.conclusion)).toEqual(["neutral", "success"]);
  });
});

function loadAction(
  fake: FakeGitHub,
  run: { id: number; name: string; external_id: string | null; head_sha: string },
  _pr: number,
) {
  // check_run.requested_action as GitHub sends it, with the fork-like empty pull_requests.
  return {
    action: "requested_action",
    requested_action: { identifier: "rerun" },
    check_run: {
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      external_id: run.external_id,
      pull_requests: [],
      status: "completed",
      conclusion: "neutral",
    },
    repository: {
      id: 1,
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      owner: { login: OWNER },
      default_branch: "main",
      html_url: `https://github.com/${OWNER}/${REPO}`,
    },
    sender: { login: OWNER },
    installation: { id: fake.installationId },
  };
}
