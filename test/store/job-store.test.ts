import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobSpec } from "../../src/ports/job-queue.js";
import { openDatabase, openMemoryDatabase } from "../../src/store/database.js";
import { SqliteJobStore } from "../../src/store/job-store.js";

const spec = (over: Partial<JobSpec> = {}): JobSpec => ({
  platform: "github",
  kind: "check",
  key: "github:o/r#7",
  headSha: "a".repeat(40),
  target: { number: 7 },
  ...over,
});

describe("SQLite job store", () => {
  let clock = 1_000;
  const store = () => new SqliteJobStore(openMemoryDatabase(), { now: () => clock });

  it("drops a second job with the same dedupe value and a live check of the same commit", async () => {
    const s = store();
    const first = await s.enqueue(spec({ dedupe: "delivery-1" }));
    expect(first.status).toBe("queued");
    expect((await s.enqueue(spec({ dedupe: "delivery-1", headSha: "b".repeat(40) }))).status).toBe(
      "duplicate",
    );
    expect((await s.enqueue(spec({ dedupe: "delivery-2" }))).status).toBe("duplicate");
    // A re-run request is always a fresh run, and supersedes the live one.
    const retry = await s.enqueue(spec({ kind: "retry", dedupe: "delivery-3" }));
    expect(retry.status).toBe("queued");
    if (retry.status !== "queued" || first.status !== "queued") throw new Error("unreachable");
    expect(retry.superseded.map((j) => j.id)).toEqual([first.job.id]);
    expect((await s.get(first.job.id))?.state).toBe("cancel");
  });

  it("supersedes queued and running checks of the same key, never publishes", async () => {
    const s = store();
    const publish = await s.enqueue(spec({ kind: "publish", key: "publish:github:o/r@x", headSha: "x" }));
    const one = await s.enqueue(spec());
    const [claimed] = await s.claim("w1", 1);
    expect(claimed?.kind).toBe("publish");
    const [running] = await s.claim("w1", 1);
    expect(running?.id).toBe(one.job.id);
    expect(running?.state).toBe("running");
    const two = await s.enqueue(spec({ headSha: "b".repeat(40) }));
    expect(two.status === "queued" && two.superseded.map((j) => j.id)).toEqual([one.job.id]);
    // The superseded job is still held by its live runner, so it is not handed out again.
    expect((await s.claim("w2", 5)).map((j) => j.id)).toEqual([two.job.id]);
    expect((await s.get(publish.job.id))?.state).toBe("running");
    expect(await s.counts()).toEqual({ queued: 0, running: 2, cancel: 1, done: 0 });
  });

  it("hands out cancellations first, retries later after a failed report, finishes only when reported", async () => {
    const s = store();
    const a = await s.enqueue(spec());
    await s.enqueue(spec({ headSha: "b".repeat(40) })); // a → cancel
    const [first, second] = await s.claim("w", 5);
    expect(first?.id).toBe(a.job.id);
    expect(first?.state).toBe("cancel");
    await s.finish(second!.id, { status: "retry", error: "GitHub 502", delayMs: 5_000 });
    expect(await s.claim("w", 5)).toEqual([]);
    clock += 5_000;
    const [again] = await s.claim("w", 5);
    expect(again).toMatchObject({ id: second!.id, attempts: 2, lastError: "GitHub 502" });
    await s.finish(again!.id, { status: "done" });
    await s.finish(first!.id, { status: "done" });
    expect(await s.counts()).toEqual({ queued: 0, running: 0, cancel: 0, done: 2 });
  });

  it("survives a crash: jobs of a dead owner come back, a live owner's stay", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hubgate-jobs-"));
    try {
      const s1 = new SqliteJobStore(openDatabase(dir));
      const a = await s1.enqueue(spec({ key: "k1" }));
      const b = await s1.enqueue(spec({ key: "k2" }));
      await s1.enqueue(spec({ key: "k3" }));
      await s1.claim("dead", 1);
      await s1.claim("alive", 1);
      const s2 = new SqliteJobStore(openDatabase(dir));
      const recovered = await s2.recover((owner) => owner === "alive");
      expect(recovered.map((j) => j.id)).toEqual([a.job.id]);
      expect((await s2.get(a.job.id))?.state).toBe("queued");
      expect((await s2.get(b.job.id))?.state).toBe("running");
      expect(await s2.counts()).toEqual({ queued: 2, running: 1, cancel: 0, done: 0 });
      await s2.release(b.job.id, "shutting down");
      expect(await s2.get(b.job.id)).toMatchObject({ state: "queued", lastError: "shutting down" });
      await s2.probe();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
