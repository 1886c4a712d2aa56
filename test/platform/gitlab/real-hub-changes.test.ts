import type { DiffModel } from "../../fakes/gitlab/gitlab-model.js";
import {
  bumpVersion,
  hubChange,
  jinaHubBundles,
  jinaHubFiles,
  type HubChange,
} from "../../helpers/jina-hub.js";
import { mergeRequestHook, startHarness, type Harness } from "./gitlab-harness.js";

const RANKER = "rankers/LevenshteinRanker";
const TEXT = "encoders/nlp/CLIPTextEncoder";
const HUB = jinaHubFiles(
  jinaHubBundles().filter((b) =>
    [RANKER, "rankers/BiMatchRanker", TEXT, "encoders/image/CLIPImageEncoder"].includes(b.root),
  ),
);

/** GitLab's merge request diffs for a change git made: renames carry old_path. */
const diffs = (change: HubChange): DiffModel[] =>
  change.changes.map((c) => ({
    old_path: c.previousPath ?? c.path,
    new_path: c.path,
    a_mode: c.status === "added" ? "0" : "100644",
    b_mode: c.status === "removed" ? "0" : "100644",
    new_file: c.status === "added",
    renamed_file: c.status === "renamed",
    deleted_file: c.status === "removed",
    generated_file: false,
    diff: "",
  }));

describe("GitLab merge requests on a real hub's layout (jina-hub, mixed depths)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    expect(h.gl.violations).toEqual([]);
    await h.close();
  });

  const open = async (change: HubChange) => {
    h.gl.commit(1, change.base, { branch: "main" });
    const headSha = h.gl.commit(1, change.head, { branch: "change" });
    const mr = h.gl.addMergeRequest({
      targetProjectId: 1,
      iid: 7,
      sourceBranch: "change",
      headSha,
      diffs: diffs(change),
    });
    expect((await h.post(mergeRequestHook(h.gl, mr, { action: "open" }))).status).toBe(202);
    await h.queue.idle();
    return {
      statuses: h.gl.latestStatuses(1, headSha),
      note: h.gl.notes(1, 7).find((n) => n.authorId === h.gl.bot.id),
    };
  };

  it("a ranker-only change checks the ranker at <kinds>/<Name>/, not its tests/ folder", async () => {
    const { statuses } = await open(
      hubChange(HUB, (repo) => {
        repo.write(`${RANKER}/tests/test_levenshteinranker.py`, "def test_it():\n    assert 1\n");
        repo.write(`${RANKER}/manifest.yml`, bumpVersion(HUB[`${RANKER}/manifest.yml`]!));
      }),
    );
    expect([...statuses].map(([name, s]) => [name, s.status])).toEqual([[`hubgate: ${RANKER}`, "success"]]);
  });

  it("a moved bundle with changed content and the same version fails the version bump (old_path)", async () => {
    const { statuses, note } = await open(
      hubChange(HUB, (repo) => {
        repo.git("mv", TEXT, "encoders/image/CLIPTextEncoder");
        repo.write(
          "encoders/image/CLIPTextEncoder/__init__.py",
          "class CLIPTextEncoder:\n    changed = True\n",
        );
      }),
    );
    expect([...statuses].map(([name, s]) => [name, s.status])).toEqual([
      ["hubgate: encoders/image/CLIPTextEncoder", "failed"],
    ]);
    expect(note!.body).toContain(`moved here from ${TEXT}`);
  });

  it("a file in no bundle fails its own status, and the note names this hub's layout", async () => {
    const { statuses, note } = await open(
      hubChange(HUB, (repo) => {
        repo.write("encoders/nlp/stray.py", "x = 1\n");
        repo.write(`${RANKER}/manifest.yml`, bumpVersion(HUB[`${RANKER}/manifest.yml`]!));
      }),
    );
    const outside = statuses.get("hubgate: files outside any bundle");
    expect(outside?.status).toBe("failed");
    expect(outside?.description).toBe(
      "The pod bundle is badly placed: 1 file is outside any bundle (see the note)",
    );
    expect(statuses.get(`hubgate: ${RANKER}`)?.status).toBe("success");
    expect(note!.body).toContain("encoders/nlp/stray.py");
    expect(note!.body).toContain(
      "at &lt;kinds&gt;/&lt;domain&gt;/&lt;Name&gt;/ or &lt;kinds&gt;/&lt;Name&gt;/; move this file",
    );
  });

  it("deleting a ranker fails nothing", async () => {
    const { statuses } = await open(hubChange(HUB, (repo) => repo.git("rm", "-rq", "rankers/BiMatchRanker")));
    expect([...statuses.values()].filter((s) => s.status === "failed")).toEqual([]);
  });
});
