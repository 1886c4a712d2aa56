/**
 * The dispatcher with pipeline-level fakes: a scripted image pipeline and a recording
 * platform (no Docker, no GitHub). Dedupe, supersede, queueing, retries and restart recovery.
 */
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { Dispatcher } from "../../src/pipeline/dispatch.js";
import { EmbeddedJobQueue } from "../../src/pipeline/embedded-job-queue.js";
import { silentLogger } from "../../src/pipeline/logger.js";
import type { JobSpec } from "../../src/ports/job-queue.js";
import { openMemoryDatabase, type Db } from "../../src/store/database.js";
import { SqliteJobStore } from "../../src/store/job-store.js";
import { recordingPlatform, scriptedImagePipeline, type RecordingPlatform } from "../fakes/pipeline/index.js";
import { manifestValidator } from "../helpers/manifest-validator.js";

const BUNDLE = "executors/encoders/AwesomeEncoder";
const MANIFEST =
  "name: AwesomeEncoder\nkind: encoder\ntype: pod\ndescription: test\nversion: 0.0.1\nlicense: mit\n";

function tarball(files: Record<string, string>): () => Promise<Readable> {
  return async () => {
    const p = pack();
    for (const [name, text] of Object.entries(files)) p.entry({ name: `repo-abc/${name}` }, text);
    p.finalize();
    return p.pipe(createGzip()) as unknown as Readable;
  };
}

const spec = (n: number, sha: string, over: Partial<JobSpec> = {}): JobSpec => ({
  platform: "fake",
  kind: "check",
  key: `fake#${n}`,
  headSha: sha,
  target: { n },
  ...over,
});

function setUp(db: Db, options: { hold?: boolean; concurrency?: number } = {}) {
  const platform: RecordingPlatform = recordingPlatform("fake", {
    changes: [
      { path: `${BUNDLE}/manifest.yml`, status: "added" },
      { path: `${BUNDLE}/Dockerfile`, status: "added" },
    ],
    head: tarball({ [`${BUNDLE}/manifest.yml`]: MANIFEST, [`${BUNDLE}/Dockerfile`]: "FROM scratch\n" }),
  });
  const images = scriptedImagePipeline({}, { hold: options.hold });
  const store = new SqliteJobStore(db);
  const queue = new EmbeddedJobQueue(store, {
    concurrency: options.concurrency ?? 1,
    logger: silentLogger,
    pollMs: 20,
  });
  const dispatcher = new Dispatcher({
    validator: manifestValidator(),
    images,
    jobs: 1,
    logger: silentLogger,
    queue,
    store,
    platforms: [platform],
  });
  return { platform, images, store, queue, dispatcher };
}

const types = (p: RecordingPlatform, job: number) => p.calls.filter((c) => c.job === job).map((c) => c.type);

describe("dispatch", () => {
  it("runs queued jobs one after another and reports each in full", async () => {
    const s = setUp(openMemoryDatabase());
    await s.queue.start(s.dispatcher.run);
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await s.dispatcher.accept(spec(n, `${n}`.repeat(40)))).job.id);
    await s.queue.idle();
    for (const id of ids) {
      const t = types(s.platform, id);
      expect(t[0]).toBe("planned");
      expect(t).toContain("staticDone");
      expect(t.slice(-2)).toEqual(["bundleDone", "finished"]);
    }
    expect(await s.store.counts()).toEqual({ queued: 0, running: 0, cancel: 0, done: 3 });
    await s.queue.close(0);
  });

  it("dedupes a redelivery and a second event for the same commit", async () => {
    const s = setUp(openMemoryDatabase());
    await s.queue.start(s.dispatcher.run);
    const first = await s.dispatcher.accept(spec(1, "a".repeat(40), { dedupe: "d1" }));
    expect((await s.dispatcher.accept(spec(1, "a".repeat(40), { dedupe: "d1" }))).status).toBe("duplicate");
    expect((await s.dispatcher.accept(spec(1, "a".repeat(40), { dedupe: "d2" }))).status).toBe("duplicate");
    await s.queue.idle();
    expect(new Set(s.platform.calls.map((c) => c.job))).toEqual(new Set([first.job.id]));
    await s.queue.close(0);
  });

  it("a newer commit supersedes a running check: the older one reports cancelled, the newer one its result", async () => {
    const s = setUp(openMemoryDatabase(), { hold: true });
    await s.queue.start(s.dispatcher.run);
    const old = await s.dispatcher.accept(spec(1, "a".repeat(40)));
    await s.images.waitForStarts(1);
    const newer = await s.dispatcher.accept(spec(1, "b".repeat(40)));
    await s.images.waitForStarts(2);
    s.images.release();
    await s.queue.idle();
    expect(types(s.platform, old.job.id)).toContain("cancelled");
    expect(types(s.platform, old.job.id)).not.toContain("bundleDone");
    expect(types(s.platform, newer.job.id).slice(-2)).toEqual(["bundleDone", "finished"]);
    await s.queue.close(0);
  });

  it("a report that fails keeps the job; it is run again and then finished", async () => {
    const s = setUp(openMemoryDatabase());
    s.platform.failNext("bundleDone");
    s.platform.failNext("infrastructureFailure");
    await s.queue.start(s.dispatcher.run);
    const { job } = await s.dispatcher.accept(spec(1, "a".repeat(40)));
    await s.queue.idle();
    const kept = await s.store.get(job.id);
    expect(kept).toMatchObject({ state: "queued", attempts: 1 });
    expect(kept!.lastError).toContain("platform down");
    // The backoff is the store's business: make it due now, as time passing would.
    s.store["db"].prepare("UPDATE jobs SET not_before = 0").run();
    await s.queue.idle();
    expect(await s.store.get(job.id)).toMatchObject({ state: "done", attempts: 2 });
    // The second life closes whatever the first one left open.
    expect(types(s.platform, job.id).slice(-3)).toEqual(["bundleDone", "finished", "closeStale"]);
    await s.queue.close(0);
  });

  it("shutdown: a running job is put back, not cancelled; the next start runs it to the end", async () => {
    const db = openMemoryDatabase();
    const s = setUp(db, { hold: true });
    await s.queue.start(s.dispatcher.run);
    const { job } = await s.dispatcher.accept(spec(1, "a".repeat(40)));
    const queued = await s.dispatcher.accept(spec(2, "b".repeat(40)));
    await s.images.waitForStarts(1);
    await s.queue.close(0);
    expect(types(s.platform, job.id)).not.toContain("cancelled");
    expect(await s.store.get(job.id)).toMatchObject({ state: "queued" });
    expect(await s.store.get(queued.job.id)).toMatchObject({ state: "queued", attempts: 0 });

    const again = setUp(db);
    await again.queue.start(again.dispatcher.run);
    await again.queue.idle();
    expect(types(again.platform, job.id).slice(-3)).toEqual(["bundleDone", "finished", "closeStale"]);
    expect(types(again.platform, queued.job.id).slice(-2)).toEqual(["bundleDone", "finished"]);
    expect(await again.store.counts()).toEqual({ queued: 0, running: 0, cancel: 0, done: 2 });
    await again.queue.close(0);
  });

  it("after a crash, a superseded job that never closed its runs is abandoned at start", async () => {
    const db = openMemoryDatabase();
    const store = new SqliteJobStore(db);
    const old = await store.enqueue(spec(1, "a".repeat(40)));
    await store.claim("host/999999/dead", 1);
    await store.enqueue(spec(1, "b".repeat(40))); // supersedes it while its owner is dead
    const s = setUp(db);
    await s.queue.start(s.dispatcher.run);
    await s.queue.idle();
    expect(types(s.platform, old.job.id)).toEqual(["abandon"]);
    expect(s.platform.calls.find((c) => c.type === "abandon")).toMatchObject({ reason: "superseded" });
    expect(await s.store.counts()).toEqual({ queued: 0, running: 0, cancel: 0, done: 2 });
    await s.queue.close(0);
  });
});
