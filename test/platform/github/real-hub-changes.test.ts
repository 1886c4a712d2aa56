import type { PullFileSpec } from "../../fakes/github/index.js";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github/index.js";
import { deliver, OWNER, pullRequestPayload, REPO, setUpPull } from "../../helpers/github-scenario.js";
import { startHubgateServer, type RunningServer } from "../../helpers/hubgate-server.js";
import {
  bumpVersion,
  hubChange,
  jinaHubBundles,
  jinaHubFiles,
  type HubChange,
} from "../../helpers/jina-hub.js";

const RANKER = "rankers/LevenshteinRanker";
const TEXT = "encoders/nlp/CLIPTextEncoder";
const HUB = jinaHubFiles(
  jinaHubBundles().filter((b) =>
    [RANKER, "rankers/BiMatchRanker", TEXT, "encoders/image/CLIPImageEncoder"].includes(b.root),
  ),
);

/** GitHub's pull request files for a change git made: renames carry previous_filename. */
const pullFiles = (change: HubChange): PullFileSpec[] =>
  change.changes.map((c) => ({
    filename: c.path,
    status: c.status,
    ...(c.previousPath ? { previous_filename: c.previousPath } : {}),
  }));

describe("GitHub pull requests on a real hub's layout (jina-hub, mixed depths)", () => {
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

  const open = async (change: HubChange) => {
    const pull = setUpPull(fake, { base: change.base, head: change.head, files: pullFiles(change) });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    return fake.checkRuns(OWNER, REPO);
  };

  it("a ranker-only change checks the ranker at <kinds>/<Name>/, not its tests/ folder", async () => {
    const runs = await open(
      hubChange(HUB, (repo) => {
        repo.write(`${RANKER}/tests/test_levenshteinranker.py`, "def test_it():\n    assert 1\n");
        repo.write(`${RANKER}/manifest.yml`, bumpVersion(HUB[`${RANKER}/manifest.yml`]!));
      }),
    );
    expect(runs.map((r) => [r.name, r.conclusion])).toEqual([[`hubgate: ${RANKER}`, "success"]]);
  });

  it("deleting a ranker fails nothing", async () => {
    const runs = await open(hubChange(HUB, (repo) => repo.git("rm", "-rq", "rankers/BiMatchRanker")));
    expect(runs.filter((r) => r.conclusion !== "success" && r.conclusion !== "neutral")).toEqual([]);
  });

  it("a moved bundle with changed content and the same version fails the version bump (previous_filename)", async () => {
    const change = hubChange(HUB, (repo) => {
      repo.git("mv", TEXT, "encoders/image/CLIPTextEncoder");
      repo.write(
        "encoders/image/CLIPTextEncoder/__init__.py",
        "class CLIPTextEncoder:\n    changed = True\n",
      );
    });
    expect(change.changes).toContainEqual({
      path: "encoders/image/CLIPTextEncoder/manifest.yml",
      status: "renamed",
      previousPath: `${TEXT}/manifest.yml`,
    });
    const runs = await open(change);
    expect(runs.map((r) => [r.name, r.conclusion])).toEqual([
      ["hubgate: encoders/image/CLIPTextEncoder", "failure"],
    ]);
    const bump = runs[0]!.annotations.find((a) => a.title === "manifest/version-bump");
    expect(bump).toMatchObject({ path: "encoders/image/CLIPTextEncoder/manifest.yml" });
    expect(bump!.message).toContain(`moved here from ${TEXT}`);
  });

  it("a problem in the base branch's .hubgate.yml is a finding at its line, not an infrastructure error", async () => {
    const broken = { ...HUB, ".hubgate.yml": "layout:\n  - '{kinds}/{domain}/{name}'\n  - 'rankers'\n" };
    const runs = await open(
      hubChange(broken, (repo) =>
        repo.write(`${RANKER}/manifest.yml`, bumpVersion(HUB[`${RANKER}/manifest.yml`]!)),
      ),
    );
    expect(runs.map((r) => r.conclusion)).toEqual(["failure"]);
    expect(runs[0]!.annotations).toEqual([
      expect.objectContaining({
        path: ".hubgate.yml",
        start_line: 3,
        annotation_level: "failure",
        title: "config/invalid",
      }),
    ]);
  });
});
