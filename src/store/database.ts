import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

/**
 * The embedded store: one SQLite file, `$HUBGATE_DATA_DIR/hubgate.db`, shared by every part
 * that keeps durable state (jobs, publish records, catalogue, organisations). better-sqlite3
 * 12.x (13.x needs Node 22 and crashes on 20). WAL mode: one writer and many readers, also
 * across processes (the CLI may read while the server writes).
 *
 * Each part owns its tables and declares them with `ensureSchema(db, part, steps)`: steps are
 * applied once, in order, and recorded per part, so parts evolve their tables independently.
 */
export type Db = Database.Database;

export const DATABASE_FILE = "hubgate.db";

export interface OpenOptions {
  /** Open read-only; a missing file is an error the caller turns into "nothing recorded". */
  readOnly?: boolean;
}

export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  const readOnly = options.readOnly ?? false;
  if (!readOnly) mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: readOnly, fileMustExist: readOnly });
  // Wait for another process's write instead of failing at once with SQLITE_BUSY.
  db.pragma("busy_timeout = 5000");
  if (!readOnly) {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
  }
  return db;
}

/** A database that lives only in memory (tests, dry runs). */
export function openMemoryDatabase(): Db {
  const db = new Database(":memory:");
  db.pragma("foreign_keys = ON");
  return db;
}

/**
 * Apply the schema steps of `part` that this database has not seen yet, each in its own
 * transaction together with its bookkeeping row, so a crash never leaves a step half applied.
 */
export function ensureSchema(db: Db, part: string, steps: readonly string[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_steps (
    part TEXT NOT NULL, step INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (part, step))`);
  const applied = db.prepare("SELECT COUNT(*) AS n FROM schema_steps WHERE part = ?").get(part) as {
    n: number;
  };
  const record = db.prepare("INSERT INTO schema_steps (part, step, applied_at) VALUES (?, ?, ?)");
  for (let step = applied.n; step < steps.length; step++) {
    db.transaction(() => {
      db.exec(steps[step]!);
      record.run(part, step, new Date().toISOString());
    })();
  }
}
