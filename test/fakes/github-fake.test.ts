import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { Probot } from "probot";
import tar from "tar-stream";
import { octokitFor, startFakeGitHub, TestOctokit, type FakeGitHub } from "./github/index.js";
import { normaliseSchema } from "./github/openapi-index.js";

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

const OWNER = "hub-org";
const REPO = "pods";
const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);

let fake: FakeGitHub;
let startupMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  fake = await startFakeGitHub();
  startupMs = performance.now() - t0;
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

function annotation(i: number) {
  return {
    path: `pods/p${i}/manifest.yaml`,
    start_line: 1,
    end_line: 1,
    annotation_level: "warning" as const,
    message: `m${i}`,
  };
}

async function status<T>(p: Promise<T>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

async function untar(tgz: Buffer): Promise<Map<string, { type: string; body: string; linkname?: string }>> {
  const out = new Map<string, { type: string; body: string; linkname?: string }>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(entry.header.name, {
        type: entry.header.type,
        body: Buffer.concat(chunks).toString("utf8"),
        ...(entry.header.linkname ? { linkname: entry.header.linkname } : {}),
      });
    }
  })();
  extract.end(gunzipSync(tgz));
  await done;
  return out;
}

describe("fake GitHub: OpenAPI validation", () => {
  test("the spec is loaded once per module registry and reported", () => {
    const stats = fake.specStats;
    console.log(
      `OpenAPI ${stats.version}: ${stats.operations} operations from ${stats.source} in ${stats.ms.toFixed(0)} ms; ` +
        `first startFakeGitHub() took ${startupMs.toFixed(0)} ms`,
    );
    expect(stats.operations).toBeGreaterThan(1000);
  });

  test("a valid checks.create is accepted and recorded", async () => {
    const octokit = octokitFor(fake);
    const { data, status: code } = await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: "hubgate",
      head_sha: HEAD,
      status: "in_progress",
      external_id: "pr-7",
      output: { title: "Checking", summary: "1 bundle", annotations: [annotation(1)] },
      actions: [{ label: "Re-run", description: "Run the checks again", identifier: "rerun" }],
    });
    expect(code).toBe(201);
    expect(data.id).toEqual(expect.any(Number));
    expect(data.status).toBe("in_progress");
    expect(fake.violations).toEqual([]);
    expect(fake.calls).toEqual([
      expect.objectContaining({
        method: "POST",
        path: `/repos/${OWNER}/${REPO}/check-runs`,
        operationId: "checks/create",
        status: 201,
        body: expect.objectContaining({ name: "hubgate", head_sha: HEAD }),
      }),
    ]);
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({
      id: data.id,
      name: "hubgate",
      head_sha: HEAD,
      status: "in_progress",
      external_id: "pr-7",
      annotations: [annotation(1)],
      actions: [{ identifier: "rerun" }],
    });
  });

  test("51 annotations in one request are rejected with 422 and recorded", async () => {
    const octokit = octokitFor(fake);
    const { data } = await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: "hubgate",
      head_sha: HEAD,
    });
    const annotations = Array.from({ length: 51 }, (_, i) => annotation(i));
    const err = await octokit.rest.checks
      .update({
        owner: OWNER,
        repo: REPO,
        check_run_id: data.id,
        output: { title: "t", summary: "s", annotations },
      })
      .catch((e: unknown) => e as { status: number; response: { data: { errors: unknown[] } } });
    expect(err).toMatchObject({ status: 422 });
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]).toMatchObject({
      method: "PATCH",
      operationId: "checks/update",
      errors: [
        expect.objectContaining({ in: "body", keyword: "maxItems", instancePath: "/output/annotations" }),
      ],
    });
    // Nothing was stored for the rejected request.
    expect(fake.checkRuns(OWNER, REPO)[0]?.annotations).toEqual([]);
  });

  test("annotations of successive updates append, like on GitHub", async () => {
    const octokit = octokitFor(fake);
    const { data } = await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: "hubgate",
      head_sha: HEAD,
    });
    const batch = (from: number) => Array.from({ length: 50 }, (_, i) => annotation(from + i));
    for (const from of [0, 50, 100]) {
      await octokit.rest.checks.update({
        owner: OWNER,
        repo: REPO,
        check_run_id: data.id,
        output: { title: "t", summary: `s${from}`, annotations: batch(from) },
      });
    }
    await octokit.rest.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: data.id,
      conclusion: "failure",
    });
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run?.annotations).toHaveLength(150);
    expect(run?.annotations[149]?.message).toBe("m149");
    expect(run).toMatchObject({
      status: "completed",
      conclusion: "failure",
      updates: 4,
      output: { summary: "s100" },
    });
    expect(run?.completed_at).toEqual(expect.any(String));

    const listed = await octokit.paginate(octokit.rest.checks.listAnnotations, {
      owner: OWNER,
      repo: REPO,
      check_run_id: data.id,
      per_page: 100,
    });
    expect(listed).toHaveLength(150);
    const got = await octokit.rest.checks.get({ owner: OWNER, repo: REPO, check_run_id: data.id });
    expect(got.data.output.annotations_count).toBe(150);
    expect(fake.violations).toEqual([]);
  });

  test("a bad conclusion is rejected, and so are the rules the description does not express", async () => {
    const octokit = octokitFor(fake);
    const base = { owner: OWNER, repo: REPO, name: "hubgate", head_sha: HEAD };
    // @ts-expect-error: not a conclusion
    expect(await status(octokit.rest.checks.create({ ...base, conclusion: "bad" }))).toBe(422);
    expect(fake.violations[0]?.errors).toEqual([
      expect.objectContaining({ in: "body", keyword: "enum", instancePath: "/conclusion" }),
    ]);
    expect(await status(octokit.rest.checks.create({ ...base, conclusion: "stale" }))).toBe(422);
    expect(await status(octokit.rest.checks.create({ ...base, status: "completed" }))).toBe(422);
    const multiLineColumns = {
      path: "a",
      start_line: 1,
      end_line: 2,
      start_column: 1,
      end_column: 3,
      annotation_level: "notice" as const,
      message: "x",
    };
    expect(
      await status(
        octokit.rest.checks.create({
          ...base,
          output: { title: "t", summary: "s", annotations: [multiLineColumns] },
        }),
      ),
    ).toBe(422);
    expect(
      await status(
        octokit.rest.checks.create({ ...base, output: { title: "t", summary: "x".repeat(65536) } }),
      ),
    ).toBe(422);
    expect(
      await status(
        octokit.rest.repos.createCommitStatus({
          owner: OWNER,
          repo: REPO,
          sha: HEAD,
          state: "success",
          description: "d".repeat(141),
        }),
      ),
    ).toBe(422);
    expect(
      await status(
        octokit.rest.checks.create({
          ...base,
          output: { title: "t", summary: "s", annotations: [{ ...annotation(1), title: "x".repeat(256) }] },
        }),
      ),
    ).toBe(422);
    const created = await octokit.rest.checks.create(base);
    expect(
      await status(
        octokit.rest.checks.update({
          owner: OWNER,
          repo: REPO,
          check_run_id: created.data.id,
          output: { summary: "no title" },
        }),
      ),
    ).toBe(422);
    expect(fake.violations.map((v) => v.errors.map((e) => `${e.in}:${e.keyword}:${e.instancePath}`))).toEqual(
      [
        ["body:enum:/conclusion"],
        ["rule:enum:/conclusion"],
        ["rule:required:"],
        ["rule:sameLineColumns:/output/annotations/0"],
        ["body:maxLength:/output/summary"],
        ["rule:maxLength:/description"],
        ["rule:maxLength:/output/annotations/0/title"],
        ["rule:required:/output"],
      ],
    );
    expect(fake.checkRuns(OWNER, REPO)).toHaveLength(1); // only the valid create
  });

  test("unknown routes, wrong methods, bad query and path params are violations", async () => {
    const auth = { authorization: "token x" };
    expect((await fetch(`${fake.url}/repos/${OWNER}/${REPO}/no-such-thing`, { headers: auth })).status).toBe(
      404,
    );
    expect((await fetch(`${fake.url}/repos/${OWNER}/${REPO}/check-runs`, { headers: auth })).status).toBe(
      405,
    );
    const badQuery = await fetch(
      `${fake.url}/repos/${OWNER}/${REPO}/commits/${HEAD}/check-runs?filter=newest&perpage=5`,
      {
        headers: auth,
      },
    );
    expect(badQuery.status).toBe(422);
    const badPath = await fetch(`${fake.url}/repos/${OWNER}/${REPO}/check-runs/abc`, { headers: auth });
    expect(badPath.status).toBe(422);
    expect(
      fake.violations.map((v) => [v.method, v.path, v.errors.map((e) => `${e.in}:${e.keyword}`)]),
    ).toEqual([
      ["GET", `/repos/${OWNER}/${REPO}/no-such-thing`, ["route:route"]],
      ["GET", `/repos/${OWNER}/${REPO}/check-runs`, ["route:method"]],
      [
        "GET",
        `/repos/${OWNER}/${REPO}/commits/${HEAD}/check-runs`,
        expect.arrayContaining(["query:enum", "query:additionalProperties"]),
      ],
      ["GET", `/repos/${OWNER}/${REPO}/check-runs/abc`, ["path:type"]],
    ]);
  });

  test("requests without credentials, or with the wrong kind, are violations", async () => {
    expect((await fetch(`${fake.url}/repos/${OWNER}/${REPO}`)).status).toBe(401);
    const appOnly = await fetch(`${fake.url}/app`, { headers: { authorization: "token ghs_x" } });
    expect(appOnly.status).toBe(401);
    expect(fake.violations.map((v) => v.errors[0]?.in)).toEqual(["auth", "auth"]);
  });
});

describe("fake GitHub: pulls, contents, trees, tarballs", () => {
  function pullWith(n: number) {
    fake.setPull(OWNER, REPO, 7, {
      head: { sha: HEAD, ref: "feature" },
      base: { sha: BASE, ref: "main" },
      files: Array.from({ length: n }, (_, i) => ({
        filename: `pods/p${i}/manifest.yaml`,
        status: "added" as const,
      })),
    });
  }

  test("250 files come in 3 pages of 100 with GitHub's Link headers", async () => {
    pullWith(250);
    const url = (page: number) =>
      `${fake.url}/repos/${OWNER}/${REPO}/pulls/7/files?per_page=100&page=${page}`;
    const headers = { authorization: "token x" };
    const pages = await Promise.all([1, 2, 3].map((p) => fetch(url(p), { headers })));
    const bodies = (await Promise.all(pages.map((r) => r.json()))) as Array<Array<{ filename: string }>>;
    expect(bodies.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(bodies[2]?.[49]?.filename).toBe("pods/p249/manifest.yaml");
    expect(pages.map((r) => r.headers.get("link"))).toEqual([
      `<${url(2)}>; rel="next", <${url(3)}>; rel="last"`,
      `<${url(1)}>; rel="prev", <${url(3)}>; rel="next", <${url(3)}>; rel="last", <${url(1)}>; rel="first"`,
      `<${url(2)}>; rel="prev", <${url(1)}>; rel="first"`,
    ]);
    // Octokit's paginate follows the Link headers.
    const octokit = octokitFor(fake);
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
    });
    expect(all).toHaveLength(250);
    expect(fake.calls.filter((c) => c.operationId === "pulls/list-files")).toHaveLength(3 + 9); // 30 per page by default
    expect(fake.violations).toEqual([]);
  });

  test("per_page above 100 is capped like GitHub, and 3500 files are capped at 3000", async () => {
    pullWith(3500);
    const octokit = octokitFor(fake);
    const first = await octokit.rest.pulls.listFiles({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      per_page: 500,
    });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('page=30>; rel="last"');
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      per_page: 100,
    });
    expect(all).toHaveLength(3000);
    expect(all[2999]?.filename).toBe("pods/p2999/manifest.yaml");
    const beyond = await octokit.rest.pulls.listFiles({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      per_page: 100,
      page: 31,
    });
    expect(beyond.data).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  test("pulls.get reflects setPull", async () => {
    fake.setPull(OWNER, REPO, 9, {
      head: { sha: HEAD, ref: "feature", owner: "contributor", repo: "pods-fork" },
      base: { sha: BASE, ref: "main" },
      files: [{ filename: "b.txt", status: "renamed", previous_filename: "a.txt" }],
    });
    const { data } = await octokitFor(fake).rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 9 });
    expect(data).toMatchObject({
      number: 9,
      head: { sha: HEAD, ref: "feature", repo: { full_name: "contributor/pods-fork" } },
      base: { sha: BASE, ref: "main", repo: { full_name: `${OWNER}/${REPO}` } },
      changed_files: 1,
    });
  });

  test("contents: base64 JSON, raw bytes, directories, 404", async () => {
    fake.setCommit(OWNER, REPO, HEAD, {
      "pods/a/manifest.yaml": "name: a\n",
      "pods/a/logo.bin": Buffer.from([0, 255, 1, 2]),
      "pods/a/link.yaml": { symlink: "manifest.yaml" },
    });
    fake.setBranch(OWNER, REPO, "main", HEAD);
    const octokit = octokitFor(fake);
    const { data } = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: "pods/a/manifest.yaml",
      ref: HEAD,
    });
    expect(data).toMatchObject({ type: "file", encoding: "base64", path: "pods/a/manifest.yaml", size: 8 });
    expect(Buffer.from((data as { content: string }).content, "base64").toString()).toBe("name: a\n");

    const viaLink = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: "pods/a/link.yaml",
    });
    expect(viaLink.data).toMatchObject({ type: "file", path: "pods/a/manifest.yaml" });

    const dir = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: "pods/a",
      ref: "main",
    });
    expect((dir.data as Array<{ name: string; type: string }>).map((e) => [e.name, e.type])).toEqual([
      ["link.yaml", "symlink"],
      ["logo.bin", "file"],
      ["manifest.yaml", "file"],
    ]);

    const raw = await fetch(`${fake.url}/repos/${OWNER}/${REPO}/contents/pods/a/logo.bin?ref=${HEAD}`, {
      headers: { authorization: "token x", accept: "application/vnd.github.raw" },
    });
    expect(raw.status).toBe(200);
    expect([...Buffer.from(await raw.arrayBuffer())]).toEqual([0, 255, 1, 2]);

    expect(
      await status(
        octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "pods/nope.yaml", ref: HEAD }),
      ),
    ).toBe(404);
    expect(
      await status(octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "pods/a", ref: BASE })),
    ).toBe(404);
    expect(fake.violations).toEqual([]);
  });

  test("git trees (recursive) and compare use the commit model", async () => {
    fake.setCommit(OWNER, REPO, BASE, {
      "README.md": "hi\n",
      "pods/a/manifest.yaml": "name: a\n",
      "pods/old.txt": "x\n",
    });
    fake.setCommit(OWNER, REPO, HEAD, {
      "README.md": "hi there\n",
      "pods/a/manifest.yaml": "name: a\n",
      "pods/new.txt": "x\n",
      "pods/b/manifest.yaml": "name: b\n",
    });
    const octokit = octokitFor(fake);
    const tree = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: HEAD, recursive: "1" });
    expect(tree.data.truncated).toBe(false);
    expect(tree.data.tree.map((e) => `${e.type} ${e.path}`)).toEqual([
      "blob README.md",
      "tree pods",
      "tree pods/a",
      "blob pods/a/manifest.yaml",
      "tree pods/b",
      "blob pods/b/manifest.yaml",
      "blob pods/new.txt",
    ]);
    // Real git object ids: `printf 'hi there\n' | git hash-object --stdin`.
    expect(tree.data.tree[0]?.sha).toBe("37d4e6c5c48ba0d245164c4e10d5f41140cab980");
    const top = await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: HEAD });
    expect(top.data.tree.map((e) => e.path)).toEqual(["README.md", "pods"]);

    const cmp = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: OWNER,
      repo: REPO,
      basehead: `${BASE}...${HEAD}`,
    });
    expect(cmp.data.files?.map((f) => [f.status, f.filename, f.previous_filename])).toEqual([
      ["modified", "README.md", undefined],
      ["added", "pods/b/manifest.yaml", undefined],
      ["renamed", "pods/new.txt", "pods/old.txt"],
    ]);
    expect(fake.violations).toEqual([]);
  });

  test("compare lists at most 300 files", async () => {
    const many = Object.fromEntries(
      Array.from({ length: 350 }, (_, i) => [`f/${String(i).padStart(3, "0")}.txt`, `${i}\n`]),
    );
    fake.setCommit(OWNER, REPO, BASE, {});
    fake.setCommit(OWNER, REPO, HEAD, many);
    const cmp = await octokitFor(fake).rest.repos.compareCommitsWithBasehead({
      owner: OWNER,
      repo: REPO,
      basehead: `${BASE}...${HEAD}`,
    });
    expect(cmp.data.files).toHaveLength(300);
  });

  test("tarball: 302 to the fake's codeload, a gzip'd tar under owner-repo-sha7/", async () => {
    fake.setCommit(OWNER, REPO, HEAD, {
      "pods/a/manifest.yaml": "name: a\n",
      "pods/a/run.sh": { content: "#!/bin/sh\n", mode: "100755" },
      "pods/a/current": { symlink: "manifest.yaml" },
    });
    fake.setBranch(OWNER, REPO, "main", HEAD);
    const redirect = await fetch(`${fake.url}/repos/${OWNER}/${REPO}/tarball/main`, {
      headers: { authorization: "token x" },
      redirect: "manual",
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toMatch(
      new RegExp(`^${fake.url}/_codeload/${OWNER}/${REPO}/legacy.tar.gz/${HEAD}`),
    );

    // Octokit follows the redirect and hands back the archive's bytes.
    const { data } = await octokitFor(fake).rest.repos.downloadTarballArchive({
      owner: OWNER,
      repo: REPO,
      ref: HEAD,
    });
    const tgz = Buffer.from(data as ArrayBuffer);
    const raw = gunzipSync(tgz);
    expect(raw.subarray(156, 157).toString()).toBe("g"); // pax global header first, as from `git archive`
    expect(raw.subarray(512, 512 + 52).toString()).toBe(`52 comment=${HEAD}\n`);
    const entries = await untar(tgz);
    const root = `${OWNER}-${REPO}-${HEAD.slice(0, 7)}/`;
    expect([...entries.keys()]).toEqual([
      root,
      `${root}pods/`,
      `${root}pods/a/`,
      `${root}pods/a/current`,
      `${root}pods/a/manifest.yaml`,
      `${root}pods/a/run.sh`,
    ]);
    expect(entries.get(`${root}pods/a/manifest.yaml`)?.body).toBe("name: a\n");
    expect(entries.get(`${root}pods/a/current`)).toMatchObject({
      type: "symlink",
      linkname: "manifest.yaml",
    });
    expect(fake.calls.map((c) => c.operationId)).toEqual([
      "repos/download-tarball-archive",
      "repos/download-tarball-archive",
      "codeload",
    ]);
    expect(
      await status(
        octokitFor(fake).rest.repos.downloadTarballArchive({ owner: OWNER, repo: REPO, ref: BASE }),
      ),
    ).toBe(404);
    expect(fake.violations).toEqual([]);
  });
});

describe("fake GitHub: checks listing, statuses, faults, app auth", () => {
  test("checks.listForRef: latest per name, check_name, app_id, filter=all", async () => {
    const octokit = octokitFor(fake);
    for (const name of ["hubgate", "hubgate", "other"]) {
      await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name, head_sha: HEAD });
    }
    await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "hubgate", head_sha: BASE });
    const latest = await octokit.rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: HEAD });
    expect(latest.data.total_count).toBe(2);
    const mine = await octokit.rest.checks.listForRef({
      owner: OWNER,
      repo: REPO,
      ref: HEAD,
      check_name: "hubgate",
      app_id: fake.appId,
      filter: "all",
    });
    expect(mine.data.check_runs.map((r) => r.name)).toEqual(["hubgate", "hubgate"]);
    const otherApp = await octokit.rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: HEAD, app_id: 1 });
    expect(otherApp.data.total_count).toBe(0);
    expect(fake.violations).toEqual([]);
  });

  test("check runs for an unknown SHA are refused once the repository has commits", async () => {
    fake.setCommit(OWNER, REPO, HEAD, { "a.txt": "a" });
    const octokit = octokitFor(fake);
    expect(
      await status(octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "x", head_sha: BASE })),
    ).toBe(422);
    expect(fake.violations[0]?.errors[0]?.message).toContain("No commit found for SHA");
  });

  test("commit statuses are stored", async () => {
    await octokitFor(fake).rest.repos.createCommitStatus({
      owner: OWNER,
      repo: REPO,
      sha: HEAD,
      state: "pending",
      context: "hubgate",
      description: "checking",
    });
    expect(fake.statuses(OWNER, REPO, HEAD)).toEqual([
      expect.objectContaining({ state: "pending", context: "hubgate", description: "checking" }),
    ]);
  });

  test("failNext answers 502 once, then the endpoint works again", async () => {
    const octokit = octokitFor(fake);
    fake.failNext("checks.create", 502, 1);
    const first = await octokit.rest.checks
      .create({ owner: OWNER, repo: REPO, name: "x", head_sha: HEAD })
      .catch((e: unknown) => e as { status: number });
    expect(first).toMatchObject({ status: 502 });
    const second = await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "x", head_sha: HEAD });
    expect(second.status).toBe(201);
    expect(fake.calls.map((c) => c.status)).toEqual([502, 201]);
    fake.failNext("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", 503, 2);
    const update = () =>
      status(
        octokit.rest.checks.update({
          owner: OWNER,
          repo: REPO,
          check_run_id: second.data.id,
          status: "in_progress",
        }),
      );
    expect([await update(), await update(), await update()]).toEqual([503, 503, 200]);
    expect(() => fake.failNext("checks.nope")).toThrow(/unknown operationId/);
    expect(fake.violations).toEqual([]);
  });

  test("Probot authenticates as the app (JWT) and as an installation against the fake", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const probot = new Probot({
      appId: fake.appId,
      privateKey,
      baseUrl: fake.url,
      Octokit: TestOctokit,
      logLevel: "warn",
    });
    const appOctokit = await probot.auth();
    const app = await appOctokit.rest.apps.getAuthenticated();
    expect(app.data?.id).toBe(fake.appId);
    const installation = await appOctokit.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    const octokit = await probot.auth(installation.data.id);
    await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "hubgate", head_sha: HEAD });
    expect(fake.calls.map((c) => c.operationId)).toEqual([
      "apps/get-authenticated",
      "apps/get-repo-installation",
      "apps/create-installation-access-token",
      "checks/create",
    ]);
    expect(fake.issuedTokens).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });
});

describe("fake GitHub: response shapes follow the OpenAPI description", () => {
  // Loads the full description a second time (test-only) to check the fake's answers.
  let responseSchemas: (method: string, template: string, code: number) => Record<string, unknown>;
  beforeAll(() => {
    const file = createRequire(import.meta.url).resolve(
      "@octokit/openapi/generated/api.github.com.deref.json",
    );
    const spec = JSON.parse(readFileSync(file, "utf8")) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
      >;
    };
    responseSchemas = (method, template, code) =>
      spec.paths[template]?.[method.toLowerCase()]?.responses[String(code)]?.content?.["application/json"]
        ?.schema as Record<string, unknown>;
  });

  test("checks, pulls files, contents, trees, statuses", async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const f of ["int32", "int64", "uri-template", "double", "timestamp", "repo.nwo", "binary"])
      ajv.addFormat(f, true);
    const check = (method: string, template: string, code: number, data: unknown) => {
      const schema = responseSchemas(method, template, code);
      expect(schema).toBeDefined();
      const validate = ajv.compile(normaliseSchema(schema) as object);
      const ok = validate(data);
      return ok ? [] : (validate.errors ?? []).map((e) => `${template} ${e.instancePath} ${e.message}`);
    };
    fake.setCommit(OWNER, REPO, HEAD, { "pods/a/manifest.yaml": "name: a\n" });
    fake.setPull(OWNER, REPO, 7, {
      head: { sha: HEAD },
      base: { sha: HEAD },
      files: [{ filename: "pods/a/manifest.yaml", status: "modified", additions: 1, deletions: 1 }],
    });
    const octokit = octokitFor(fake);
    const created = await octokit.rest.checks.create({
      owner: OWNER,
      repo: REPO,
      name: "hubgate",
      head_sha: HEAD,
      output: { title: "t", summary: "s", annotations: [annotation(1)] },
    });
    const problems = [
      ...check("POST", "/repos/{owner}/{repo}/check-runs", 201, created.data),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/commits/{ref}/check-runs",
        200,
        (await octokit.rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: HEAD })).data,
      ),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
        200,
        (
          await octokit.rest.checks.listAnnotations({
            owner: OWNER,
            repo: REPO,
            check_run_id: created.data.id,
          })
        ).data,
      ),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/pulls/{pull_number}/files",
        200,
        (await octokit.rest.pulls.listFiles({ owner: OWNER, repo: REPO, pull_number: 7 })).data,
      ),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/contents/{path}",
        200,
        (
          await octokit.rest.repos.getContent({
            owner: OWNER,
            repo: REPO,
            path: "pods/a/manifest.yaml",
            ref: HEAD,
          })
        ).data,
      ),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/git/trees/{tree_sha}",
        200,
        (await octokit.rest.git.getTree({ owner: OWNER, repo: REPO, tree_sha: HEAD, recursive: "1" })).data,
      ),
      ...check(
        "POST",
        "/repos/{owner}/{repo}/statuses/{sha}",
        201,
        (
          await octokit.rest.repos.createCommitStatus({
            owner: OWNER,
            repo: REPO,
            sha: HEAD,
            state: "success",
          })
        ).data,
      ),
    ];
    expect(problems).toEqual([]);
  });

  test("pulls.get, compare, repos.get, check run update/get, app and installation endpoints", async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const f of ["int32", "int64", "uri-template", "double", "timestamp", "repo.nwo", "binary"])
      ajv.addFormat(f, true);
    const check = (method: string, template: string, code: number, data: unknown) => {
      const validate = ajv.compile(normaliseSchema(responseSchemas(method, template, code)) as object);
      return validate(data)
        ? []
        : (validate.errors ?? []).map((e) => `${template} ${e.instancePath} ${e.message}`);
    };
    fake.setCommit(OWNER, REPO, BASE, { "x.txt": "1" });
    fake.setCommit(OWNER, REPO, HEAD, { "x.txt": "2" });
    fake.setPull(OWNER, REPO, 1, {
      head: { sha: HEAD },
      base: { sha: BASE },
      files: [{ filename: "x.txt", status: "modified" }],
    });
    const octokit = octokitFor(fake);
    const created = await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "n", head_sha: HEAD });
    // An unsigned JWT: the fake checks its claims, not its signature.
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const jwt = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat: now - 60, exp: now + 540, iss: String(fake.appId) })}.sig`;
    const asApp = new TestOctokit({ baseUrl: fake.url });
    const rawApp = async (route: string, params: Record<string, unknown> = {}) =>
      (await asApp.request(route, { ...params, headers: { authorization: `bearer ${jwt}` } })).data;
    const problems = [
      ...check(
        "GET",
        "/repos/{owner}/{repo}/pulls/{pull_number}",
        200,
        (await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 1 })).data,
      ),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/compare/{basehead}",
        200,
        (
          await octokit.rest.repos.compareCommitsWithBasehead({
            owner: OWNER,
            repo: REPO,
            basehead: `${BASE}...${HEAD}`,
          })
        ).data,
      ),
      ...check(
        "GET",
        "/repos/{owner}/{repo}",
        200,
        (await octokit.rest.repos.get({ owner: OWNER, repo: REPO })).data,
      ),
      ...check(
        "PATCH",
        "/repos/{owner}/{repo}/check-runs/{check_run_id}",
        200,
        (
          await octokit.rest.checks.update({
            owner: OWNER,
            repo: REPO,
            check_run_id: created.data.id,
            conclusion: "success",
          })
        ).data,
      ),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/check-runs/{check_run_id}",
        200,
        (await octokit.rest.checks.get({ owner: OWNER, repo: REPO, check_run_id: created.data.id })).data,
      ),
      ...check("GET", "/app", 200, await rawApp("GET /app")),
      ...check(
        "GET",
        "/repos/{owner}/{repo}/installation",
        200,
        await rawApp("GET /repos/{owner}/{repo}/installation", { owner: OWNER, repo: REPO }),
      ),
      ...check(
        "POST",
        "/app/installations/{installation_id}/access_tokens",
        201,
        await rawApp("POST /app/installations/{installation_id}/access_tokens", {
          installation_id: fake.installationId,
        }),
      ),
    ];
    expect(problems).toEqual([]);
    expect(fake.violations).toEqual([]);
  });
});
