import { existsSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE, ensureSchema, openDatabase, type Db } from "../store/database.js";
import type { BundleMetadata } from "../core/bundle-metadata.js";
import type { SecretBox } from "./secret-box.js";

/**
 * The hub catalogue: every published image (and any an operator registers through the API),
 * the frameworks, CUDA versions and hardware generations they refer to, and the tags that
 * point at them. Lives in the embedded store beside the publish records (part "catalogue").
 *
 * Tags belong to a series, the images sharing kind and name: `latest` of a series points at
 * one of its versions. A tag is a reference: an image a tag points at cannot be deleted, and
 * a protected tag cannot be moved to another image (versions are protected tags).
 */
const SCHEMA_STEPS = [
  `CREATE TABLE catalogue_frameworks (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    version TEXT,
    url TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE catalogue_cuda_versions (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL UNIQUE
  );
  CREATE TABLE catalogue_hardware_generations (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
  );
  CREATE TABLE catalogue_images (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    version TEXT NOT NULL,
    url TEXT NOT NULL,
    registry_url TEXT NOT NULL,
    registry_username TEXT,
    registry_password_sealed TEXT,
    cuda_version_pk INTEGER REFERENCES catalogue_cuda_versions(pk),
    framework_pk INTEGER REFERENCES catalogue_frameworks(pk),
    domain TEXT NOT NULL DEFAULT '',
    tasks TEXT NOT NULL DEFAULT '[]',
    min_hardware_generation_pk INTEGER REFERENCES catalogue_hardware_generations(pk),
    cpu INTEGER NOT NULL DEFAULT 1,
    licence TEXT NOT NULL DEFAULT '',
    description TEXT,
    digest TEXT,
    source_repository TEXT,
    commit_sha TEXT,
    branch TEXT,
    tag TEXT,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deprecated_at TEXT,
    deprecation_reason TEXT,
    UNIQUE (kind, name, version)
  );
  CREATE TABLE catalogue_tags (
    kind TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    tag TEXT NOT NULL,
    image_pk INTEGER NOT NULL REFERENCES catalogue_images(pk),
    protected INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, name, tag)
  );
  CREATE INDEX catalogue_tags_image ON catalogue_tags (image_pk);`,
];

/**
 * Publish records written before the catalogue existed become catalogue images, once, with
 * their version as a protected tag (where `latest` pointed was not recorded then).
 */
const IMPORT_PUBLISH_RECORDS = `
  INSERT INTO catalogue_images (kind, name, version, url, registry_url, digest, source_repository, commit_sha,
                                published_at, created_at, updated_at)
  SELECT kind, name, version, repository || ':' || version || '@' || digest,
         CASE WHEN host LIKE 'localhost%' OR host LIKE '127.%' OR host LIKE '[::1]%' THEN 'http://' ELSE 'https://' END || host,
         digest, source_repository, commit_sha, published_at, published_at, published_at
  FROM (SELECT *, substr(repository, 1, instr(repository, '/') - 1) AS host FROM published ORDER BY published_at)
  WHERE true
  ON CONFLICT (kind, name, version) DO NOTHING;
  INSERT INTO catalogue_tags (kind, name, tag, image_pk, protected, updated_at)
  SELECT kind, name, version, pk, 1, updated_at FROM catalogue_images WHERE digest IS NOT NULL
  ON CONFLICT (kind, name, tag) DO NOTHING;`;

function prepare(db: Db): void {
  ensureSchema(db, "catalogue", SCHEMA_STEPS);
  const hasRecords = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'published'")
    .get();
  // A store without publish records has nothing to import, now or later (every publish since writes both).
  ensureSchema(db, "catalogue-import", [hasRecords ? IMPORT_PUBLISH_RECORDS : "SELECT 1"]);
}

export interface Framework {
  pk: number;
  name: string;
  version: string | null;
  url: string | null;
}

export interface CudaVersion {
  pk: number;
  version: string;
}

export interface HardwareGeneration {
  pk: number;
  name: string;
}

export interface TagRef {
  tag: string;
  protected: boolean;
}

export interface Revision {
  repository_url: string | null;
  commit: string | null;
  branch: string | null;
  tag: string | null;
}

/** An image as the catalogue knows it; the HTTP API serialises exactly this (see image-json.ts). */
export interface CatalogueImage {
  pk: number;
  kind: string;
  name: string;
  version: string;
  url: string;
  registryUrl: string;
  registryUsername: string | null;
  registryPasswordSet: boolean;
  cudaVersion: CudaVersion | null;
  framework: Framework | null;
  domain: string;
  tasks: string[];
  minHardwareGeneration: HardwareGeneration | null;
  cpu: boolean;
  licence: string;
  description: string | null;
  digest: string | null;
  revision: Revision;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  deprecated: boolean;
  deprecationReason: string | null;
  deprecatedAt: string | null;
  tags: TagRef[];
}

/** The writable fields, already validated (image-input.ts). `undefined` = leave as is (patch). */
export interface ImageFields {
  kind?: string;
  name?: string;
  version?: string;
  url?: string;
  registryUrl?: string;
  registryUsername?: string | null;
  /** Plain text in, sealed at rest; null clears it. */
  registryPassword?: string | null;
  cudaVersion?: string | null;
  frameworkPk?: number | null;
  domain?: string;
  tasks?: string[];
  minHardwareGeneration?: string | null;
  cpu?: boolean;
  licence?: string;
  description?: string | null;
}

/** What a publish tells the catalogue; the hub's own registry credentials are never part of it. */
export interface PublishedImage extends BundleMetadata {
  kind: string;
  name: string;
  version: string;
  /** Registry-prefixed repository, e.g. `registry.example.com/jinahub/pod.encoder.x`. */
  repository: string;
  digest: string;
  registryUrl: string;
  revision: { sourceUrl?: string; commit?: string; branch?: string; tag?: string };
  /** Whether `latest` of the series points at this version after the publish. */
  latest: boolean;
  publishedAt: string;
}

export interface ImageFilter {
  kind?: string;
  name?: string;
  version?: string;
  domain?: string;
  frameworkPk?: number;
  cpu?: boolean;
  deprecated?: boolean;
}

export interface SearchQuery {
  q?: string;
  kind?: string;
  domain?: string;
  page: number;
  perPage: number;
}

/** One series (kind + name) in search results: its newest version stands for it. */
export interface SeriesSummary {
  kind: string;
  name: string;
  description: string | null;
  domain: string;
  licence: string;
  latestVersion: string;
  latestUrl: string;
  versions: number;
  deprecated: boolean;
  updatedAt: string;
}

export class CatalogueError extends Error {
  override readonly name: string = "CatalogueError";
}

/** A write that clashes with what the catalogue holds: a duplicate, a reference, a protected tag. */
export class CatalogueConflict extends CatalogueError {
  override readonly name = "CatalogueConflict";
}

/** A value the catalogue cannot take, with the field it belongs to (→ HTTP 400). */
export class CatalogueInvalid extends CatalogueError {
  override readonly name = "CatalogueInvalid";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Row = Record<string, string | number | null>;

const SERIES_ORDER = "published_at DESC, created_at DESC, pk DESC";

export class Catalogue {
  private constructor(
    private readonly db: Db | undefined,
    private readonly secretBox: SecretBox | undefined,
    private readonly ownsDb: boolean,
    private readonly now: () => Date,
  ) {}

  /** The catalogue on a connection someone else owns (the server's store, the publisher's). */
  static on(db: Db, options: { secretBox?: SecretBox; now?: () => Date } = {}): Catalogue {
    prepare(db);
    return new Catalogue(db, options.secretBox, false, options.now ?? (() => new Date()));
  }

  /**
   * Open the catalogue in `dataDir`. Read-only opening creates nothing: a data dir without a
   * store, or a store from before the catalogue, reads as an empty catalogue.
   */
  static open(dataDir: string, options: { readOnly?: boolean; secretBox?: SecretBox } = {}): Catalogue {
    const now = () => new Date();
    if (!options.readOnly) {
      const db = openDatabase(dataDir);
      prepare(db);
      return new Catalogue(db, options.secretBox, true, now);
    }
    if (!existsSync(join(dataDir, DATABASE_FILE))) return new Catalogue(undefined, undefined, false, now);
    const db = openDatabase(dataDir, { readOnly: true });
    const has = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalogue_images'")
      .get();
    if (!has) {
      const records = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'published'")
        .get();
      db.close();
      // A store from before the catalogue: bring its publish records in once, then read.
      if (records) return Catalogue.open(dataDir, { secretBox: options.secretBox });
      return new Catalogue(undefined, undefined, false, now);
    }
    return new Catalogue(db, options.secretBox, true, now);
  }

  close(): void {
    if (this.ownsDb) this.db?.close();
  }

  // ---- images -------------------------------------------------------------------------

  list(filter: ImageFilter = {}): CatalogueImage[] {
    if (!this.db) return [];
    const where: string[] = [];
    const params: Array<string | number> = [];
    const eq = (column: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    eq("kind", filter.kind);
    eq("name", filter.name);
    eq("version", filter.version);
    eq("domain", filter.domain);
    eq("framework_pk", filter.frameworkPk);
    if (filter.cpu !== undefined) eq("cpu", filter.cpu ? 1 : 0);
    if (filter.deprecated !== undefined)
      where.push(filter.deprecated ? "deprecated_at IS NOT NULL" : "deprecated_at IS NULL");
    const rows = this.db
      .prepare(
        `SELECT * FROM catalogue_images ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY kind, name, ${SERIES_ORDER}`,
      )
      .all(...params) as Row[];
    return rows.map((row) => this.toImage(row));
  }

  /** One version of a series (kind and name compare case-insensitively, as in image names). */
  find(kind: string, name: string, version: string): CatalogueImage | undefined {
    return this.list({ kind, name, version })[0];
  }

  get(pk: number): CatalogueImage | undefined {
    const row = this.db?.prepare("SELECT * FROM catalogue_images WHERE pk = ?").get(pk) as Row | undefined;
    return row ? this.toImage(row) : undefined;
  }

  create(
    fields: Required<Pick<ImageFields, "name" | "version" | "url" | "registryUrl">> & ImageFields,
  ): CatalogueImage {
    const db = this.writable();
    return db.transaction(() => {
      const stamp = this.stamp();
      const kind = fields.kind ?? "";
      this.assertFree(kind, fields.name, fields.version);
      const info = db
        .prepare(
          `INSERT INTO catalogue_images (kind, name, version, url, registry_url, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(kind, fields.name, fields.version, fields.url, fields.registryUrl, stamp, stamp);
      const pk = Number(info.lastInsertRowid);
      this.apply(pk, fields);
      return this.get(pk)!;
    })();
  }

  /** Update the given fields (a PUT passes every field, a PATCH some). */
  update(pk: number, fields: ImageFields): CatalogueImage | undefined {
    const db = this.writable();
    return db.transaction(() => {
      const current = this.get(pk);
      if (!current) return undefined;
      const kind = fields.kind ?? current.kind;
      const name = fields.name ?? current.name;
      const version = fields.version ?? current.version;
      const renamed =
        kind.toLowerCase() !== current.kind.toLowerCase() ||
        name.toLowerCase() !== current.name.toLowerCase();
      // A tag names one version of one series: moving the image under it would make the
      // tag (a published version's, say) point at something it never meant.
      if ((renamed || version !== current.version) && current.tags.length > 0)
        throw new CatalogueConflict(
          `image ${pk} cannot change its kind, name or version while tags point at it (${tagList(current.tags)} of ${series(current)}); create a new image instead`,
        );
      if (renamed || version !== current.version) this.assertFree(kind, name, version, pk);
      this.apply(pk, fields);
      return this.get(pk)!;
    })();
  }

  /** Delete an image nothing refers to; a tag pointing at it is a reference (→ 409). */
  delete(pk: number): boolean {
    const db = this.writable();
    return db.transaction(() => {
      const current = this.get(pk);
      if (!current) return false;
      if (current.tags.length > 0)
        throw new CatalogueConflict(
          `image ${pk} (${series(current)}:${current.version}) is referenced by ${current.tags.length === 1 ? "the tag" : "the tags"} ${tagList(current.tags)} of ${series(current)}; move or remove ${current.tags.length === 1 ? "it" : "them"} first (protected tags, such as published versions, stay)`,
        );
      db.prepare("DELETE FROM catalogue_images WHERE pk = ?").run(pk);
      return true;
    })();
  }

  /** A version stays in the catalogue (and the registry) but shows as deprecated everywhere. */
  deprecate(pk: number, reason: string): CatalogueImage | undefined {
    const info = this.writable()
      .prepare(
        `UPDATE catalogue_images SET deprecated_at = COALESCE(deprecated_at, ?), deprecation_reason = ?, updated_at = ? WHERE pk = ?`,
      )
      .run(this.stamp(), reason, this.stamp(), pk);
    return info.changes ? this.get(pk) : undefined;
  }

  undeprecate(pk: number): CatalogueImage | undefined {
    const info = this.writable()
      .prepare(
        "UPDATE catalogue_images SET deprecated_at = NULL, deprecation_reason = NULL, updated_at = ? WHERE pk = ?",
      )
      .run(this.stamp(), pk);
    return info.changes ? this.get(pk) : undefined;
  }

  /** The registry password in plain text, for whoever pulls on the catalogue's behalf; never served. */
  registryPassword(pk: number): string | null {
    const row = this.db
      ?.prepare("SELECT registry_password_sealed AS s FROM catalogue_images WHERE pk = ?")
      .get(pk) as { s: string | null } | undefined;
    if (!row?.s) return null;
    if (!this.secretBox)
      throw new CatalogueError("HUBGATE_CATALOGUE_KEY is needed to read registry passwords");
    return this.secretBox.open(row.s);
  }

  // ---- publishing -----------------------------------------------------------------------

  /**
   * Create or update the image a publish produced, and point its tags: `<version>`
   * (protected) always, `latest` when the publisher moved it here. Fields an operator set
   * through the API and a publish does not know (registry login) are kept.
   */
  recordPublished(published: PublishedImage): CatalogueImage {
    const db = this.writable();
    return db.transaction(() => {
      const existing = db
        .prepare("SELECT pk FROM catalogue_images WHERE kind = ? AND name = ? AND version = ?")
        .get(published.kind, published.name, published.version) as { pk: number } | undefined;
      const url = `${published.repository}:${published.version}@${published.digest}`;
      const fields: ImageFields = {
        kind: published.kind,
        name: published.name,
        version: published.version,
        url,
        registryUrl: published.registryUrl,
        cudaVersion: published.cudaVersion ?? null,
        frameworkPk: published.framework ? this.frameworkByName(published.framework).pk : null,
        domain: published.domain ?? "",
        tasks: published.tasks,
        minHardwareGeneration: published.minHardwareGeneration ?? null,
        cpu: published.cpu,
        licence: published.licence ?? "",
        description: published.description ?? null,
      };
      const pk = existing
        ? (this.apply(existing.pk, fields), existing.pk)
        : this.create({
            ...fields,
            name: published.name,
            version: published.version,
            url,
            registryUrl: published.registryUrl,
          }).pk;
      const r = published.revision;
      db.prepare(
        // The first publish's commit stays (the content came from it); a later run of the same
        // version, say a tag pipeline, may add or update the branch and tag, as the seed says.
        `UPDATE catalogue_images SET digest = ?, source_repository = COALESCE(source_repository, ?),
           commit_sha = COALESCE(commit_sha, ?), branch = COALESCE(?, branch), tag = COALESCE(?, tag),
           published_at = COALESCE(published_at, ?), updated_at = ? WHERE pk = ?`,
      ).run(
        published.digest,
        r.sourceUrl ?? null,
        r.commit ?? null,
        r.branch ?? null,
        r.tag ?? null,
        published.publishedAt,
        this.stamp(),
        pk,
      );
      this.setTag(pk, published.version, { protected: true });
      if (published.latest) this.setTag(pk, "latest");
      return this.get(pk)!;
    })();
  }

  // ---- tags (issue 14 builds extra and protected tags on these) ----------------------------

  /**
   * Point `tag` of the image's series at the image. A protected tag never moves to another
   * image (CatalogueConflict); protecting is sticky: `protected: false` does not unprotect.
   */
  setTag(imagePk: number, tag: string, options: { protected?: boolean } = {}): void {
    const db = this.writable();
    db.transaction(() => {
      const image = this.get(imagePk);
      if (!image) throw new CatalogueInvalid("image", `image ${imagePk} does not exist`);
      const current = db
        .prepare("SELECT image_pk, protected FROM catalogue_tags WHERE kind = ? AND name = ? AND tag = ?")
        .get(image.kind, image.name, tag) as { image_pk: number; protected: number } | undefined;
      if (current && current.image_pk !== imagePk && current.protected)
        throw new CatalogueConflict(
          `the tag ${tag} of ${series(image)} is protected and points at image ${current.image_pk}; it cannot be moved`,
        );
      db.prepare(
        `INSERT INTO catalogue_tags (kind, name, tag, image_pk, protected, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, name, tag) DO UPDATE SET image_pk = excluded.image_pk,
           protected = MAX(protected, excluded.protected), updated_at = excluded.updated_at`,
      ).run(image.kind, image.name, tag, imagePk, options.protected ? 1 : 0, this.stamp());
    })();
  }

  /** Remove a tag of the image's series; a protected one stays (CatalogueConflict). */
  removeTag(imagePk: number, tag: string): boolean {
    const db = this.writable();
    return db.transaction(() => {
      const image = this.get(imagePk);
      if (!image) return false;
      const current = image.tags.find((t) => t.tag === tag);
      if (!current) return false;
      if (current.protected)
        throw new CatalogueConflict(`the tag ${tag} of ${series(image)} is protected and cannot be removed`);
      db.prepare("DELETE FROM catalogue_tags WHERE kind = ? AND name = ? AND tag = ?").run(
        image.kind,
        image.name,
        tag,
      );
      return true;
    })();
  }

  /** Every tag of a series with the image it points at. */
  tagsOfSeries(kind: string, name: string): Array<TagRef & { imagePk: number }> {
    if (!this.db) return [];
    const rows = this.db
      .prepare("SELECT tag, protected, image_pk FROM catalogue_tags WHERE kind = ? AND name = ? ORDER BY tag")
      .all(kind, name) as Array<{ tag: string; protected: number; image_pk: number }>;
    return rows.map((r) => ({ tag: r.tag, protected: r.protected === 1, imagePk: r.image_pk }));
  }

  // ---- frameworks, CUDA versions, hardware generations ------------------------------------

  listFrameworks(): Framework[] {
    if (!this.db) return [];
    return (
      this.db
        .prepare("SELECT pk, name, version, url FROM catalogue_frameworks ORDER BY name")
        .all() as Framework[]
    ).map((f) => ({ ...f }));
  }

  getFramework(pk: number): Framework | undefined {
    return this.db
      ?.prepare("SELECT pk, name, version, url FROM catalogue_frameworks WHERE pk = ?")
      .get(pk) as Framework | undefined;
  }

  createFramework(framework: { name: string; version?: string | null; url?: string | null }): Framework {
    const db = this.writable();
    return db.transaction(() => {
      const existing = db
        .prepare("SELECT pk FROM catalogue_frameworks WHERE name = ?")
        .get(framework.name) as { pk: number } | undefined;
      if (existing)
        throw new CatalogueConflict(
          `the framework "${framework.name}" already exists as framework ${existing.pk}`,
        );
      const info = db
        .prepare("INSERT INTO catalogue_frameworks (name, version, url, created_at) VALUES (?, ?, ?, ?)")
        .run(framework.name, framework.version ?? null, framework.url ?? null, this.stamp());
      return this.getFramework(Number(info.lastInsertRowid))!;
    })();
  }

  /** The framework a manifest names, created on first use. */
  frameworkByName(name: string): Framework {
    const db = this.writable();
    db.prepare(
      "INSERT INTO catalogue_frameworks (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    ).run(name, this.stamp());
    return db
      .prepare("SELECT pk, name, version, url FROM catalogue_frameworks WHERE name = ?")
      .get(name) as Framework;
  }

  listCudaVersions(): CudaVersion[] {
    return (
      (this.db
        ?.prepare("SELECT pk, version FROM catalogue_cuda_versions ORDER BY pk")
        .all() as CudaVersion[]) ?? []
    );
  }

  listHardwareGenerations(): HardwareGeneration[] {
    return (
      (this.db
        ?.prepare("SELECT pk, name FROM catalogue_hardware_generations ORDER BY pk")
        .all() as HardwareGeneration[]) ?? []
    );
  }

  // ---- search -----------------------------------------------------------------------------

  /** Series matching a free-text query and filters, newest first, one page of them. */
  search(query: SearchQuery): { total: number; items: SeriesSummary[] } {
    if (!this.db) return { total: 0, items: [] };
    const where: string[] = [];
    const params: string[] = [];
    if (query.q) {
      // LIKE with our own escape character: `%` and `_` typed by a user match themselves.
      const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push("(name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR tasks LIKE ? ESCAPE '\\')");
      params.push(pattern, pattern, pattern);
    }
    if (query.kind) {
      where.push("kind = ?");
      params.push(query.kind);
    }
    if (query.domain) {
      where.push("domain = ?");
      params.push(query.domain);
    }
    const filtered = `SELECT * FROM catalogue_images ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`;
    const total = (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT kind, name FROM (${filtered}))`)
        .get(...params) as {
        n: number;
      }
    ).n;
    // The newest row of each series stands for it; ties broken by pk.
    const rows = this.db
      .prepare(
        `WITH f AS (${filtered}),
         ranked AS (SELECT f.*, ROW_NUMBER() OVER (PARTITION BY kind, name ORDER BY ${SERIES_ORDER}) AS rn,
                           COUNT(*) OVER (PARTITION BY kind, name) AS n FROM f)
         SELECT * FROM ranked WHERE rn = 1 ORDER BY COALESCE(published_at, created_at) DESC, kind, name
         LIMIT ? OFFSET ?`,
      )
      .all(...params, query.perPage, (query.page - 1) * query.perPage) as Row[];
    const items = rows.map((row) => {
      const latest = this.db!.prepare(
        `SELECT i.* FROM catalogue_tags t JOIN catalogue_images i ON i.pk = t.image_pk
           WHERE t.kind = ? AND t.name = ? AND t.tag = 'latest'`,
      ).get(row.kind, row.name) as Row | undefined;
      const stands = latest ?? row;
      return {
        kind: String(row.kind),
        name: String(row.name),
        description: (stands.description as string | null) ?? null,
        domain: String(stands.domain ?? ""),
        licence: String(stands.licence ?? ""),
        latestVersion: String(stands.version),
        latestUrl: String(stands.url),
        versions: Number(row.n),
        deprecated: stands.deprecated_at !== null,
        updatedAt: String(row.published_at ?? row.created_at),
      };
    });
    return { total, items };
  }

  /** Every version of one series, newest first. */
  series(kind: string, name: string): CatalogueImage[] {
    return this.list({ kind, name });
  }

  /** Distinct kinds and domains, for the page's filters. */
  facets(): { kinds: string[]; domains: string[] } {
    if (!this.db) return { kinds: [], domains: [] };
    const col = (c: string) =>
      (
        this.db!.prepare(
          `SELECT DISTINCT ${c} AS v FROM catalogue_images WHERE ${c} != '' ORDER BY ${c}`,
        ).all() as Array<{
          v: string;
        }>
      ).map((r) => r.v);
    return { kinds: col("kind"), domains: col("domain") };
  }

  // ---- internals ----------------------------------------------------------------------------

  private writable(): Db {
    if (!this.db || !this.ownsDbWritable()) throw new CatalogueError("the catalogue is open read-only");
    return this.db;
  }

  private ownsDbWritable(): boolean {
    return !this.db?.readonly;
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private assertFree(kind: string, name: string, version: string, except?: number): void {
    const clash = this.db!.prepare(
      "SELECT pk FROM catalogue_images WHERE kind = ? AND name = ? AND version = ? AND pk != ?",
    ).get(kind, name, version, except ?? -1) as { pk: number } | undefined;
    if (clash)
      throw new CatalogueConflict(
        `${kind ? `${kind}/` : ""}${name} version ${version} already exists as image ${clash.pk}; update that one instead`,
      );
  }

  private apply(pk: number, fields: ImageFields): void {
    const db = this.db!;
    const set: string[] = [];
    const params: Array<string | number | null> = [];
    const put = (column: string, value: string | number | null | undefined) => {
      if (value === undefined) return;
      set.push(`${column} = ?`);
      params.push(value);
    };
    put("kind", fields.kind);
    put("name", fields.name);
    put("version", fields.version);
    put("url", fields.url);
    put("registry_url", fields.registryUrl);
    put("registry_username", fields.registryUsername);
    if (fields.registryPassword !== undefined)
      put("registry_password_sealed", this.seal(fields.registryPassword));
    if (fields.cudaVersion !== undefined)
      put(
        "cuda_version_pk",
        fields.cudaVersion === null
          ? null
          : this.lookup("catalogue_cuda_versions", "version", fields.cudaVersion),
      );
    if (fields.frameworkPk !== undefined) {
      if (fields.frameworkPk !== null && !this.getFramework(fields.frameworkPk))
        throw new CatalogueInvalid(
          "framework",
          `framework ${fields.frameworkPk} does not exist; create it with POST /v1/framework/create`,
        );
      put("framework_pk", fields.frameworkPk);
    }
    put("domain", fields.domain);
    if (fields.tasks !== undefined) put("tasks", JSON.stringify(fields.tasks));
    if (fields.minHardwareGeneration !== undefined)
      put(
        "min_hardware_generation_pk",
        fields.minHardwareGeneration === null
          ? null
          : this.lookup("catalogue_hardware_generations", "name", fields.minHardwareGeneration),
      );
    if (fields.cpu !== undefined) put("cpu", fields.cpu ? 1 : 0);
    put("licence", fields.licence);
    put("description", fields.description);
    if (set.length === 0) return;
    put("updated_at", this.stamp());
    db.prepare(`UPDATE catalogue_images SET ${set.join(", ")} WHERE pk = ?`).run(...params, pk);
  }

  private seal(password: string | null): string | null {
    if (password === null) return null;
    if (!this.secretBox)
      throw new CatalogueInvalid(
        "registry_password",
        "this server cannot store registry passwords: it has no HUBGATE_CATALOGUE_KEY to encrypt them with",
      );
    return this.secretBox.seal(password);
  }

  /** Get-or-create a row of a small value table, by its unique column. */
  private lookup(table: string, column: string, value: string): number {
    const db = this.db!;
    db.prepare(`INSERT INTO ${table} (${column}) VALUES (?) ON CONFLICT (${column}) DO NOTHING`).run(value);
    return (db.prepare(`SELECT pk FROM ${table} WHERE ${column} = ?`).get(value) as { pk: number }).pk;
  }

  private toImage(row: Row): CatalogueImage {
    const db = this.db!;
    const pk = Number(row.pk);
    const cuda =
      row.cuda_version_pk === null
        ? undefined
        : (db
            .prepare("SELECT pk, version FROM catalogue_cuda_versions WHERE pk = ?")
            .get(row.cuda_version_pk) as CudaVersion | undefined);
    const hardware =
      row.min_hardware_generation_pk === null
        ? undefined
        : (db
            .prepare("SELECT pk, name FROM catalogue_hardware_generations WHERE pk = ?")
            .get(row.min_hardware_generation_pk) as HardwareGeneration | undefined);
    const framework = row.framework_pk === null ? undefined : this.getFramework(Number(row.framework_pk));
    const tags = (
      db
        .prepare("SELECT tag, protected FROM catalogue_tags WHERE image_pk = ? ORDER BY tag")
        .all(pk) as Array<{
        tag: string;
        protected: number;
      }>
    ).map((t) => ({ tag: t.tag, protected: t.protected === 1 }));
    const str = (v: string | number | null | undefined) => (v === null || v === undefined ? null : String(v));
    return {
      pk,
      kind: String(row.kind),
      name: String(row.name),
      version: String(row.version),
      url: String(row.url),
      registryUrl: String(row.registry_url),
      registryUsername: str(row.registry_username),
      registryPasswordSet: row.registry_password_sealed !== null,
      cudaVersion: cuda ? { ...cuda } : null,
      framework: framework ? { ...framework } : null,
      domain: String(row.domain),
      tasks: parseTasks(row.tasks),
      minHardwareGeneration: hardware ? { ...hardware } : null,
      cpu: row.cpu === 1,
      licence: String(row.licence),
      description: str(row.description),
      digest: str(row.digest),
      revision: {
        repository_url: str(row.source_repository),
        commit: str(row.commit_sha),
        branch: str(row.branch),
        tag: str(row.tag),
      },
      publishedAt: str(row.published_at),
      createdAt: String(row.created_at),
      updatedAt: String(row.updated_at),
      deprecated: row.deprecated_at !== null,
      deprecationReason: str(row.deprecation_reason),
      deprecatedAt: str(row.deprecated_at),
      tags,
    };
  }
}

function parseTasks(value: string | number | null | undefined): string[] {
  try {
    const parsed = JSON.parse(String(value ?? "[]")) as unknown;
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

function series(image: { kind: string; name: string }): string {
  return image.kind ? `${image.kind}/${image.name}` : image.name;
}

function tagList(tags: readonly TagRef[]): string {
  return tags.map((t) => `${t.tag}${t.protected ? " (protected)" : ""}`).join(", ");
}
