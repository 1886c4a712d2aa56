import { createHash, randomBytes } from "node:crypto";
import { ensureSchema, type Db } from "../store/database.js";

/**
 * Organisations, their members, the repositories they own in the registry, per-user API
 * tokens and the short-lived registry passwords `hubgate repos login` hands out — all in the
 * embedded store (`hubgate.db`, part "orgs"). Secrets are kept only as SHA-256 hashes: they
 * are 32 random bytes, so a fast hash is enough and a leaked database leaks no credential.
 */
const SCHEMA_STEPS = [
  `CREATE TABLE orgs (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
   CREATE TABLE org_members (
     org TEXT NOT NULL REFERENCES orgs(name) ON DELETE CASCADE,
     username TEXT NOT NULL,
     added_at TEXT NOT NULL,
     PRIMARY KEY (org, username));
   CREATE INDEX org_members_user ON org_members (username);
   CREATE TABLE org_repositories (
     org TEXT NOT NULL REFERENCES orgs(name) ON DELETE CASCADE,
     name TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (org, name));
   CREATE TABLE api_tokens (
     token_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL,
     created_at TEXT NOT NULL);
   CREATE TABLE registry_logins (
     password_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL,
     org TEXT NOT NULL,
     repository TEXT NOT NULL,
     expires_at INTEGER NOT NULL);
   CREATE INDEX registry_logins_expiry ON registry_logins (expires_at);`,
];

export interface OrgRepository {
  organization: string;
  name: string;
  createdBy: string;
  createdAt: string;
}

export interface RegistryLogin {
  username: string;
  organization: string;
  repository: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");
const newSecret = (prefix: string) => `${prefix}${randomBytes(32).toString("base64url")}`;

export interface OrgStoreOptions {
  /**
   * `host[:port]` of the registry: images hubgate itself published into `<registry>/<org>/…`
   * (hub config `organizations`) count as that organisation's repositories too.
   */
  registry?: string;
  now?: () => Date;
}

export class OrgStore {
  private readonly now: () => Date;

  private constructor(
    private readonly db: Db,
    private readonly registry: string | undefined,
    now: (() => Date) | undefined,
  ) {
    this.now = now ?? (() => new Date());
  }

  static on(db: Db, options: OrgStoreOptions = {}): OrgStore {
    ensureSchema(db, "orgs", SCHEMA_STEPS);
    return new OrgStore(db, options.registry, options.now);
  }

  /** True when it was created now, false when it existed. */
  createOrganization(name: string): boolean {
    return (
      this.db
        .prepare("INSERT INTO orgs (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .run(name, this.stamp()).changes === 1
    );
  }

  hasOrganization(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM orgs WHERE name = ?").get(name) !== undefined;
  }

  organizations(): Array<{ name: string; members: string[] }> {
    const orgs = this.db.prepare("SELECT name FROM orgs ORDER BY name").all() as Array<{ name: string }>;
    const members = this.db.prepare("SELECT username FROM org_members WHERE org = ? ORDER BY username");
    return orgs.map(({ name }) => ({
      name,
      members: (members.all(name) as Array<{ username: string }>).map((m) => m.username),
    }));
  }

  /** True when added now, false when already a member. The organisation must exist. */
  addMember(org: string, username: string): boolean {
    return (
      this.db
        .prepare("INSERT INTO org_members (org, username, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .run(org, username, this.stamp()).changes === 1
    );
  }

  /** Removing a member also ends their registry logins for that organisation at once. */
  removeMember(org: string, username: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare("DELETE FROM registry_logins WHERE org = ? AND username = ?").run(org, username);
      return (
        this.db.prepare("DELETE FROM org_members WHERE org = ? AND username = ?").run(org, username)
          .changes === 1
      );
    })();
  }

  isMember(org: string, username: string): boolean {
    return (
      this.db.prepare("SELECT 1 FROM org_members WHERE org = ? AND username = ?").get(org, username) !==
      undefined
    );
  }

  memberships(username: string): string[] {
    return (
      this.db.prepare("SELECT org FROM org_members WHERE username = ? ORDER BY org").all(username) as Array<{
        org: string;
      }>
    ).map((r) => r.org);
  }

  /** True when created now, false when it existed. The organisation must exist. */
  createRepository(org: string, name: string, createdBy: string): boolean {
    return (
      this.db
        .prepare(
          `INSERT INTO org_repositories (org, name, created_by, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(org, name, createdBy, this.stamp()).changes === 1
    );
  }

  hasRepository(org: string, name: string): boolean {
    return (
      this.db.prepare("SELECT 1 FROM org_repositories WHERE org = ? AND name = ?").get(org, name) !==
        undefined || this.publishedInto(org).includes(name)
    );
  }

  /** Repositories hubgate's publisher pushed into the organisation's namespace (publish records). */
  private publishedInto(org: string): string[] {
    if (!this.registry) return [];
    const table = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'published'")
      .get();
    if (!table) return [];
    const prefix = `${this.registry}/${org}/`;
    return (
      this.db
        .prepare(
          "SELECT DISTINCT repository FROM published WHERE substr(repository, 1, ?) = ? ORDER BY repository",
        )
        .all(prefix.length, prefix) as Array<{ repository: string }>
    ).map((r) => r.repository.slice(prefix.length));
  }

  /** The repositories of every organisation `username` belongs to. */
  repositoriesOf(username: string): OrgRepository[] {
    const rows = this.db
      .prepare(
        `SELECT r.org, r.name, r.created_by, r.created_at FROM org_repositories r
         JOIN org_members m ON m.org = r.org AND m.username = ?
         ORDER BY r.org, r.name`,
      )
      .all(username) as Array<Record<string, string>>;
    const created: OrgRepository[] = rows.map((r) => ({
      organization: r.org!,
      name: r.name!,
      createdBy: r.created_by!,
      createdAt: r.created_at!,
    }));
    const published = this.memberships(username).flatMap((org) =>
      this.publishedInto(org)
        .filter((name) => !created.some((c) => c.organization === org && c.name === name))
        .map((name) => ({ organization: org, name, createdBy: "hubgate", createdAt: "" })),
    );
    return [...created, ...published].sort(
      (a, b) => a.organization.localeCompare(b.organization) || a.name.localeCompare(b.name),
    );
  }

  /** A new API token for `username`; only its hash is kept, so this is the one time it is seen. */
  createApiToken(username: string): string {
    const token = newSecret("hgt_");
    this.db
      .prepare("INSERT INTO api_tokens (token_hash, username, created_at) VALUES (?, ?, ?)")
      .run(hashSecret(token), username, this.stamp());
    return token;
  }

  userOfApiToken(token: string): string | undefined {
    const row = this.db
      .prepare("SELECT username FROM api_tokens WHERE token_hash = ?")
      .get(hashSecret(token));
    return (row as { username?: string } | undefined)?.username;
  }

  /** A short-lived registry password for one repository; expired ones are swept on the way. */
  createRegistryLogin(username: string, org: string, repository: string, ttlSeconds: number) {
    const password = newSecret("");
    const expiresAt = this.now().getTime() + ttlSeconds * 1000;
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM registry_logins WHERE expires_at <= ?").run(this.now().getTime());
      this.db
        .prepare(
          "INSERT INTO registry_logins (password_hash, username, org, repository, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(hashSecret(password), username, org, repository, expiresAt);
    })();
    return { password, expiresAt };
  }

  /**
   * The login behind a registry password, when it belongs to `username`, has not expired,
   * and its owner is still a member of the organisation.
   */
  registryLogin(username: string, password: string): RegistryLogin | undefined {
    const row = this.db
      .prepare(
        `SELECT l.username, l.org, l.repository, l.expires_at FROM registry_logins l
         JOIN org_members m ON m.org = l.org AND m.username = l.username
         WHERE l.password_hash = ? AND l.username = ? AND l.expires_at > ?`,
      )
      .get(hashSecret(password), username, this.now().getTime()) as
      { username: string; org: string; repository: string; expires_at: number } | undefined;
    return row
      ? {
          username: row.username,
          organization: row.org,
          repository: row.repository,
          expiresAt: row.expires_at,
        }
      : undefined;
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}
