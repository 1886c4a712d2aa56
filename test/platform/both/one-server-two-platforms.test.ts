import { startFakeGitHub, type FakeGitHub } from "../../fakes/github/index.js";
import { startFakeGitLab, type FakeGitLab } from "../../fakes/gitlab/fake-gitlab.js";
import { startHubgateServer, type RunningServer } from "../../helpers/hubgate-server.js";
import {
  deliver,
  exampleBundleFiles,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../../helpers/github-scenario.js";
import {
  deliverMergeRequestHook,
  HUB_BASE,
  mergeRequestHook,
  openMergeRequest,
  SECRET,
} from "../gitlab/gitlab-harness.js";

const BROKEN = "executors/crafters/BrokenCrafter";

describe("one server answers GitHub and GitLab, with the same findings for the same bundle", () => {
  let github: FakeGitHub;
  let gitlab: FakeGitLab;
  let server: RunningServer;
  beforeAll(async () => {
    github = await startFakeGitHub();
    gitlab = await startFakeGitLab();
    gitlab.addProject({ id: 1, path: "hub", namespace: "jina" });
    gitlab.commit(1, HUB_BASE, { branch: "main" });
    server = await startHubgateServer(github, {
      images: null,
      env: { GITLAB_URL: gitlab.url, GITLAB_TOKEN: gitlab.token, GITLAB_WEBHOOK_SECRET: SECRET },
    });
  });
  afterAll(async () => {
    await server.close();
    await github.close();
    await gitlab.close();
  });

  it("reports the broken example's findings on both platforms, line for line", async () => {
    const bundle = exampleBundleFiles(BROKEN);
    const pull = setUpPull(github, { base: {}, head: bundle });
    expect((await deliver(server, "pull_request", pullRequestPayload(github, "opened", pull))).status).toBe(
      200,
    );

    const mr = openMergeRequest(gitlab, bundle);
    expect(await deliverMergeRequestHook(server.url, mergeRequestHook(gitlab, mr, { action: "open" }))).toBe(
      202,
    );
    await server.queue.idle();

    const [run] = github.checkRuns(OWNER, REPO);
    const onGitHub = run!.annotations.map((a) => `${a.path}:${a.start_line}`).sort();
    const [note] = gitlab.notes(1, mr.iid);
    // The note links each finding to `<web_url>/-/blob/<sha>/<file>#L<line>`.
    const onGitLab = [...note!.body.matchAll(/\/-\/blob\/[0-9a-f]+\/([^#)]+)#L(\d+)/g)]
      .map((m) => `${m[1]}:${m[2]}`)
      .sort();
    expect(onGitHub.length).toBeGreaterThan(5);
    expect(onGitLab).toEqual(onGitHub);
    expect(run!.conclusion).toBe("failure");
    expect(gitlab.latestStatuses(1, mr.headSha).get(`hubgate: ${BROKEN}`)?.status).toBe("failed");
    expect(github.violations).toEqual([]);
  });

  it("keeps the GitLab route closed to a wrong token", async () => {
    const response = await fetch(`${server.url}/api/gitlab/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-gitlab-event": "Merge Request Hook",
        "x-gitlab-token": "wrong",
      },
      body: "{}",
    });
    expect(response.status).toBe(401);
  });
});
