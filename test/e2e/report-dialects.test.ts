/**
 * What a contributor and a hub maintainer see on each platform, through the server as
 * deployed (`node dist/server.js`, signed GitHub webhooks, the GitLab route with its token):
 * a hostile folder name stays inert text in the check run, its annotations and the MR note;
 * a change without bundles gets one successful run (GitHub) and a status plus note (GitLab)
 * that say why, with the layout hint when the layout matches none of the manifests.
 */
import { jest } from "@jest/globals";
import { deliverWebhook } from "../fakes/github/index.js";
import { startFakeGitLab, type FakeGitLab } from "../fakes/gitlab/fake-gitlab.js";
import {
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import { serverEnv, WEBHOOK_SECRET } from "../helpers/hubgate-server.js";
import { spawnedServerSuite, spawnServer, until, type SpawnedServer } from "../helpers/spawned-server.js";
import {
  deliverMergeRequestHook,
  HUB_BASE,
  mergeRequestHook,
  openMergeRequest,
  SECRET,
} from "../platform/gitlab/gitlab-harness.js";

jest.setTimeout(120_000);

const AWESOME = "executors/encoders/AwesomeEncoder";
/** A backtick, blank lines, a heading, HTML, a link and a table cell in one folder name. */
const HOSTILE = "executors/encoders/Ev`il\n\n# Heading <script>alert(1) [evil]() | cell";

/** Markdown with code spans and link targets taken out: what is left is rendered as Markdown. */
const outsideCode = (markdown: string) =>
  markdown.replace(/(`+)[^\n]*?\1/g, "").replace(/\]\([^\s)]*\)/g, "]");

/** Fails where the hostile name is rendered as anything but text: a heading, HTML, a link, a cell. */
function expectInert(markdown: string): void {
  const rendered = outsideCode(markdown);
  expect(rendered).not.toMatch(/<script|Heading|evil|\| cell/);
  // The contributor's "# Heading" never starts a line (our own headings hold the name in a code span).
  expect(markdown.split("\n").filter((l) => /^\s*#{1,6} Heading/.test(l))).toEqual([]);
}

describe("report dialects through the spawned server (GitHub check runs, GitLab statuses and note)", () => {
  const suite = spawnedServerSuite("hubgate-dialects-", "stop");
  let gitlab: FakeGitLab;
  beforeEach(async () => {
    gitlab = await startFakeGitLab();
  });
  afterEach(async () => {
    try {
      expect(suite.fake.violations).toEqual([]);
      expect(gitlab.violations).toEqual([]);
      expect(gitlab.refusedTransitions).toEqual([]);
    } finally {
      await gitlab.close();
    }
  });

  const start = async (): Promise<SpawnedServer> =>
    (suite.server = await spawnServer(
      serverEnv(suite.fake, {
        HUBGATE_DATA_DIR: suite.dataDir,
        HUBGATE_BUILD: "false",
        GITLAB_URL: gitlab.url,
        GITLAB_TOKEN: gitlab.token,
        GITLAB_WEBHOOK_SECRET: SECRET,
      }),
    ));

  const explain = () =>
    `server output:\n${suite.server?.output().slice(-4000)}\nruns: ${JSON.stringify(
      suite.fake.checkRuns(OWNER, REPO).map((r) => [r.name, r.status, r.conclusion]),
    )}`;

  /** The same change as a GitHub pull request and a GitLab merge request; resolves when both have reported. */
  async function openOnBoth(
    server: SpawnedServer,
    base: Record<string, string>,
    head: Record<string, string>,
    finalStatus: string,
  ) {
    const pull = setUpPull(suite.fake, { base, head });
    await deliverWebhook({
      url: `${server.url}/api/github/webhooks`,
      secret: WEBHOOK_SECRET,
      event: "pull_request",
      payload: pullRequestPayload(suite.fake, "opened", pull),
    });
    gitlab.addProject({ id: 1, path: "hub", namespace: "jina" });
    gitlab.commit(1, { ...HUB_BASE, ...base }, { branch: "main" });
    const mr = openMergeRequest(gitlab, head, { iid: 3 });
    expect(await deliverMergeRequestHook(server.url, mergeRequestHook(gitlab, mr, { action: "open" }))).toBe(
      202,
    );
    const runs = await until(
      () => {
        const mine = suite.fake.checkRuns(OWNER, REPO);
        return mine.length && mine.every((r) => r.status === "completed") ? mine : undefined;
      },
      50,
      explain,
    );
    const status = await until(
      () => [...gitlab.latestStatuses(1, mr.headSha).values()].find((s) => s.status === finalStatus),
      50,
      explain,
    );
    const note = await until(
      () => gitlab.notes(1, mr.iid).find((n) => n.authorId === gitlab.bot.id && !n.body.includes("⏳")),
      50,
      explain,
    );
    return { runs, status, statuses: gitlab.latestStatuses(1, mr.headSha), note };
  }

  it("a hostile folder name is inert in the check run, its annotations, the note and the statuses", async () => {
    const server = await start();
    const files = exampleBundleFiles(AWESOME, HOSTILE);
    files[`${HOSTILE}/manifest.yml`] = files[`${HOSTILE}/manifest.yml`]!.replace(
      "license: apache-2.0",
      "license: nope",
    );
    const { runs, status, note } = await openOnBoth(server, {}, files, "failed");

    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run!.name).toBe(`hubgate: ${HOSTILE}`);
    expect(run!.conclusion).toBe("failure");
    expectInert(run!.output.summary!);
    expect(run!.output.summary).toContain("%3Cscript%3E"); // the link target, fully encoded
    // Annotations keep the real path (GitHub places them by it); their text is plain.
    expect(run!.annotations.map((a) => [a.path, a.title])).toContainEqual([
      `${HOSTILE}/manifest.yml`,
      "manifest/license",
    ]);

    expectInert(note.body);
    expect(note.body).toContain("Ev`il # Heading"); // shown, in a code span, on one line
    expect(status.name).toBe(`hubgate: ${HOSTILE.replace(/\s+/g, " ")}`);
    expect(status.name!.length).toBeLessThanOrEqual(255);
  });

  it("a change to README.md only: one successful run, and a status and note saying no bundle changed", async () => {
    const server = await start();
    const base = { "README.md": "a\n", ...exampleBundleFiles(AWESOME) };
    const { runs, status, statuses, note } = await openOnBoth(
      server,
      base,
      { ...base, "README.md": "b\n" },
      "success",
    );
    expect(runs.map((r) => [r.name, r.conclusion, r.output.title])).toEqual([
      ["hubgate", "success", "No bundle changed: nothing to check"],
    ]);
    const reason = "0 bundles checked: no bundle changed (1 changed file";
    expect(runs[0]!.output.summary!.replace(/\\(.)/g, "$1")).toContain(reason);
    expect([...statuses.keys()]).toEqual(["hubgate"]);
    expect(status.description).toContain(reason);
    expect(note.body).toContain("## ✅ hubgate: no bundle changed, nothing to check");
    expect(note.body.replace(/\\(.)/g, "$1")).toContain(reason);
  });

  it("manifests where the layout expects none: a successful run with the warning and the hint to set `layout`", async () => {
    const server = await start();
    // jina-hub's layout (`{kinds}/{domain}/{name}`) in a hub configured with the default one.
    const bundle = exampleBundleFiles(AWESOME, "encoders/nlp/AwesomeEncoder");
    const { runs, status, note } = await openOnBoth(server, { "README.md": "a\n" }, bundle, "success");
    expect(runs.map((r) => [r.name, r.conclusion, r.output.title])).toEqual([
      ["hubgate", "success", "No bundle checked: the hub's layout matches none of its manifest.yml files"],
    ]);
    const summary = runs[0]!.output.summary!.replace(/\\(.)/g, "$1");
    expect(summary).toContain("0 bundles checked: the hub's layout (executors/{kinds}/{name})");
    expect(summary).toContain("set `layout` in .hubgate.yml");
    expect(runs[0]!.annotations).toEqual([
      expect.objectContaining({
        path: "encoders/nlp/AwesomeEncoder/manifest.yml",
        annotation_level: "warning",
        title: "hub/layout-matches-nothing",
      }),
    ]);
    expect(status.name).toBe("hubgate");
    expect(status.description).toMatch(/^0 bundles checked: the hub's layout/);
    const body = note.body.replace(/\\(.)/g, "$1");
    expect(body).toContain("no bundle checked, the hub's layout matches none of its manifest.yml files");
    expect(body).toContain("set `layout` in .hubgate.yml");
    expect(body).toContain("hub/layout-matches-nothing");
  });
});
