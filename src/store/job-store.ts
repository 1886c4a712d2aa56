import type { EnqueueOutcome, Job, JobOutcome, JobSpec, JobState, JobStore } from "../ports/job-queue.js";
import { ensureSchema, type Db } from "./database.js";

/**
 * Jobs in the embedded store (`$HUBGATE_DATA_DIR/hubgate.db`). Each method is one SQLite
 * transaction, committed before it returns: a webhook is acknowledged only after its job is
 * on disk, and a crash at any point leaves rows that `recover()` understands.
 */
const SCHEMA_STEPS = [
  `CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    head_sha TEXT NOT NULL,
    dedupe TEXT,
    target TEXT NOT NULL,
    delivery TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    last_error TEXT,
    superseded_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe) WHERE dedupe IS NOT NULL;
  CREATE INDEX jobs_live ON jobs (state, not_before, id);
  CREATE INDEX jobs_key ON jobs (key, state);`,
];

interface Row {
  id: number;
  platform: string;
  kind: string;
  key: string;
  head_sha: string;
  dedupe: string | null;
  target: string;
  delivery: string | null;
  state: string;
  attempts: number;
  not_before: number;
  owner: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const toJob = (r: Row): Job => ({
  id: r.id,
  platform: r.platform,
  kind: r.kind as Job["kind"],
  key: r.key,
  headSha: r.head_sha,
  ...(r.dedupe !== null ? { dedupe: r.dedupe } : {}),
  target: JSON.parse(r.target) as Record<string, unknown>,
  ...(r.delivery !== null ? { delivery: r.delivery } : {}),
  state: r.state as JobState,
  attempts: r.attempts,
  notBefore: r.not_before,
  ...(r.owner !== null ? { owner: r.owner } : {}),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Errors kept per job are for operators; a platform's message can be long. */
const clip = (text: string) => (text.length > 2000 ? `${text.slice(0, 2000)}…` : text);

export class SqliteJobStore implements JobStore {
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    ensureSchema(db, "jobs", SCHEMA_STEPS);
  }

  enqueue(spec: JobSpec): Promise<EnqueueOutcome> {
    return Promise.resolve(this.enqueueSync(spec));
  }

  enqueueSync(spec: JobSpec): EnqueueOutcome {
    return this.db.transaction((): EnqueueOutcome => {
      if (spec.dedupe !== undefined) {
        const seen = this.db.prepare("SELECT * FROM jobs WHERE dedupe = ?").get(spec.dedupe) as
          Row | undefined;
        if (seen) return { status: "duplicate", job: toJob(seen) };
      }
      if (spec.kind === "check") {
        const live = this.db
          .prepare(
            `SELECT * FROM jobs WHERE key = ? AND head_sha = ? AND kind != 'publish'
             AND state IN ('queued','running') ORDER BY id DESC LIMIT 1`,
          )
          .get(spec.key, spec.headSha) as Row | undefined;
        if (live) return { status: "duplicate", job: toJob(live) };
      }
      const now = this.now();
      const superseded: Job[] = [];
      if (spec.kind !== "publish") {
        const older = this.db
          .prepare("SELECT * FROM jobs WHERE key = ? AND kind != 'publish' AND state IN ('queued','running')")
          .all(spec.key) as Row[];
        const mark = this.db.prepare("UPDATE jobs SET state = 'cancel', updated_at = ? WHERE id = ?");
        for (const row of older) {
          mark.run(now, row.id);
          superseded.push(toJob({ ...row, state: "cancel", updated_at: now }));
        }
        // Done ones too: their result no longer stands for the pull request.
        this.db
          .prepare(
            "UPDATE jobs SET superseded_by = -1 WHERE key = ? AND kind != 'publish' AND superseded_by IS NULL",
          )
          .run(spec.key);
      }
      const info = this.db
        .prepare(
          `INSERT INTO jobs (platform, kind, key, head_sha, dedupe, target, delivery, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
        )
        .run(
          spec.platform,
          spec.kind,
          spec.key,
          spec.headSha,
          spec.dedupe ?? null,
          JSON.stringify(spec.target),
          spec.delivery ?? null,
          now,
          now,
        );
      this.db.prepare("UPDATE jobs SET superseded_by = ? WHERE superseded_by = -1").run(info.lastInsertRowid);
      const job = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(info.lastInsertRowid) as Row;
      return { status: "queued", job: toJob(job), superseded };
    })();
  }

  claim(owner: string, limit: number): Promise<Job[]> {
    if (limit <= 0) return Promise.resolve([]);
    return Promise.resolve(
      this.db.transaction(() => {
        const now = this.now();
        // Closing what a superseded job showed is quick and unblocks the contributor: first.
        const rows = this.db
          .prepare(
            `SELECT * FROM jobs WHERE state IN ('cancel','queued') AND owner IS NULL AND not_before <= ?
             ORDER BY CASE state WHEN 'cancel' THEN 0 ELSE 1 END, id LIMIT ?`,
          )
          .all(now, limit) as Row[];
        const take = this.db.prepare(
          "UPDATE jobs SET state = CASE state WHEN 'cancel' THEN 'cancel' ELSE 'running' END, owner = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
        );
        return rows.map((row) => {
          take.run(owner, now, row.id);
          return toJob({
            ...row,
            state: row.state === "cancel" ? "cancel" : "running",
            owner,
            attempts: row.attempts + 1,
            updated_at: now,
          });
        });
      })(),
    );
  }

  finish(id: number, outcome: JobOutcome): Promise<void> {
    const now = this.now();
    if (outcome.status === "done") {
      this.db
        .prepare(
          "UPDATE jobs SET state = 'done', owner = NULL, last_error = NULL, updated_at = ? WHERE id = ?",
        )
        .run(now, id);
    } else {
      // A superseded job stays `cancel`: it still owes its cancellation, not a full run.
      this.db
        .prepare(
          `UPDATE jobs SET state = CASE state WHEN 'cancel' THEN 'cancel' ELSE 'queued' END,
             owner = NULL, last_error = ?, not_before = ?, updated_at = ? WHERE id = ?`,
        )
        .run(clip(outcome.error), now + Math.max(0, outcome.delayMs), now, id);
    }
    return Promise.resolve();
  }

  release(id: number, reason: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE jobs SET state = CASE state WHEN 'running' THEN 'queued' ELSE state END,
           owner = NULL, last_error = ?, updated_at = ? WHERE id = ? AND state != 'done'`,
      )
      .run(clip(reason), this.now(), id);
    return Promise.resolve();
  }

  get(id: number): Promise<Job | undefined> {
    const row = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as Row | undefined;
    return Promise.resolve(row ? toJob(row) : undefined);
  }

  recover(isAlive: (owner: string) => boolean): Promise<Job[]> {
    return Promise.resolve(
      this.db.transaction(() => {
        const rows = this.db
          .prepare("SELECT * FROM jobs WHERE owner IS NOT NULL AND state IN ('running','cancel')")
          .all() as Row[];
        const back = this.db.prepare(
          `UPDATE jobs SET state = CASE state WHEN 'running' THEN 'queued' ELSE state END,
             owner = NULL, not_before = 0, last_error = ?, updated_at = ? WHERE id = ?`,
        );
        const now = this.now();
        const recovered: Job[] = [];
        for (const row of rows) {
          if (isAlive(row.owner!)) continue;
          back.run(`interrupted: worker ${row.owner} stopped`, now, row.id);
          recovered.push(
            toJob({ ...row, state: row.state === "running" ? "queued" : "cancel", owner: null }),
          );
        }
        return recovered;
      })(),
    );
  }

  hasLiveJob(key: string, headSha: string, exceptId?: number): Promise<boolean> {
    const row = this.db
      .prepare(
        "SELECT 1 FROM jobs WHERE key = ? AND head_sha = ? AND state IN ('queued','running') AND id != ? LIMIT 1",
      )
      .get(key, headSha, exceptId ?? -1);
    return Promise.resolve(row !== undefined);
  }

  counts(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { queued: 0, running: 0, cancel: 0, done: 0 };
    for (const row of this.db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as Array<{
      state: JobState;
      n: number;
    }>)
      counts[row.state] = row.n;
    return Promise.resolve(counts);
  }

  prune(olderThanMs: number): Promise<number> {
    // Keep the dedupe keys of publishes: a late redelivery of a merge must not publish again.
    const info = this.db
      .prepare("DELETE FROM jobs WHERE state = 'done' AND kind != 'publish' AND updated_at < ?")
      .run(this.now() - olderThanMs);
    return Promise.resolve(info.changes);
  }

  probe(): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare("UPDATE jobs SET updated_at = updated_at WHERE id = -1").run();
    })();
    return Promise.resolve();
  }
}
