import { existsSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE, ensureSchema, openDatabase, type Db } from "../store/database.js";

/**
 * What hubgate published, where and from which commit: one row per (repository, version),
 * in the embedded store (`$HUBGATE_DATA_DIR/hubgate.db`, see store/database.ts). Each write
 * is one SQLite transaction: committed rows survive a crash, and two processes writing the
 * same data dir both keep their rows (WAL, busy timeout).
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

export const STORE_FILE = DATABASE_FILE;

const SCHEMA_STEPS = [
  `CREATE TABLE published (
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
  )`,
  // Every tag a publish applied besides the version: which digest it points at, and whether
  // it is protected (pushed once, never again).
  `CREATE TABLE published_tags (
    repository TEXT NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    version TEXT NOT NULL,
    protected INTEGER NOT NULL,
    tagged_at TEXT NOT NULL,
    PRIMARY KEY (repository, tag)
  )`,
];

export interface TagRecord {
  /** Registry-prefixed repository, as in PublishRecord. */
  repository: string;
  tag: string;
  digest: string;
  /** The version whose image the tag points at. */
  version: string;
  protected: boolean;
  taggedAt: string;
}

const COLUMNS =
  "repository, version, name, kind, digest, image_id, source_repository, commit_sha, published_at";

export class PublishStoreError extends Error {
  override readonly name = "PublishStoreError";
}

export class PublishStore {
  private closed = false;

  private constructor(
    private readonly db: Db | undefined,
    readonly path: string,
    readonly readOnly: boolean,
    private readonly ownsDb: boolean,
  ) {}

  /**
   * Open (or create) the store in `dataDir`, creating the folder as needed. Read-only (dry
   * runs, listing) creates nothing: a missing file reads as an empty store.
   */
  static async open(dataDir: string, options: { readOnly?: boolean } = {}): Promise<PublishStore> {
    const path = join(dataDir, STORE_FILE);
    const readOnly = options.readOnly ?? false;
    if (readOnly && !existsSync(path)) return new PublishStore(undefined, path, true, false);
    let db: Db;
    try {
      db = openDatabase(dataDir, { readOnly });
      if (readOnly) {
        // A store written before this table existed has no records yet.
        const has = db
          .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'published'")
          .get();
        if (!has) return new PublishStore(undefined, path, true, false).closeWith(db);
      } else ensureSchema(db, "publish", SCHEMA_STEPS);
    } catch (error) {
      throw new PublishStoreError(`${path} is not a readable publish store: ${(error as Error).message}`);
    }
    return new PublishStore(db, path, readOnly, true);
  }

  /** The publish records on a connection someone else owns (the server's one store). */
  static on(db: Db, path = ":memory:"): PublishStore {
    ensureSchema(db, "publish", SCHEMA_STEPS);
    return new PublishStore(db, path, false, false);
  }

  /** The connection, for parts that keep their tables beside the records (the catalogue). */
  get database(): Db | undefined {
    return this.readOnly ? undefined : this.db;
  }

  /** Insert or replace the row of `record.repository` + `record.version`; resolves once committed. */
  async record(record: PublishRecord): Promise<void> {
    this.assertOpen();
    if (this.readOnly || !this.db) throw new PublishStoreError(`${this.path} is open read-only`);
    try {
      this.db
        .prepare(
          `INSERT INTO published (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (repository, version) DO UPDATE SET
             name = excluded.name, kind = excluded.kind, digest = excluded.digest,
             image_id = excluded.image_id, source_repository = excluded.source_repository,
             commit_sha = excluded.commit_sha, published_at = excluded.published_at`,
        )
        .run(
          record.repository,
          record.version,
          record.name,
          record.kind,
          record.digest,
          record.imageId,
          record.sourceRepository ?? null,
          record.commit ?? null,
          record.publishedAt,
        );
    } catch (error) {
      throw new PublishStoreError(
        `cannot write the publish records to ${this.path}: ${(error as Error).message}`,
      );
    }
  }

  /** Every record, or those of one repository; newest first. */
  list(repository?: string): PublishRecord[] {
    this.assertOpen();
    if (!this.db) return [];
    const where = repository === undefined ? "" : "WHERE repository = ?";
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM published ${where} ORDER BY published_at DESC, repository, version`)
      .all(...(repository === undefined ? [] : [repository]));
    return (rows as Row[]).map(toRecord);
  }

  find(repository: string, version: string): PublishRecord | undefined {
    this.assertOpen();
    const row = this.db
      ?.prepare(`SELECT ${COLUMNS} FROM published WHERE repository = ? AND version = ?`)
      .get(repository, version);
    return row ? toRecord(row as Row) : undefined;
  }

  /** Insert or move the tag; a protected tag is never moved by the publisher (see tag-plan.ts). */
  async recordTag(record: TagRecord): Promise<void> {
    this.assertOpen();
    if (this.readOnly || !this.db) throw new PublishStoreError(`${this.path} is open read-only`);
    try {
      this.db
        .prepare(
          `INSERT INTO published_tags (repository, tag, digest, version, protected, tagged_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest,
             version = excluded.version, protected = excluded.protected, tagged_at = excluded.tagged_at`,
        )
        .run(
          record.repository,
          record.tag,
          record.digest,
          record.version,
          record.protected ? 1 : 0,
          record.taggedAt,
        );
    } catch (error) {
      throw new PublishStoreError(
        `cannot write the tag records to ${this.path}: ${(error as Error).message}`,
      );
    }
  }

  /** The tags recorded for one repository (or all), by repository and tag. */
  tags(repository?: string): TagRecord[] {
    this.assertOpen();
    if (!this.db || !this.hasTagsTable()) return [];
    const where = repository === undefined ? "" : "WHERE repository = ?";
    const rows = this.db
      .prepare(
        `SELECT repository, tag, digest, version, protected, tagged_at FROM published_tags ${where}
         ORDER BY repository, tag`,
      )
      .all(...(repository === undefined ? [] : [repository])) as Array<Record<string, string | number>>;
    return rows.map((r) => ({
      repository: String(r.repository),
      tag: String(r.tag),
      digest: String(r.digest),
      version: String(r.version),
      protected: r.protected === 1,
      taggedAt: String(r.tagged_at),
    }));
  }

  /** A read-only store of an older schema has no tags table yet. */
  private hasTagsTable(): boolean {
    return (
      this.db
        ?.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'published_tags'")
        .get() !== undefined
    );
  }

  /** Frees the connection when this store opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDb) this.db?.close();
  }

  private closeWith(db: Db): PublishStore {
    db.close();
    return this;
  }

  private assertOpen() {
    if (this.closed) throw new PublishStoreError("the publish store is closed");
  }
}

type Row = Record<string, string | null>;

function toRecord(row: Row): PublishRecord {
  const record: PublishRecord = {
    name: row.name ?? "",
    kind: row.kind ?? "",
    version: row.version ?? "",
    repository: row.repository ?? "",
    digest: row.digest ?? "",
    imageId: row.image_id ?? "",
    publishedAt: row.published_at ?? "",
  };
  if (row.source_repository !== null && row.source_repository !== undefined)
    record.sourceRepository = row.source_repository;
  if (row.commit_sha !== null && row.commit_sha !== undefined) record.commit = row.commit_sha;
  return record;
}
