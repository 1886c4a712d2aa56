import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github/index.js";
import { startHubgateServer, type RunningServer } from "../../helpers/hubgate-server.js";
import {
  deliver,
  exampleBundleFiles,
  HEAD_SHA,
  OWNER,
  pullRequestPayload,
  REPO,
  setUpPull,
} from "../../helpers/github-scenario.js";
import { tarGz, zeroBomb } from "../../helpers/hostile-archive.js";

const BOMB = "executors/encoders/BombEncoder";
const AWESOME = "executors/encoders/AwesomeEncoder";

describe("GitHub pull requests with hostile head archives (server over HTTP)", () => {
  let fake: FakeGitHub;
  let server: RunningServer;
  let temp: string;
  const savedTmp = process.env.TMPDIR;
  beforeAll(async () => {
    // The server's temp folders go here, so the test can see that nothing is left behind.
    temp = await mkdtemp(join(tmpdir(), "hubgate-hostile-archive-"));
    process.env.TMPDIR = temp;
    fake = await startFakeGitHub();
  });
  afterAll(async () => {
    await fake.close();
    process.env.TMPDIR = savedTmp;
    await rm(temp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fake.reset();
    server = await startHubgateServer(fake, { images: null });
  });
  afterEach(async () => {
    await server.close();
    expect(fake.violations).toEqual([]);
  });

  it("ends a 2.2 MB archive of 22 zero-filled 99 MB files as a reported failure; the server lives on", async () => {
    const files = exampleBundleFiles(AWESOME, BOMB);
    const pull = setUpPull(fake, { base: {}, head: files });
    fake.setTarball(
      OWNER,
      REPO,
      pull.headSha,
      zeroBomb(
        `${BOMB}/data`,
        22,
        99 * 1024 * 1024,
        Object.entries(files).map(([name, content]) => ({ name, content })),
      ),
    );
    expect((await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull))).status).toBe(
      200,
    );
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run).toMatchObject({ name: `hubgate: ${BOMB}`, status: "completed", conclusion: "failure" });
    expect(run!.annotations.map((a) => [a.path, a.title])).toEqual([
      // 200 MB (one bundle's build context) is reached in the third file.
      [`${BOMB}/data/zeros-2.bin`, "archive/limit"],
    ]);
    expect(run!.output.summary).toContain("could not be unpacked");
    expect(await readdir(temp)).toEqual([]);

    // Still serving: the next pull request is checked as usual.
    fake.reset();
    const next = setUpPull(fake, { base: {}, head: exampleBundleFiles(AWESOME), headSha: "d".repeat(40) });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", next));
    await server.queue.idle();
    expect(fake.checkRuns(OWNER, REPO)[0]).toMatchObject({ conclusion: "success" });
  });

  it("refuses a link out of the tree in the archive and reports it on the bundle", async () => {
    const files = exampleBundleFiles(AWESOME);
    const pull = setUpPull(fake, { base: {}, head: files });
    expect(pull.headSha).toBe(HEAD_SHA);
    fake.setTarball(
      OWNER,
      REPO,
      pull.headSha,
      await tarGz([
        ...Object.entries(files).map(([name, content]) => ({ name: `top/${name}`, content })),
        { name: `top/${AWESOME}/leak`, type: "symlink", linkname: "/etc" },
        { name: `top/${AWESOME}//leak/hubgate-was-here`, content: "x" },
      ]),
    );
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run!.conclusion).toBe("failure");
    expect(run!.annotations.map((a) => [a.path, a.title])).toEqual([
      [`${AWESOME}/leak`, "bundle/symlink-escape"],
    ]);
    expect(await readdir(temp)).toEqual([]);
  });

  it("escapes a hostile folder name in the check run's Markdown: no heading, HTML or code-span break", async () => {
    const evil = "executors/encoders/Evil`x\n\n# Heading <img src=x onerror=alert(1)>";
    const files = exampleBundleFiles(AWESOME, evil);
    files[`${evil}/manifest.yml`] = files[`${evil}/manifest.yml`]!.replace(
      "license: apache-2.0",
      "license: nope",
    );
    const pull = setUpPull(fake, { base: {}, head: files });
    await deliver(server, "pull_request", pullRequestPayload(fake, "opened", pull));
    await server.queue.idle();
    const [run] = fake.checkRuns(OWNER, REPO);
    expect(run!.conclusion).toBe("failure");
    const summary = run!.output.summary!;
    expect(summary).toContain("Evil");
    expect(summary).toContain("%281%29");
    // The name shows only inside code spans (inert), and link targets are fully encoded.
    const outsideCode = summary.replace(/(`+)[^\n]*?\1/g, "").replace(/\]\([^\s)]*\)/g, "]");
    expect(outsideCode).not.toMatch(/<img|Evil/);
    expect(
      summary.split("\n").filter((l) => /^#{1,6} /.test(l) && !/^#### (Why|Smoke|Findings)/.test(l)),
    ).toEqual([]);
    expect(summary.split("\n").filter((l) => l.includes("Heading"))).toHaveLength(1);
  });
});
