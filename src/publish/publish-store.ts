import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import initSqlJs, { type Database, type SqlJsStatic } from "sql.js";

/**
 * What hubgate published, where and from which commit: one row per (repository, version),
 * in SQLite (sql.js, compiled to wasm: no native build) persisted to
 * `$HUBGATE_DATA_DIR/publish.sqlite`. sql.js keeps the database in memory, so every change
 * is written out whole, to a temporary file renamed over the old one: a crash leaves either
 * the old or the new file, never half of one.
 *
 * One process owns the file. Writes within it are serialised here; two processes writing
 * the same data dir would each overwrite the other's rows.
 */
export interface PublishRecord {
  name: string;
  kind: string;
  version: string;
  /** Registry-prefixed repository, e.g. `registry.example.com/jinahub/pod.encoder.x`. */
  repository: string;
  /** Manifest digest in the registry. */
  digest: string;
  /** `docker image inspect .Id` = the manifest's config digest: the content identity. */
  imageId: string;
  sourceRepository?: string;
  commit?: string;
  /** ISO 8601. */
  publishedAt: string;
}

export const STORE_FILE = "publish.sqlite";
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS published (
  repository TEXT NOT NULL,
  version TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  digest TEXT NOT NULL,
  image_id TEXT NOT NULL,
  source_repository TEXT,
  commit_sha TEXT,
  published_at TEXT NOT NULL,
  PRIMARY KEY (repository, version)
);`;

const COLUMNS =
  "repository, version, name, kind, digest, image_id, source_repository, commit_sha, published_at";

let sqlJs: Promise<SqlJsStatic> | undefined;
/** Loaded on first use only: compiling the wasm module costs time a static check never needs. */
function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

export class PublishStoreError extends Error {
  override readonly name = "PublishStoreError";
}

export class PublishStore {
  private writes: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: Database,
    readonly path: string,
    readonly readOnly: boolean,
  ) {}

  /**
   * Open (or create) the store in `dataDir`, creating the folder as needed. Read-only (dry
   * runs, listing) creates nothing: a missing file reads as an empty store.
   */
  static async open(dataDir: string, options: { readOnly?: boolean } = {}): Promise<PublishStore> {
    const SQL = await loadSqlJs();
    const path = join(dataDir, STORE_FILE);
    const readOnly = options.readOnly ?? false;
    if (!readOnly) await mkdir(dataDir, { recursive: true });
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw new PublishStoreError(`cannot read the publish records at ${path}: ${error.message}`);
    });
    let db: Database;
    try {
      db = new SQL.Database(bytes);
      db.run(SCHEMA);
      const version = Number(db.exec("PRAGMA user_version")[0]?.values[0]?.[0] ?? 0);
      if (version > SCHEMA_VERSION)
        throw new PublishStoreError(
          `${path} was written by a newer hubgate (schema ${version}); upgrade hubgate to read it`,
        );
      if (!readOnly) db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    } catch (error) {
      if (error instanceof PublishStoreError) throw error;
      throw new PublishStoreError(`${path} is not a readable publish store: ${(error as Error).message}`);
    }
    const store = new PublishStore(db, path, readOnly);
    if (!bytes && !readOnly) await store.persist();
    return store;
  }

  /** Insert or replace the row of `record.repository` + `record.version`; resolves once it is on disk. */
  record(record: PublishRecord): Promise<void> {
    this.assertOpen();
    if (this.readOnly) return Promise.reject(new PublishStoreError(`${this.path} is open read-only`));
    this.db.run(
      `INSERT INTO published (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repository, version) DO UPDATE SET
         name = excluded.name, kind = excluded.kind, digest = excluded.digest,
         image_id = excluded.image_id, source_repository = excluded.source_repository,
         commit_sha = excluded.commit_sha, published_at = excluded.published_at`,
      [
        record.repository,
        record.version,
        record.name,
        record.kind,
        record.digest,
        record.imageId,
        record.sourceRepository ?? null,
        record.commit ?? null,
        record.publishedAt,
      ],
    );
    return this.persist();
  }

  /** Every record, or those of one repository; newest first. */
  list(repository?: string): PublishRecord[] {
    this.assertOpen();
    const where = repository === undefined ? "" : "WHERE repository = ?";
    return this.select(
      `SELECT ${COLUMNS} FROM published ${where} ORDER BY published_at DESC, repository, version`,
      repository === undefined ? [] : [repository],
    );
  }

  find(repository: string, version: string): PublishRecord | undefined {
    this.assertOpen();
    return this.select(`SELECT ${COLUMNS} FROM published WHERE repository = ? AND version = ?`, [
      repository,
      version,
    ])[0];
  }

  /** Waits for pending writes, then frees the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes;
    this.db.close();
  }

  private select(sql: string, params: string[]): PublishRecord[] {
    const statement = this.db.prepare(sql, params);
    const rows: PublishRecord[] = [];
    try {
      while (statement.step()) rows.push(toRecord(statement.getAsObject()));
    } finally {
      statement.free();
    }
    return rows;
  }

  /**
   * Chained so two writes never race on the temporary file; the snapshot is taken when the
   * write's turn comes, so the last write always carries every change before it.
   */
  private persist(): Promise<void> {
    const write = this.writes.then(async () => {
      const tmp = `${this.path}.${process.pid}.tmp`;
      const file = await open(tmp, "w", 0o600);
      try {
        await file.writeFile(this.db.export());
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    });
    // A failed write must not block the ones after it; the caller still sees the failure.
    this.writes = write.catch(() => undefined);
    return write.catch((error: Error) => {
      throw new PublishStoreError(`cannot write the publish records to ${this.path}: ${error.message}`);
    });
  }

  private assertOpen() {
    if (this.closed) throw new PublishStoreError("the publish store is closed");
  }
}

function toRecord(row: Record<string, unknown>): PublishRecord {
  const text = (key: string) => (typeof row[key] === "string" ? (row[key] as string) : undefined);
  const record: PublishRecord = {
    name: text("name") ?? "",
    kind: text("kind") ?? "",
    version: text("version") ?? "",
    repository: text("repository") ?? "",
    digest: text("digest") ?? "",
    imageId: text("image_id") ?? "",
    publishedAt: text("published_at") ?? "",
  };
  const source = text("source_repository");
  const commit = text("commit_sha");
  if (source !== undefined) record.sourceRepository = source;
  if (commit !== undefined) record.commit = commit;
  return record;
}
