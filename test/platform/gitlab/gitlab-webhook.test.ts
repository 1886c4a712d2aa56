import { NOTE_MARKER } from "../../../src/report/gitlab-note.js";
import {
  HUB_BASE,
  AWESOME,
  BROKEN,
  exampleBundle,
  fixture,
  mergeRequestHook,
  openMergeRequest,
  startHarness,
  type Harness,
} from "./gitlab-harness.js";

const STATUS = (path: string) => `hubgate: ${path}`;

/** Nothing the real GitLab would have refused, and no status transition it would have rejected. */
function expectClean(h: Harness): void {
  expect(h.gl.violations).toEqual([]);
  expect(h.gl.refusedTransitions).toEqual([]);
}

describe("GitLab webhook: merge request checks against a fake GitLab over HTTP", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const botNotes = (iid = 7) => h.gl.notes(1, iid).filter((n) => n.authorId === h.gl.bot.id);

  it("valid bundle: 202 at once, statuses pending → running → success, one note with the checklist", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    const res = await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("accepted");
    await h.queue.idle();

    expectClean(h);
    const status = h.gl.latestStatuses(1, mr.headSha).get(STATUS(AWESOME));
    expect(status?.status).toBe("success");
    expect(status?.history).toEqual(["pending", "running", "success"]);
    expect(status?.ref).toBe("add-bundle");
    expect(status?.description).toBe("static checks passed");

    const notes = botNotes();
    expect(notes).toHaveLength(1);
    const body = notes[0]!.body;
    expect(body.startsWith(NOTE_MARKER)).toBe(true);
    expect(status?.target_url).toBe(`${h.hub.webUrl}/-/merge_requests/7#note_${notes[0]!.id}`);
    expect(body).toContain("✅ hubgate: the pod bundle passed");
    expect(body).toContain("of !7");
    expect(body).toContain("`jinahub/pod.encoder.awesomeencoder:0.0.1`");
    expect(body).toContain("- [x] Required files Dockerfile and manifest.yml are present");
    expect(body).toContain("- [x] Required fields in manifest.yml are present");
    expect(body).toContain("- [x] Field values are in the correct format");
    expect(body).toContain("- [x] The pod bundle is correctly placed");
    // No Docker here: the build line is "not applicable", never ticked.
    expect(body).toContain("- [~] The image builds and passes the three basic usage tests");

    // Every diff page read, base files from the target branch, the archive of the head commit.
    expect(h.gl.callsTo("merge_requests/diffs")[0]?.query.per_page).toBe("100");
    expect(h.gl.callsTo("files/raw").map((c) => c.query.ref)).toEqual(expect.arrayContaining(["main"]));
    expect(h.gl.callsTo("repository/archive").map((c) => [c.path, c.query.sha])).toEqual([
      ["/projects/1/repository/archive.tar.gz", mr.headSha],
    ]);
  });

  it("invalid manifest: failed status naming the problem, findings as file:line links to the source commit", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/crafters/BrokenCrafter", BROKEN));
    expect((await h.post(mergeRequestHook(h.gl, mr, { action: "open" }))).status).toBe(202);
    await h.queue.idle();

    expectClean(h);
    const status = h.gl.latestStatuses(1, mr.headSha).get(STATUS(BROKEN))!;
    expect(status.status).toBe("failed");
    expect(status.history).toEqual(["pending", "failed"]);
    expect(status.description).toMatch(/^\d+ errors: manifest\.yml:1 name "Broken Crafter!"/);
    expect(status.description!.length).toBeLessThanOrEqual(255);

    const [note] = botNotes();
    const body = note!.body;
    expect(body).toContain("❌ hubgate: 1 of 1 pod bundle needs changes");
    const blob = `${h.hub.webUrl}/-/blob/${mr.headSha}/${BROKEN}/manifest.yml`;
    expect(body).toContain(`](${blob}#L5): version "v1.0" must be plain SemVer`);
    expect(body).toContain(`](${blob}#L6)`);
    expect(body).toMatch(
      /- \[ \] ❌ Field values are in the correct format and pass the sanity check — \d+ problems below/,
    );
    expect(body).toMatch(/- \[ \] ❌ The pod bundle is correctly placed — 1 problem below/);
    expect(body).toContain(
      "- [~] The image builds and passes the three basic usage tests (run, pod, replicas) — not run: fix the problems above first",
    );
    // The contributor's "Broken Crafter!" cannot become a !reference or Markdown.
    expect(body).toContain("Broken Crafter\\!\u200d");
    expect(body).not.toMatch(/Crafter!"/);
  });

  it("fork MR: archive from the fork, statuses on the fork's commit, note on the hub MR, links to the fork", async () => {
    const fork = h.gl.addProject({ id: 2, path: "hub", namespace: "contributor42" });
    h.gl.commit(2, HUB_BASE, { branch: "main" });
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME), {
      sourceProjectId: 2,
      branch: "my-encoder",
      iid: 12,
    });
    expect((await h.post(mergeRequestHook(h.gl, mr, { action: "open" }))).status).toBe(202);
    await h.queue.idle();

    expectClean(h);
    expect(h.gl.callsTo("repository/archive").map((c) => c.path)).toEqual([
      "/projects/2/repository/archive.tar.gz",
    ]);
    expect(h.gl.callsTo("files/raw").every((c) => c.path.startsWith("/projects/1/"))).toBe(true);
    expect(h.gl.latestStatuses(2, mr.headSha).get(STATUS(AWESOME))?.status).toBe("success");
    expect(h.gl.latestStatuses(2, mr.headSha).get(STATUS(AWESOME))?.ref).toBe("my-encoder");
    expect(h.gl.statuses(1)).toEqual([]);
    const notes = botNotes(12);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(`(${fork.webUrl}/-/commit/${mr.headSha})`);
  });

  it("redelivery with the same Idempotency-Key: answered 200 duplicate, no second run, no second note", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    const hook = mergeRequestHook(h.gl, mr, { action: "open" });
    const key = "4d2e1f2a-6c1b-4bb5-9a43-6f1f3f7d2a10";
    expect((await h.post(hook, { "idempotency-key": key })).status).toBe(202);
    await h.queue.idle();
    const second = await h.post(hook, { "idempotency-key": key });
    expect(second).toEqual({
      status: 200,
      body: { status: "duplicate", message: "this delivery was already accepted" },
    });
    await h.queue.idle();

    expectClean(h);
    expect(h.gl.callsTo("repository/archive")).toHaveLength(1);
    expect(h.gl.callsTo("notes/create")).toHaveLength(1);
    expect(botNotes()).toHaveLength(1);
    expect(h.gl.statuses(1, mr.headSha)).toHaveLength(1);
  });

  it("a second run (new commits pushed) edits the same note: exactly one note", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/crafters/BrokenCrafter", BROKEN));
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    const first = mr.headSha;
    const fixed = h.gl.commit(
      1,
      { ...HUB_BASE, ...exampleBundle("executors/encoders/AwesomeEncoder", AWESOME) },
      { branch: "add-bundle" },
    );
    h.gl.pushToMergeRequest(1, 7, fixed);
    expect((await h.post(mergeRequestHook(h.gl, mr, { action: "update", oldrev: first }))).status).toBe(202);
    await h.queue.idle();

    expectClean(h);
    const notes = botNotes();
    expect(notes).toHaveLength(1);
    expect(h.gl.callsTo("notes/create")).toHaveLength(1);
    expect(h.gl.callsTo("notes/edit").length).toBeGreaterThanOrEqual(2);
    expect(notes[0]!.body).toContain(fixed.slice(0, 8));
    expect(notes[0]!.body).toContain("✅ hubgate");
    expect(notes[0]!.body).not.toContain("BrokenCrafter");
    // The older commit keeps its own verdict.
    expect(h.gl.latestStatuses(1, first).get(STATUS(BROKEN))?.status).toBe("failed");
    expect(h.gl.latestStatuses(1, fixed).get(STATUS(AWESOME))?.status).toBe("success");
  });

  it("supersede: a newer commit aborts the older run, whose statuses end canceled", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    const older = mr.headSha;
    const release = h.gl.holdArchive(1, older);
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    // The older run has planned its bundles and is now waiting for its archive.
    await h.gl.whenCalled("repository/archive");

    const newer = h.gl.commit(
      1,
      {
        ...HUB_BASE,
        ...exampleBundle("executors/encoders/AwesomeEncoder", AWESOME),
        [`${AWESOME}/NOTES.md`]: "more\n",
      },
      { branch: "add-bundle" },
    );
    h.gl.pushToMergeRequest(1, 7, newer);
    expect((await h.post(mergeRequestHook(h.gl, mr, { action: "update", oldrev: older }))).status).toBe(202);
    await h.queue.idle();
    release();

    expectClean(h);
    const old = h.gl.latestStatuses(1, older).get(STATUS(AWESOME))!;
    expect(old.status).toBe("canceled");
    expect(old.history).toEqual(["pending", "canceled"]);
    expect(old.description).toMatch(/newer commit/);
    expect(h.gl.latestStatuses(1, newer).get(STATUS(AWESOME))?.status).toBe("success");
    const notes = botNotes();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(newer.slice(0, 8));
    expect(notes[0]!.body).toContain("✅ hubgate");
  });

  it("the same commit again while its run is in flight (reopen): answered duplicate, checked once", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    const release = h.gl.holdArchive(1, mr.headSha);
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.gl.whenCalled("repository/archive", 1);
    const again = await h.post(mergeRequestHook(h.gl, mr, { action: "reopen" }));
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate" } });
    release();
    await h.queue.idle();

    expect(h.gl.violations).toEqual([]);
    expect(h.gl.refusedTransitions).toEqual([]);
    const statuses = h.gl.statuses(1, mr.headSha);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.history).toEqual(["pending", "running", "success"]);
    expect(botNotes()).toHaveLength(1);
  });

  it("fork whose commit statuses hubgate may not set: the note still carries the result", async () => {
    h.gl.addProject({ id: 2, path: "hub", namespace: "contributor42" });
    h.gl.commit(2, HUB_BASE, { branch: "main" });
    h.gl.denyStatuses(2);
    const mr = openMergeRequest(h.gl, exampleBundle("executors/crafters/BrokenCrafter", BROKEN), {
      sourceProjectId: 2,
    });
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();

    expectClean(h);
    // One refused attempt, then no more status writes for this run.
    expect(h.gl.callsTo("statuses/create")).toHaveLength(1);
    expect(botNotes()[0]!.body).toContain("❌ hubgate: 1 of 1 pod bundle needs changes");
  });

  it("GitLab failing on our side: statuses fail as an infrastructure problem, the note says it is not the contributor's fault", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    // Past the client's retries (five answers of 500).
    h.gl.failNext("repository/archive", 500, 5);
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();

    expectClean(h);
    const status = h.gl.latestStatuses(1, mr.headSha).get(STATUS(AWESOME))!;
    expect(status.status).toBe("failed");
    expect(status.description).toMatch(
      /^infrastructure problem on hubgate's side \(not your change\): GitLab API: downloading commit/,
    );
    const body = botNotes()[0]!.body;
    expect(body).toContain("hubgate could not finish checking this merge request");
    expect(body).toContain("not because of your change");
  });

  it("a failure before any bundle is known fails a general status, which the next good run of the commit resolves", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    h.gl.failNext("merge_requests/diffs", 500, 5);
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    expect(h.gl.latestStatuses(1, mr.headSha).get("hubgate")?.status).toBe("failed");

    // A maintainer closes and reopens the MR: same commit, checked again.
    await h.post(mergeRequestHook(h.gl, mr, { action: "reopen" }));
    await h.queue.idle();
    expectClean(h);
    const latest = h.gl.latestStatuses(1, mr.headSha);
    expect(latest.get("hubgate")?.status).toBe("success");
    expect(latest.get(STATUS(AWESOME))?.status).toBe("success");
    expect(botNotes()).toHaveLength(1);
    expect(botNotes()[0]!.body).toContain("✅ hubgate");
  });

  it("a contributor's comment carrying the hidden marker is neither edited nor mistaken for the report", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    const fake = h.gl.addNote(1, 7, {
      body: `${NOTE_MARKER}\n## ✅ hubgate: all fine, merge me`,
      authorId: 42,
    });
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    expectClean(h);
    expect(h.gl.notes(1, 7).find((n) => n.id === fake.id)?.body).toContain("merge me");
    expect(botNotes()).toHaveLength(1);
  });

  it("GitLab rate limiting (429 with retry-after) on a status: waited out and written, nothing lost", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    h.gl.failNext("statuses/create", 429, 1, { "retry-after": "1" });
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    expectClean(h);
    expect(h.gl.latestStatuses(1, mr.headSha).get(STATUS(AWESOME))?.status).toBe("success");
    expect(h.gl.statuses(1, mr.headSha)[0]!.history).toEqual(["pending", "running", "success"]);
    expect(botNotes()).toHaveLength(1);
  });

  it("wrong or missing token: 401 and not a single GitLab API call", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    const hook = mergeRequestHook(h.gl, mr, { action: "open" });
    expect((await h.post(hook, { "x-gitlab-token": "guess" })).status).toBe(401);
    expect((await h.post(hook, { "x-gitlab-token": `${"s3cret-gitlab-webhook-token"}x` })).status).toBe(401);
    expect((await h.post(hook, { "x-gitlab-token": undefined })).status).toBe(401);
    await h.queue.idle();
    expect(h.gl.calls).toEqual([]);
  });

  it("no bundle touched: a successful status and a note that say why; an earlier report is rewritten", async () => {
    const docs = openMergeRequest(
      h.gl,
      { "docs/guide.md": "# How to contribute\n" },
      { iid: 3, branch: "docs" },
    );
    expect((await h.post(mergeRequestHook(h.gl, docs, { action: "open" }))).status).toBe(202);
    await h.queue.idle();
    const [note] = botNotes(3);
    expect(
      h.gl.statuses(1, docs.headSha).map((s) => [s.name, s.status, s.description, s.target_url]),
    ).toEqual([
      [
        "hubgate",
        "success",
        expect.stringContaining("0 bundles checked: no bundle changed"),
        `${h.hub.webUrl}/-/merge_requests/3#note_${note!.id}`,
      ],
    ]);
    expect(note!.body).toContain("## ✅ hubgate: no bundle changed, nothing to check");
    expect(h.gl.callsTo("repository/archive")).toEqual([]);

    // The same MR first touched a bundle, then dropped that change again.
    const mr = openMergeRequest(h.gl, exampleBundle("executors/crafters/BrokenCrafter", BROKEN), {
      iid: 4,
      branch: "oops",
    });
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    const reverted = h.gl.commit(1, { ...HUB_BASE, "docs/guide.md": "# Guide\n" }, { branch: "oops" });
    const before = mr.headSha;
    h.gl.pushToMergeRequest(1, 4, reverted);
    await h.post(mergeRequestHook(h.gl, mr, { action: "update", oldrev: before }));
    await h.queue.idle();

    expectClean(h);
    expect(h.gl.statuses(1, reverted).map((s) => [s.name, s.status])).toEqual([["hubgate", "success"]]);
    const notes = botNotes(4);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain("no bundle changed, nothing to check");
  });

  it("merge: a publish job for the merge commit, with the pre-merge base and a working change source", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    const oldMain = h.hub.branches.get("main")!;
    const mergeSha = h.gl.commit(
      1,
      { ...HUB_BASE, ...exampleBundle("executors/encoders/AwesomeEncoder", AWESOME) },
      {
        branch: "main",
        parents: [oldMain, mr.headSha],
      },
    );
    mr.state = "merged";
    const hook = mergeRequestHook(h.gl, mr, { action: "merge", mergeCommitSha: mergeSha });
    const res = await h.post(hook);
    expect(res.status).toBe(202);
    await h.queue.idle();

    expect(h.publishes).toHaveLength(1);
    const { job, source } = h.publishes[0]!;
    expect(job).toMatchObject({ platform: "gitlab", kind: "publish", headSha: mergeSha, state: "running" });
    expect(job.target).toMatchObject({
      type: "merge",
      projectId: 1,
      iid: 7,
      mergedSha: mergeSha,
      sha: mr.headSha,
    });
    const changed = await source.changedFiles(new AbortController().signal);
    expect(changed.map((c) => c.path)).toContain(`${AWESOME}/manifest.yml`);
    expect(await source.readBaseFile(`${AWESOME}/manifest.yml`)).toBeUndefined();
    expect(source.revision).toEqual({ sourceUrl: h.hub.webUrl, commit: mergeSha, branch: "main" });
    // The source project's namespace, for the hub config's organizations[].owners.
    const sourceUrl = (hook.object_attributes as { source: { web_url: string } }).source.web_url;
    expect(source.owner).toBe(new URL(sourceUrl).pathname.split("/").filter(Boolean).slice(0, -1).join("/"));
    expect(source.owner).toBeTruthy();
    // Only publishing wrote to the merge commit (no image here: the status says it was not published).
    const names = [...h.gl.latestStatuses(1, mergeSha).keys()];
    expect(names).toEqual([`hubgate publish: ${AWESOME}`]);
    // The push GitLab sends for the same merge publishes nothing twice.
    const push = fixture("push-hook") as Record<string, unknown> & { project: Record<string, unknown> };
    Object.assign(push, { ref: "refs/heads/main", before: oldMain, after: mergeSha });
    push.project = { ...push.project, id: 1, default_branch: "main" };
    const again = await h.post(push, { "x-gitlab-event": "Push Hook" });
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(h.publishes).toHaveLength(1);
    expectClean(h);
  });

  it("ignores what needs no check: update without new commits, close, approvals, other events", async () => {
    const mr = openMergeRequest(h.gl, exampleBundle("executors/encoders/AwesomeEncoder", AWESOME));
    for (const action of ["update", "close", "approved", "unapproval"]) {
      const res = await h.post(mergeRequestHook(h.gl, mr, { action }));
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("ignored");
    }
    const note = await h.post({ object_kind: "note" }, { "x-gitlab-event": "Note Hook" });
    expect(note).toMatchObject({ status: 200, body: { status: "ignored" } });
    await h.queue.idle();
    expect(h.gl.calls).toEqual([]);
  });

  it("reads every page of a large merge request's diffs", async () => {
    const docs: Record<string, string> = {};
    for (let i = 0; i < 230; i++) docs[`docs/page-${String(i).padStart(3, "0")}.md`] = `page ${i}\n`;
    // "executors/…" sorts after "docs/…": the bundle is only on the last page.
    const mr = openMergeRequest(h.gl, {
      ...docs,
      ...exampleBundle("executors/encoders/AwesomeEncoder", AWESOME),
    });
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    expectClean(h);
    expect(h.gl.callsTo("merge_requests/diffs").map((c) => c.query.page ?? "1")).toEqual(["1", "2", "3"]);
    expect(h.gl.latestStatuses(1, mr.headSha).get(STATUS(AWESOME))?.status).toBe("success");
  });

  it("a merge request over GitLab's 1,000-file diff limit: the trees are compared instead", async () => {
    const docs: Record<string, string> = {};
    for (let i = 0; i < 1100; i++) docs[`docs/page-${String(i).padStart(4, "0")}.md`] = `page ${i}\n`;
    // Sorted after docs/: beyond the capped diff, found only by comparing the trees.
    const mr = openMergeRequest(h.gl, {
      ...docs,
      ...exampleBundle("executors/encoders/AwesomeEncoder", AWESOME),
    });
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    expectClean(h);
    expect(h.gl.callsTo("merge_requests/diffs")).toHaveLength(10);
    expect(h.gl.callsTo("repository/tree").length).toBeGreaterThan(2);
    expect(h.gl.latestStatuses(1, mr.headSha).get(STATUS(AWESOME))?.status).toBe("success");
  });

  it("push to the default branch publishes, like on GitHub; other branches are ignored", async () => {
    const before = h.hub.branches.get("main")!;
    const after = h.gl.commit(
      1,
      { ...HUB_BASE, ...exampleBundle("executors/encoders/AwesomeEncoder", AWESOME) },
      { branch: "main", parents: [before] },
    );
    const push = fixture("push-hook") as Record<string, unknown> & { project: Record<string, unknown> };
    Object.assign(push, { ref: "refs/heads/main", before, after });
    push.project = { ...push.project, id: 1, web_url: h.hub.webUrl, default_branch: "main" };
    const res = await h.post(push, { "x-gitlab-event": "Push Hook" });
    expect(res.status).toBe(202);
    const other = await h.post({ ...push, ref: "refs/heads/feature" }, { "x-gitlab-event": "Push Hook" });
    expect(other).toMatchObject({ status: 200, body: { status: "ignored" } });
    await h.queue.idle();
    expect(h.publishes.map((p) => p.job.target)).toEqual([
      expect.objectContaining({ type: "push", projectId: 1, branch: "main", before, after }),
    ]);
    // total_commits_count 4 > 2 listed: the payload's file list is incomplete, so the trees are compared.
    expect(h.publishes[0]!.job.target.changedPaths).toBeUndefined();
    const changed = await h.publishes[0]!.source.changedFiles(new AbortController().signal);
    expect(changed.map((c) => c.path)).toContain(`${AWESOME}/manifest.yml`);
    expect([...h.gl.latestStatuses(1, after).keys()]).toEqual([`hubgate publish: ${AWESOME}`]);
  });

  it("refuses bad requests: not JSON, not an object, a payload missing fields, GET", async () => {
    expect((await h.post("{not json")).status).toBe(400);
    expect((await h.post("[1,2]")).status).toBe(400);
    const broken = fixture("merge-request-hook") as { object_attributes: Record<string, unknown> };
    delete broken.object_attributes.last_commit;
    const res = await h.post(broken);
    expect(res.status).toBe(400);
    expect(String(res.body.message)).toContain("last_commit.id");
    const get = await fetch(h.webhookUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const elsewhere = await fetch(h.webhookUrl.replace("/api/gitlab/webhooks", "/somewhere"), {
      method: "POST",
    });
    expect(elsewhere.status).toBe(404);
    await h.queue.idle();
    expect(h.gl.calls).toEqual([]);
  });
});

describe("GitLab webhook: configuration and limits", () => {
  it("answers 503 with the reason when GitLab settings are missing", async () => {
    const h = await startHarness({ env: { GITLAB_URL: "https://gitlab.example.com" } });
    try {
      const res = await h.post({ object_kind: "merge_request" });
      expect(res.status).toBe(503);
      expect(res.body.message).toBe("GitLab integration is off: set GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET");
    } finally {
      await h.close();
    }
  });

  it("refuses a body over the size cap with 400, declared or streamed", async () => {
    const h = await startHarness({ deps: { maxBodyBytes: 1024 } });
    try {
      const big = { object_kind: "merge_request", padding: "x".repeat(4096) };
      const res = await h.post(big);
      expect(res.status).toBe(400);
      expect(String(res.body.message)).toContain("larger than 1024 bytes");
      const streamed = await fetch(h.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-gitlab-event": "Merge Request Hook",
          "x-gitlab-token": "s3cret-gitlab-webhook-token",
        },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(400);
      expect(h.gl.calls).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
