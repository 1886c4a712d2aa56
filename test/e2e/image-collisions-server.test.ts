/**
 * Image names are unique across the whole hub, on the bots too: a pull/merge request that
 * adds `"awesomeencoder "` next to an unchanged AwesomeEncoder fails on the new bundle's
 * `name:` line, naming the unchanged one. The server is spawned as deployed, webhooks are
 * signed (GitHub) or carry the token (GitLab), and only the new bundle is unpacked: the
 * unchanged manifest is read from the streamed head archive.
 */
import { jest } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deliverWebhook } from "../fakes/github/index.js";
import { startFakeGitLab, type FakeGitLab, type Files } from "../fakes/gitlab/fake-gitlab.js";
import {
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../helpers/github-scenario.js";
import { serverEnv, WEBHOOK_SECRET } from "../helpers/hubgate-server.js";
import { ROOT } from "../helpers/run-cli.js";
import { spawnedServerSuite, spawnServer, until } from "../helpers/spawned-server.js";
import { mergeRequestHook, SECRET as GITLAB_SECRET } from "../platform/gitlab/gitlab-harness.js";

jest.setTimeout(120_000);
const ORIGINAL = "executors/encoders/AwesomeEncoder";
const TWIN = "executors/encoders/AwesomeTwin";
const MANIFEST = readFileSync(join(ROOT, "examples/executors/encoders/AwesomeEncoder/manifest.yml"), "utf8");
const original = exampleBundleFiles(ORIGINAL);
// The twin: its name differs from the unchanged bundle's only in case and a trailing space.
const twin = {
  ...exampleBundleFiles(ORIGINAL, TWIN),
  [`${TWIN}/manifest.yml`]: MANIFEST.replace(/^name: .*$/m, 'name: "awesomeencoder "'),
};
// A third, unrelated bundle the change leaves alone: no claim on the twin's image.
const other = {
  ...exampleBundleFiles(ORIGINAL, "executors/encoders/OtherEncoder"),
  "executors/encoders/OtherEncoder/manifest.yml": MANIFEST.replace(
    "name: AwesomeEncoder",
    "name: OtherEncoder",
  ),
};
const base = { "README.md": "# hub\n", ...original, ...other };

describe("a new twin of an unchanged bundle (spawned server)", () => {
  const suite = spawnedServerSuite("hubgate-twins-", "kill9");
  let gl: FakeGitLab;
  beforeAll(async () => {
    gl = await startFakeGitLab();
  });
  afterAll(async () => gl.close());
  const explain = () => `server output:\n${suite.server?.output().slice(-5000)}`;

  const start = async () =>
    (suite.server = await spawnServer(
      serverEnv(suite.fake, {
        HUBGATE_DATA_DIR: suite.dataDir,
        HUBGATE_BUILD: "false",
        GITLAB_URL: gl.url,
        GITLAB_TOKEN: gl.token,
        GITLAB_WEBHOOK_SECRET: GITLAB_SECRET,
      }),
    ));

  it("GitHub: the check run fails with image/duplicate on the twin's name: line, naming the unchanged bundle", async () => {
    const server = await start();
    const pull = setUpPull(suite.fake, { base, head: { ...base, ...twin } });
    const answer = await deliverWebhook({
      url: `${server.url}/api/github/webhooks`,
      secret: WEBHOOK_SECRET,
      event: "pull_request",
      payload: pullRequestPayload(suite.fake, "opened", pull),
    });
    expect(answer.status).toBe(200);
    const run = await until(
      () => suite.fake.checkRuns(OWNER, REPO).find((r) => r.status === "completed"),
      50,
      explain,
    );
    expect(suite.fake.checkRuns(OWNER, REPO).map((r) => r.name)).toEqual([`hubgate: ${TWIN}`]);
    expect(run.conclusion).toBe("failure");
    expect(
      run.annotations
        .filter((a) => a.title === "image/duplicate")
        .map((a) => [a.path, a.start_line, a.message]),
    ).toEqual([[`${TWIN}/manifest.yml`, 2, expect.stringContaining(`is also the image of ${ORIGINAL}:`)]]);
    expect(suite.fake.violations).toEqual([]);
  });

  it("GitLab: the merge request's status fails and its note names the unchanged bundle", async () => {
    const server = await start();
    const project = gl.addProject({ id: 1, path: "hub", namespace: "jina" });
    gl.commit(project.id, base as Files, { branch: "main" });
    const headSha = gl.commit(project.id, { ...base, ...twin } as Files, { branch: "add-twin" });
    const mr = gl.addMergeRequest({ targetProjectId: project.id, iid: 7, sourceBranch: "add-twin", headSha });
    const answer = await fetch(`${server.url}/api/gitlab/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-gitlab-event": "Merge Request Hook",
        "x-gitlab-token": GITLAB_SECRET,
      },
      body: JSON.stringify(mergeRequestHook(gl, mr, { action: "open" })),
    });
    expect(answer.status).toBeLessThan(300);
    const status = await until(
      () => {
        const s = gl.latestStatuses(project.id, headSha).get(`hubgate: ${TWIN}`);
        return s && s.status !== "pending" && s.status !== "running" ? s : undefined;
      },
      50,
      explain,
    );
    expect(status.status).toBe("failed");
    expect([...gl.latestStatuses(project.id, headSha).keys()].filter((k) => k.includes("encoders"))).toEqual([
      `hubgate: ${TWIN}`,
    ]);
    const note = await until(
      () =>
        gl.notes(project.id, 7).find((n) => n.authorId === gl.bot.id && n.body.includes("image/duplicate")),
      50,
      explain,
    );
    expect(note.body).toContain(`is also the image of ${ORIGINAL}`);
    expect(gl.violations).toEqual([]);
  });
});
