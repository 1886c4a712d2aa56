import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zeroBomb } from "../../helpers/hostile-archive.js";
import {
  AWESOME,
  exampleBundle,
  mergeRequestHook,
  openMergeRequest,
  startHarness,
  type Harness,
} from "./gitlab-harness.js";

/** The zip bomb of the report through the GitLab route: a reported failure, the server lives on. */
describe("GitLab merge requests with a hostile archive (server over HTTP)", () => {
  let h: Harness;
  let temp: string;
  const savedTmp = process.env.TMPDIR;
  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), "hubgate-gitlab-bomb-"));
    process.env.TMPDIR = temp;
  });
  afterAll(async () => {
    process.env.TMPDIR = savedTmp;
    await rm(temp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.close());

  it("fails the bundle's status with archive/limit and leaves no temp files", async () => {
    const files = exampleBundle(AWESOME, AWESOME);
    const mr = openMergeRequest(h.gl, files);
    h.gl.setArchive(
      1,
      mr.headSha,
      zeroBomb(
        `${AWESOME}/data`,
        22,
        99 * 1024 * 1024,
        Object.entries(files).map(([name, content]) => ({ name, content: String(content) })),
      ),
    );
    await h.post(mergeRequestHook(h.gl, mr, { action: "open" }));
    await h.queue.idle();
    expect(h.gl.violations).toEqual([]);
    const status = h.gl.latestStatuses(1, mr.headSha).get(`hubgate: ${AWESOME}`);
    expect(status?.status).toBe("failed");
    expect(status?.description).toContain("could not be unpacked");
    const note = h.gl.notes(1, 7).find((n) => n.authorId === h.gl.bot.id)!;
    expect(note.body).toContain("archive/limit");
    expect(await readdir(temp)).toEqual([]);
  });
});
