/**
 * A local fake of GitHub's REST API, at the HTTP level, for tests. Every request is checked against
 * GitHub's OpenAPI description (route, method, path and query parameters, JSON body) plus the rules in
 * rules.ts; anything GitHub would reject is answered like GitHub would and recorded in `violations`.
 *
 *   const fake = await startFakeGitHub();
 *   fake.setCommit("o", "r", sha, { "pods/a/manifest.yaml": "..." });
 *   // point Octokit / Probot at fake.url (baseUrl), run the code under test, then:
 *   expect(fake.violations).toEqual([]);
 *   expect(fake.checkRuns("o", "r")[0]?.conclusion).toBe("success");
 *   await fake.close();
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ErrorObject } from "ajv";
import {
  customError,
  getOpenApiIndex,
  type OpenApiIndex,
  type OperationSpec,
  type SpecLoadStats,
} from "./openapi-index.js";
import {
  buildCommit,
  buildTarball,
  listDirectory,
  normalisePath,
  type BlobEntry,
  type CommitModel,
  type FileSpec,
  type TreeEntry,
} from "./repo-model.js";
import { extraRuleErrors } from "./rules.js";

export type { FileSpec } from "./repo-model.js";

export type Query = Record<string, string | string[]>;

export interface RecordedCall {
  method: string;
  /** Path without the query string, as sent (percent-encoding kept). */
  path: string;
  /** The description's operationId ("checks/create"); "codeload" for archive downloads; undefined if no route. */
  operationId: string | undefined;
  /** Parsed JSON body, the raw text if it was not JSON, undefined if there was none. */
  body: unknown;
  query: Query;
  /** Path parameters (decoded). */
  params: Record<string, string>;
  /** Status the fake answered with. */
  status: number;
  accept: string | undefined;
}

export interface ViolationError extends ErrorObject {
  /** "route" | "auth" | "path" | "query" | "body" | "rule" | "json" | "fake" */
  in: string;
}

export interface Violation {
  method: string;
  path: string;
  operationId?: string;
  errors: ViolationError[];
}

export type PullFileStatus =
  "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export interface PullFileSpec {
  filename: string;
  status: PullFileStatus;
  previous_filename?: string;
  additions?: number;
  deletions?: number;
  changes?: number;
  patch?: string;
  sha?: string;
}

export interface PullSpec {
  files: PullFileSpec[];
  head: { sha: string; ref?: string; owner?: string; repo?: string };
  base: { sha: string; ref?: string };
  title?: string;
  body?: string | null;
  state?: "open" | "closed";
  draft?: boolean;
  merged?: boolean;
  merge_commit_sha?: string | null;
  user?: string;
}

export interface RepoSpec {
  default_branch?: string;
  private?: boolean;
  /** branch name → commit SHA */
  branches?: Record<string, string>;
}

export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface FakeCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  details_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  /** All annotations sent so far, in order (GitHub appends the annotations of every update). */
  annotations: FakeAnnotation[];
  actions: Array<{ label: string; description: string; identifier: string }>;
  images: Array<{ alt: string; image_url: string; caption?: string }>;
  /** Number of PATCH updates received after the create. */
  updates: number;
}

export interface FakeStatus {
  id: number;
  sha: string;
  state: string;
  target_url: string | null;
  description: string | null;
  context: string;
  created_at: string;
}

export interface FakeGitHubOptions {
  /** The app's id: `GET /app`, check runs' `app.id`, and (when given) the JWT `iss` must equal it. */
  appId?: number;
  appSlug?: string;
  installationId?: number;
}

interface FaultRule {
  matches: (op: OperationSpec) => boolean;
  status: number;
  remaining: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface PullState extends PullSpec {
  number: number;
}

interface RepoState {
  owner: string;
  name: string;
  id: number;
  default_branch: string;
  private: boolean;
  branches: Map<string, string>;
  commits: Map<string, CommitModel>;
  pulls: Map<number, PullState>;
  statuses: FakeStatus[];
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  rawPath: string;
  query: Query;
  body: unknown;
  op: OperationSpec;
  params: Record<string, string>;
  call: RecordedCall;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const PULL_STATUSES: readonly PullFileStatus[] = [
  "added",
  "removed",
  "modified",
  "renamed",
  "copied",
  "changed",
  "unchanged",
];

/** GitHub's caps: pulls.listFiles returns at most 3000 files, the compare API at most 300. */
export const PULL_FILES_CAP = 3000;
export const COMPARE_FILES_CAP = 300;
/** Contents API: files above 1 MB come back with `encoding: "none"` and empty content (raw still works). */
const CONTENTS_INLINE_LIMIT = 1024 * 1024;

const notFound = () =>
  new HttpAnswer(404, {
    message: "Not Found",
    documentation_url: "https://docs.github.com/rest",
    status: "404",
  });

function toKebab(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** "checks.listForRef" / "checks/list-for-ref" → "checks/list-for-ref". */
export function normaliseOperationId(id: string): string {
  const [scope, name] = id.includes("/") ? id.split("/", 2) : id.split(".", 2);
  return `${toKebab(scope ?? "")}/${toKebab(name ?? "")}`;
}

function deepCopy<T>(v: T): T {
  return structuredClone(v);
}

function firstQuery(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

function base64Lines(buf: Buffer): string {
  // GitHub wraps the base64 content at 60 characters with "\n".
  return (buf.toString("base64").match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join("");
}

export class FakeGitHub {
  readonly calls: RecordedCall[] = [];
  readonly violations: Violation[] = [];
  /** Installation tokens handed out by `POST /app/installations/{id}/access_tokens`. */
  readonly issuedTokens: string[] = [];
  readonly appId: number;
  readonly appSlug: string;
  readonly installationId: number;
  url = "";
  private server: Server | undefined;
  private readonly index: OpenApiIndex;
  private repos = new Map<string, RepoState>();
  private runs: FakeCheckRun[] = [];
  private faults: FaultRule[] = [];
  private drops: Array<{ operationId: string; remaining: number }> = [];
  private readonly revoked = new Set<string>();
  /** Every token ever issued (reset() does not forget them: a client may still hold one). */
  private readonly everIssued: string[] = [];
  private nextId = 1000;
  private readonly tarballs = new Map<string, Buffer>();

  constructor(options: FakeGitHubOptions = {}) {
    this.appId = options.appId ?? 4242;
    this.appSlug = options.appSlug ?? "hubgate-test";
    this.installationId = options.installationId ?? 31337;
    this.index = getOpenApiIndex();
  }

  /** How the OpenAPI description was loaded in this module registry (shared by all fakes in it). */
  get specStats(): SpecLoadStats {
    return this.index.stats;
  }

  async listen(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the fake must fail the test too, not only surface as a 500 the code under test may swallow.
        this.violation({ method: req.method ?? "?", rawPath: req.url ?? "?" }, "fake", [
          customError("", "crash", `fake GitHub crashed: ${String(err)}`),
        ]);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ message: `fake GitHub crashed: ${String((err as Error)?.stack ?? err)}` }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Forget all state, calls, violations and pending faults (the server keeps running). */
  reset(): void {
    this.calls.length = 0;
    this.violations.length = 0;
    this.issuedTokens.length = 0;
    this.repos = new Map();
    this.runs = [];
    this.faults = [];
    this.drops = [];
    this.tarballs.clear();
  }

  // ---------------------------------------------------------------- content model

  setRepo(owner: string, repo: string, spec: RepoSpec = {}): void {
    const r = this.repo(owner, repo);
    if (spec.default_branch !== undefined) r.default_branch = spec.default_branch;
    if (spec.private !== undefined) r.private = spec.private;
    for (const [branch, sha] of Object.entries(spec.branches ?? {})) r.branches.set(branch, sha);
  }

  /** Point a branch at a commit (e.g. the default branch, used when contents are read without `ref`). */
  setBranch(owner: string, repo: string, branch: string, sha: string): void {
    this.repo(owner, repo).branches.set(branch, sha);
  }

  /** Define the whole tree at a commit. Used by contents, git trees, compare and tarball. */
  setCommit(owner: string, repo: string, sha: string, files: Record<string, FileSpec>, date?: Date): void {
    if (!/^[0-9a-f]{40}$/.test(sha))
      throw new Error(`fake GitHub: commit SHAs are 40 lowercase hex digits: ${sha}`);
    this.repo(owner, repo).commits.set(sha, buildCommit(sha, files, date));
    this.tarballs.delete(`${owner}/${repo}/${sha}`.toLowerCase());
  }

  /** Serve these exact bytes as the commit's tarball (hostile archives a tree cannot describe). */
  setTarball(owner: string, repo: string, sha: string, tgz: Buffer): void {
    this.tarballs.set(`${owner}/${repo}/${sha}`.toLowerCase(), tgz);
  }

  /** Define a pull request and its changed-files list (as pulls.listFiles returns it). */
  setPull(owner: string, repo: string, number: number, spec: PullSpec): void {
    for (const f of spec.files) {
      if (!PULL_STATUSES.includes(f.status)) throw new Error(`fake GitHub: bad file status ${f.status}`);
      if ((f.status === "renamed" || f.status === "copied") && !f.previous_filename) {
        throw new Error(`fake GitHub: ${f.status} file ${f.filename} needs previous_filename`);
      }
    }
    this.repo(owner, repo).pulls.set(number, { ...deepCopy(spec), number });
  }

  /** Current state of every check run created in owner/repo (deep copies, in creation order). */
  checkRuns(owner: string, repo: string): FakeCheckRun[] {
    const key = `${owner}/${repo}`.toLowerCase();
    return this.runs.filter((r) => `${r.owner}/${r.repo}`.toLowerCase() === key).map(deepCopy);
  }

  /** Commit statuses posted to owner/repo, optionally for one SHA. */
  statuses(owner: string, repo: string, sha?: string): FakeStatus[] {
    return this.repo(owner, repo)
      .statuses.filter((s) => sha === undefined || s.sha === sha)
      .map(deepCopy);
  }

  /**
   * Answer the next `times` matching requests with `status` (after validation). The selector is an
   * operationId in either spelling ("checks/update", "checks.update") or "METHOD /path/{template}".
   */
  failNext(
    selector: string,
    status = 502,
    times = 1,
    response: { body?: unknown; headers?: Record<string, string> } = {},
  ): void {
    let matches: (op: OperationSpec) => boolean;
    const m = /^([A-Za-z]+)\s+(\/\S*)$/.exec(selector.trim());
    if (m) {
      const method = (m[1] as string).toUpperCase();
      const template = m[2] as string;
      if (!this.index.operations.some((o) => o.method === method && o.pathTemplate === template)) {
        throw new Error(`fake GitHub: no operation ${method} ${template} in the OpenAPI description`);
      }
      matches = (op) => op.method === method && op.pathTemplate === template;
    } else {
      const id = normaliseOperationId(selector.trim());
      if (!this.index.byOperationId.has(id)) throw new Error(`fake GitHub: unknown operationId ${selector}`);
      matches = (op) => op.operationId === id;
    }
    this.faults.push({ matches, status, remaining: times, ...response });
  }

  /**
   * Do the next `times` calls of `operationId` (e.g. "checks/create") completely, then drop the
   * connection instead of answering: the reply lost after the work was done.
   */
  dropReplyNext(operationId: string, times = 1): void {
    const id = normaliseOperationId(operationId);
    if (!this.index.byOperationId.has(id)) throw new Error(`fake GitHub: unknown operationId ${operationId}`);
    this.drops.push({ operationId: id, remaining: times });
  }

  /** Every installation token issued so far stops working (401 Bad credentials), as when GitHub revokes them early. */
  revokeIssuedTokens(): void {
    for (const token of this.everIssued) this.revoked.add(token);
  }

  // ---------------------------------------------------------------- plumbing

  private repo(owner: string, name: string): RepoState {
    const key = `${owner}/${name}`.toLowerCase();
    let r = this.repos.get(key);
    if (!r) {
      r = {
        owner,
        name,
        id: this.nextId++,
        default_branch: "main",
        private: false,
        branches: new Map(),
        commits: new Map(),
        pulls: new Map(),
        statuses: [],
      };
      this.repos.set(key, r);
    }
    return r;
  }

  /** A SHA, an abbreviated SHA, a branch (`main`, `heads/main`, `refs/heads/main`) or `refs/pull/N/head`. */
  private resolveRef(r: RepoState, ref: string): string | undefined {
    if (r.commits.has(ref)) return ref;
    const pull = /^(?:refs\/)?pull\/(\d+)\/head$/.exec(ref);
    if (pull) return r.pulls.get(Number(pull[1]))?.head.sha;
    const branch = ref.replace(/^refs\/heads\//, "").replace(/^heads\//, "");
    const b = r.branches.get(branch);
    if (b) return b;
    if (/^[0-9a-f]{4,40}$/.test(ref)) {
      const hits = [...r.commits.keys()].filter((sha) => sha.startsWith(ref));
      if (hits.length === 1) return hits[0];
      if (ref.length === 40) return ref; // a full SHA we hold no tree for
    }
    return undefined;
  }

  private knownShas(r: RepoState): Set<string> {
    const shas = new Set<string>(r.commits.keys());
    for (const p of r.pulls.values()) {
      shas.add(p.head.sha);
      shas.add(p.base.sha);
    }
    for (const sha of r.branches.values()) shas.add(sha);
    return shas;
  }

  private violation(
    ctx: { method: string; rawPath: string; op?: OperationSpec },
    where: string,
    errors: ErrorObject[],
  ) {
    this.violations.push({
      method: ctx.method,
      path: ctx.rawPath,
      ...(ctx.op ? { operationId: ctx.op.operationId } : {}),
      errors: errors.map((e) => ({ ...e, in: where })),
    });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const common: Record<string, string> = {
      "x-github-request-id": randomUUID().toUpperCase(),
      "x-github-media-type": "github.v3; format=json",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
    };
    if (Buffer.isBuffer(body)) {
      res.writeHead(status, { ...common, "content-length": String(body.length), ...headers });
      res.end(body);
    } else if (body === undefined) {
      res.writeHead(status, { ...common, ...headers });
      res.end();
    } else {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        ...common,
        "content-type": "application/json; charset=utf-8",
        "content-length": String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const rawPath = url.pathname;
    const query: Query = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? (all[0] as string) : all;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const contentType = req.headers["content-type"];
    const accept = req.headers.accept;

    const call: RecordedCall = {
      method,
      path: rawPath,
      operationId: undefined,
      body: undefined,
      query,
      params: {},
      status: 0,
      accept,
    };
    this.calls.push(call);
    const answer = (a: HttpAnswer) => {
      call.status = a.status;
      this.send(res, a.status, a.body, a.headers);
    };

    if (rawPath.startsWith("/_codeload/")) {
      call.operationId = "codeload";
      return answer(await this.codeload(rawPath));
    }

    let body: unknown;
    if (rawBody.length > 0) {
      const text = rawBody.toString("utf8");
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        if (!contentType || /json/i.test(contentType)) {
          call.body = body;
          this.violation({ method, rawPath }, "json", [
            customError("", "json", "request body is not valid JSON"),
          ]);
          return answer(new HttpAnswer(400, { message: "Problems parsing JSON" }));
        }
      }
    }
    call.body = body;

    const matched = this.index.match(method, rawPath);
    if (matched.kind === "not-found") {
      this.violation({ method, rawPath }, "route", [
        customError("", "route", `no ${method} ${rawPath} in GitHub's OpenAPI description`),
      ]);
      return answer(notFound());
    }
    if (matched.kind === "method-not-allowed") {
      this.violation({ method, rawPath }, "route", [
        customError(
          "",
          "method",
          `${method} not allowed on ${rawPath}; allowed: ${matched.allowed.join(", ")}`,
        ),
      ]);
      return answer(
        new HttpAnswer(405, { message: "Method Not Allowed" }, { allow: matched.allowed.join(", ") }),
      );
    }
    const { op, params } = matched.match;
    call.operationId = op.operationId;
    call.params = params;
    const ctx: Ctx = { req, res, method, rawPath, query, body, op, params, call };

    const presented = /^token\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (presented !== undefined && this.revoked.has(presented))
      return answer(
        new HttpAnswer(401, {
          message: "Bad credentials",
          documentation_url: "https://docs.github.com/rest",
        }),
      );
    const authProblem = this.checkAuth(ctx);
    if (authProblem) {
      this.violation(ctx, "auth", [customError("", "auth", authProblem)]);
      return answer(new HttpAnswer(401, { message: "Bad credentials", detail: authProblem }));
    }

    const problems = this.index.validate(matched.match, query, body, contentType);
    const bodyErrors = problems.find((p) => p.in === "body")?.errors ?? [];
    const ruleErrors = extraRuleErrors(op.operationId, body, bodyErrors);
    if (problems.length > 0 || ruleErrors.length > 0) {
      const all: ViolationError[] = [
        ...problems.flatMap((p) => p.errors.map((e) => ({ ...e, in: p.in }))),
        ...ruleErrors.map((e) => ({ ...e, in: "rule" })),
      ];
      this.violations.push({ method, path: rawPath, operationId: op.operationId, errors: all });
      return answer(
        new HttpAnswer(422, {
          message: "Invalid request.",
          errors: all,
          documentation_url: "https://docs.github.com/rest",
          status: "422",
        }),
      );
    }

    const fault = this.faults.find((f) => f.remaining > 0 && f.matches(op));
    if (fault) {
      fault.remaining--;
      this.faults = this.faults.filter((f) => f.remaining > 0);
      return answer(
        new HttpAnswer(
          fault.status,
          fault.body ?? { message: `Injected failure ${fault.status} (fake GitHub)` },
          fault.headers,
        ),
      );
    }

    const handler = this.handlers[op.operationId];
    if (!handler) {
      this.violation(ctx, "fake", [
        customError("", "notImplemented", `the fake does not implement ${op.operationId}`),
      ]);
      return answer(new HttpAnswer(501, { message: `fake GitHub does not implement ${op.operationId}` }));
    }
    const result = await handler(ctx);
    const drop = this.drops.find((d) => d.remaining > 0 && d.operationId === op.operationId);
    if (drop) {
      drop.remaining--;
      this.drops = this.drops.filter((d) => d.remaining > 0);
      req.socket.destroy();
      return;
    }
    return answer(result);
  }

  /** Installation endpoints need a token; app endpoints need an app JWT (signature not verified). */
  private checkAuth(ctx: Ctx): string | undefined {
    const header = ctx.req.headers.authorization;
    if (!header) return "no authorization header";
    const m = /^(token|bearer)\s+(\S+)$/i.exec(header);
    if (!m) return `unsupported authorization header: ${header.split(/\s/)[0]}`;
    const credential = m[2] as string;
    const jwt = decodeJwt(credential);
    const appEndpoint =
      ctx.op.pathTemplate === "/app" ||
      ctx.op.pathTemplate.startsWith("/app/") ||
      ["apps/get-repo-installation", "apps/get-org-installation", "apps/get-user-installation"].includes(
        ctx.op.operationId,
      );
    if (!appEndpoint)
      return jwt ? `${ctx.op.operationId} needs an installation token, not the app's JWT` : undefined;
    if (!jwt) return `${ctx.op.operationId} needs the app's JWT (authorization: bearer <jwt>)`;
    if ((m[1] as string).toLowerCase() !== "bearer")
      return "a JWT must be sent as `authorization: bearer <jwt>`";
    const { header: h, payload: p } = jwt;
    if (h.alg !== "RS256") return `JWT alg must be RS256, got ${String(h.alg)}`;
    if (typeof p.iat !== "number" || typeof p.exp !== "number") return "JWT needs numeric iat and exp";
    if (p.exp - p.iat > 600) return "JWT expiry is more than 10 minutes after iat";
    if (p.exp * 1000 < Date.now()) return "JWT has expired";
    // GitHub accepts the app's id or its client id as the issuer.
    if (String(p.iss) !== String(this.appId) && p.iss !== this.app().client_id) {
      return `JWT iss ${String(p.iss)} is not the app id ${this.appId}`;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- response shapes

  private user(login: string, id: number, type = "User") {
    const api = `${this.url}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id,
      node_id: `U_${id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: "",
      url: api,
      html_url: `https://github.com/${encodeURIComponent(login)}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type,
      site_admin: false,
    };
  }

  private app() {
    return {
      id: this.appId,
      slug: this.appSlug,
      node_id: `A_${this.appId}`,
      client_id: `Iv1.${this.appId.toString(16).padStart(16, "0")}`,
      owner: this.user("hubgate-org", 1, "Organization"),
      name: this.appSlug,
      description: "fake app",
      external_url: "https://example.invalid",
      html_url: `https://github.com/apps/${this.appSlug}`,
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
      permissions: {
        checks: "write",
        contents: "read",
        metadata: "read",
        pull_requests: "read",
        statuses: "write",
      },
      events: ["check_run", "check_suite", "pull_request"],
      installations_count: 1,
    };
  }

  /** A "full-repository" as `GET /repos/{owner}/{repo}` answers (also used for a pull's head/base repo). */
  private repoJson(r: RepoState) {
    const api = `${this.url}/repos/${r.owner}/${r.name}`;
    const html = `https://github.com/${r.owner}/${r.name}`;
    const urls = Object.fromEntries(
      (
        [
          ["archive_url", "/{archive_format}{/ref}"],
          ["assignees_url", "/assignees{/user}"],
          ["blobs_url", "/git/blobs{/sha}"],
          ["branches_url", "/branches{/branch}"],
          ["collaborators_url", "/collaborators{/collaborator}"],
          ["comments_url", "/comments{/number}"],
          ["commits_url", "/commits{/sha}"],
          ["compare_url", "/compare/{base}...{head}"],
          ["contents_url", "/contents/{+path}"],
          ["contributors_url", "/contributors"],
          ["deployments_url", "/deployments"],
          ["downloads_url", "/downloads"],
          ["events_url", "/events"],
          ["forks_url", "/forks"],
          ["git_commits_url", "/git/commits{/sha}"],
          ["git_refs_url", "/git/refs{/sha}"],
          ["git_tags_url", "/git/tags{/sha}"],
          ["hooks_url", "/hooks"],
          ["issue_comment_url", "/issues/comments{/number}"],
          ["issue_events_url", "/issues/events{/number}"],
          ["issues_url", "/issues{/number}"],
          ["keys_url", "/keys{/key_id}"],
          ["labels_url", "/labels{/name}"],
          ["languages_url", "/languages"],
          ["merges_url", "/merges"],
          ["milestones_url", "/milestones{/number}"],
          ["notifications_url", "/notifications{?since,all,participating}"],
          ["pulls_url", "/pulls{/number}"],
          ["releases_url", "/releases{/id}"],
          ["stargazers_url", "/stargazers"],
          ["statuses_url", "/statuses/{sha}"],
          ["subscribers_url", "/subscribers"],
          ["subscription_url", "/subscription"],
          ["tags_url", "/tags"],
          ["teams_url", "/teams"],
          ["trees_url", "/git/trees{/sha}"],
        ] as const
      ).map(([key, suffix]) => [key, `${api}${suffix}`]),
    );
    return {
      id: r.id,
      node_id: `R_${r.id}`,
      name: r.name,
      full_name: `${r.owner}/${r.name}`,
      private: r.private,
      owner: this.user(r.owner, r.id + 1),
      html_url: html,
      description: null,
      fork: false,
      url: api,
      ...urls,
      git_url: `git://github.com/${r.owner}/${r.name}.git`,
      ssh_url: `git@github.com:${r.owner}/${r.name}.git`,
      clone_url: `${html}.git`,
      svn_url: html,
      mirror_url: null,
      homepage: null,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers: 0,
      watchers_count: 0,
      size: 0,
      default_branch: r.default_branch,
      open_issues: 0,
      open_issues_count: 0,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: false,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: r.private ? "private" : "public",
      license: null,
      pushed_at: "2024-01-01T00:00:00Z",
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
      network_count: 0,
      subscribers_count: 0,
    };
  }

  private checkRunJson(run: FakeCheckRun) {
    const api = `${this.url}/repos/${run.owner}/${run.repo}/check-runs/${run.id}`;
    return {
      id: run.id,
      head_sha: run.head_sha,
      node_id: `CR_${run.id}`,
      external_id: run.external_id,
      url: api,
      html_url: `https://github.com/${run.owner}/${run.repo}/runs/${run.id}`,
      details_url: run.details_url,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.started_at,
      completed_at: run.completed_at,
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.annotations.length,
        annotations_url: `${api}/annotations`,
      },
      name: run.name,
      check_suite: { id: 7000 + run.id },
      app: this.app(),
      pull_requests: [],
    };
  }

  // ---------------------------------------------------------------- handlers

  private readonly handlers: Record<string, (ctx: Ctx) => HttpAnswer | Promise<HttpAnswer>> = {
    "apps/get-authenticated": () => new HttpAnswer(200, this.app()),

    "apps/create-installation-access-token": (ctx) => {
      const id = Number(ctx.params.installation_id);
      if (id !== this.installationId) return notFound();
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      this.issuedTokens.push(token);
      this.everIssued.push(token);
      return new HttpAnswer(201, {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: this.app().permissions,
        repository_selection: "all",
      });
    },

    "apps/get-repo-installation": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      return new HttpAnswer(200, {
        id: this.installationId,
        account: this.user(r.owner, r.id + 1),
        repository_selection: "all",
        access_tokens_url: `${this.url}/app/installations/${this.installationId}/access_tokens`,
        repositories_url: `${this.url}/installation/repositories`,
        html_url: `https://github.com/settings/installations/${this.installationId}`,
        app_id: this.appId,
        app_slug: this.appSlug,
        target_id: r.id + 1,
        target_type: "Organization",
        permissions: this.app().permissions,
        events: this.app().events,
        created_at: "2024-01-01T00:00:00Z",
        updated_at: "2024-01-01T00:00:00Z",
        single_file_name: null,
        suspended_by: null,
        suspended_at: null,
      });
    },

    "repos/get": (ctx) =>
      new HttpAnswer(200, this.repoJson(this.repo(ctx.params.owner as string, ctx.params.repo as string))),

    // -------- checks
    "checks/create": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const b = ctx.body as Record<string, unknown>;
      const known = this.knownShas(r);
      if (known.size > 0 && !known.has(b.head_sha as string)) {
        const err = customError("/head_sha", "commit", `No commit found for SHA: ${String(b.head_sha)}`);
        this.violation(ctx, "rule", [err]);
        return new HttpAnswer(422, {
          message: `No commit found for SHA: ${String(b.head_sha)}`,
          status: "422",
        });
      }
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const run: FakeCheckRun = {
        id: this.nextId++,
        owner: r.owner,
        repo: r.name,
        name: b.name as string,
        head_sha: b.head_sha as string,
        status: "queued",
        conclusion: null,
        external_id: null,
        details_url: null,
        started_at: now,
        completed_at: null,
        output: { title: null, summary: null, text: null, annotations_count: 0 },
        annotations: [],
        actions: [],
        images: [],
        updates: 0,
      };
      this.applyCheckRunBody(run, b);
      this.runs.push(run);
      return new HttpAnswer(201, this.checkRunJson(run));
    },

    "checks/update": (ctx) => {
      const run = this.findRun(ctx);
      if (!run) return notFound();
      run.updates++;
      this.applyCheckRunBody(run, ctx.body as Record<string, unknown>);
      return new HttpAnswer(200, this.checkRunJson(run));
    },

    "checks/get": (ctx) => {
      const run = this.findRun(ctx);
      return run ? new HttpAnswer(200, this.checkRunJson(run)) : notFound();
    },

    "checks/list-annotations": (ctx) => {
      const run = this.findRun(ctx);
      if (!run) return notFound();
      const items = run.annotations.map((a) => ({
        path: a.path,
        start_line: a.start_line,
        end_line: a.end_line,
        start_column: a.start_column ?? null,
        end_column: a.end_column ?? null,
        annotation_level: a.annotation_level,
        title: a.title ?? null,
        message: a.message,
        raw_details: a.raw_details ?? null,
        blob_href: `https://github.com/${run.owner}/${run.repo}/blob/${run.head_sha}/${a.path}`,
      }));
      const page = this.paginate(ctx, items, items.length);
      return new HttpAnswer(200, page.items, page.headers);
    },

    "checks/list-for-ref": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const ref = ctx.params.ref as string;
      const sha = this.resolveRef(r, ref) ?? ref;
      const checkName = firstQuery(ctx.query, "check_name");
      const status = firstQuery(ctx.query, "status");
      const appId = firstQuery(ctx.query, "app_id");
      const filter = firstQuery(ctx.query, "filter") ?? "latest";
      let runs = this.runs
        .filter(
          (run) =>
            run.owner.toLowerCase() === r.owner.toLowerCase() &&
            run.repo.toLowerCase() === r.name.toLowerCase(),
        )
        .filter((run) => run.head_sha === sha)
        .filter((run) => checkName === undefined || run.name === checkName)
        .filter((run) => status === undefined || run.status === status)
        .filter(() => appId === undefined || Number(appId) === this.appId);
      if (filter === "latest") {
        // The most recent check run per name.
        const latest = new Map<string, FakeCheckRun>();
        for (const run of runs) latest.set(run.name, run);
        runs = [...latest.values()];
      }
      runs = [...runs].sort((a, b) => b.id - a.id);
      const page = this.paginate(ctx, runs, runs.length);
      return new HttpAnswer(
        200,
        { total_count: runs.length, check_runs: page.items.map((run) => this.checkRunJson(run)) },
        page.headers,
      );
    },

    // -------- statuses
    "repos/create-commit-status": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const b = ctx.body as Record<string, unknown>;
      const status: FakeStatus = {
        id: this.nextId++,
        sha: ctx.params.sha as string,
        state: b.state as string,
        target_url: (b.target_url as string | null | undefined) ?? null,
        description: (b.description as string | null | undefined) ?? null,
        context: (b.context as string | undefined) ?? "default",
        created_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      };
      r.statuses.push(status);
      return new HttpAnswer(201, {
        url: `${this.url}/repos/${r.owner}/${r.name}/statuses/${status.sha}`,
        avatar_url: null,
        id: status.id,
        node_id: `SC_${status.id}`,
        state: status.state,
        description: status.description,
        target_url: status.target_url,
        context: status.context,
        created_at: status.created_at,
        updated_at: status.created_at,
        creator: this.user(`${this.appSlug}[bot]`, this.appId, "Bot"),
      });
    },

    // -------- pulls
    "pulls/get": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const p = r.pulls.get(Number(ctx.params.pull_number));
      return p ? new HttpAnswer(200, this.pullJson(r, p)) : notFound();
    },

    "pulls/list-files": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const p = r.pulls.get(Number(ctx.params.pull_number));
      if (!p) return notFound();
      const head = r.commits.get(p.head.sha);
      const base = r.commits.get(p.base.sha);
      const files = p.files.slice(0, PULL_FILES_CAP).map((f) => this.fileJson(r, f, head, base, p.head.sha));
      const page = this.paginate(ctx, files, files.length);
      return new HttpAnswer(200, page.items, page.headers);
    },

    // -------- git data
    // The description has both `compare/{basehead}` and octokit's older `compare/{base}...{head}`.
    "repos/compare-commits-with-basehead": (ctx) => {
      const m = /^(.+?)(\.\.\.?)(.+)$/.exec(ctx.params.basehead as string);
      return m ? this.compare(ctx, m[1] as string, m[3] as string) : notFound();
    },
    "repos/compare-commits": (ctx) => this.compare(ctx, ctx.params.base as string, ctx.params.head as string),

    "git/get-tree": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const wanted = ctx.params.tree_sha as string;
      let commit: CommitModel | undefined;
      let root = "";
      const sha = this.resolveRef(r, wanted);
      if (sha) commit = r.commits.get(sha);
      if (!commit) {
        for (const c of r.commits.values()) {
          const t = [...c.trees.values()].find((t) => t.sha === wanted);
          if (t) {
            commit = c;
            root = t.path;
            break;
          }
        }
      }
      if (!commit) return notFound();
      const recursive = ctx.query.recursive !== undefined; // "any value" enables recursion, even "0"/"false"
      const prefix = root ? `${root}/` : "";
      const entries: Array<BlobEntry | TreeEntry> = recursive
        ? [...commit.trees.values(), ...commit.blobs.values()]
            .filter((e) => e.path !== root && e.path.startsWith(prefix))
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        : listDirectory(commit, root);
      const api = `${this.url}/repos/${r.owner}/${r.name}/git`;
      const tree = entries.map((e) =>
        e.type === "blob"
          ? {
              path: e.path.slice(prefix.length),
              mode: e.mode,
              type: "blob",
              sha: e.sha,
              size: e.content.length,
              url: `${api}/blobs/${e.sha}`,
            }
          : {
              path: e.path.slice(prefix.length),
              mode: e.mode,
              type: "tree",
              sha: e.sha,
              url: `${api}/trees/${e.sha}`,
            },
      );
      const treeSha = commit.trees.get(root)?.sha ?? "";
      return new HttpAnswer(200, { sha: treeSha, url: `${api}/trees/${treeSha}`, tree, truncated: false });
    },

    "repos/get-content": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const ref = firstQuery(ctx.query, "ref") ?? r.default_branch;
      const sha = this.resolveRef(r, ref);
      const commit = sha ? r.commits.get(sha) : undefined;
      if (!commit)
        return new HttpAnswer(404, { message: `No commit found for the ref ${ref}`, status: "404" });
      let path: string;
      try {
        path = normalisePath(ctx.params.path as string);
      } catch {
        return notFound();
      }
      const accept = ctx.req.headers.accept ?? "";
      const rawType = /application\/vnd\.github(?:\.v3)?\.raw(?:\+json)?/.exec(accept)?.[0];
      let blob = commit.blobs.get(path);
      if (blob?.mode === "120000") {
        // A symlink to a file in the repository answers with that file's content.
        const target = resolveLink(path, blob.content.toString("utf8"));
        const followed = target ? commit.blobs.get(target) : undefined;
        if (followed && followed.mode !== "120000") blob = followed;
      }
      const api = `${this.url}/repos/${r.owner}/${r.name}`;
      const entryJson = (e: BlobEntry | TreeEntry) => {
        const type = e.type === "tree" ? "dir" : e.mode === "120000" ? "symlink" : "file";
        return {
          type,
          size: e.type === "blob" ? e.content.length : 0,
          name: e.path.split("/").pop() ?? e.path,
          path: e.path,
          sha: e.sha,
          url: `${api}/contents/${e.path}?ref=${ref}`,
          git_url: `${api}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`,
          html_url: `https://github.com/${r.owner}/${r.name}/${e.type === "tree" ? "tree" : "blob"}/${ref}/${e.path}`,
          download_url:
            type === "dir" ? null : `https://raw.githubusercontent.com/${r.owner}/${r.name}/${ref}/${e.path}`,
          _links: {
            self: `${api}/contents/${e.path}?ref=${ref}`,
            git: `${api}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`,
            html: `https://github.com/${r.owner}/${r.name}/${e.type === "tree" ? "tree" : "blob"}/${ref}/${e.path}`,
          },
        };
      };
      if (blob) {
        if (rawType) {
          return new HttpAnswer(200, blob.content, {
            "content-type": `application/vnd.github.raw; charset=utf-8`,
          });
        }
        if (blob.mode === "120000") {
          return new HttpAnswer(200, { ...entryJson(blob), target: blob.content.toString("utf8") });
        }
        const inline = blob.content.length <= CONTENTS_INLINE_LIMIT;
        return new HttpAnswer(200, {
          ...entryJson(blob),
          content: inline ? base64Lines(blob.content) : "",
          encoding: inline ? "base64" : "none",
        });
      }
      if (commit.trees.has(path)) return new HttpAnswer(200, listDirectory(commit, path).map(entryJson));
      return notFound();
    },

    "repos/download-tarball-archive": (ctx) => {
      const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
      const sha = this.resolveRef(r, ctx.params.ref as string);
      if (!sha || !r.commits.has(sha)) return notFound();
      const location = `${this.url}/_codeload/${encodeURIComponent(r.owner)}/${encodeURIComponent(r.name)}/legacy.tar.gz/${sha}?token=${randomBytes(8).toString("hex")}`;
      return new HttpAnswer(302, undefined, { location });
    },
  };

  private compare(ctx: Ctx, baseRef: string, headRef: string): HttpAnswer {
    const r = this.repo(ctx.params.owner as string, ctx.params.repo as string);
    const spec = `${baseRef}...${headRef}`;
    const baseSha = this.resolveRef(r, baseRef.replace(/^[^:]+:/, ""));
    const headSha = this.resolveRef(r, headRef.replace(/^[^:]+:/, ""));
    const base = baseSha ? r.commits.get(baseSha) : undefined;
    const head = headSha ? r.commits.get(headSha) : undefined;
    if (!base || !head) return notFound();
    // "The list of changed files is only shown on the first page of results, and it includes up to 300
    // changed files for the entire comparison."
    const page = Number(firstQuery(ctx.query, "page") ?? "1");
    const files = page > 1 ? [] : diffTrees(base, head).slice(0, COMPARE_FILES_CAP);
    const same = base.sha === head.sha;
    const api = `${this.url}/repos/${r.owner}/${r.name}`;
    const html = `https://github.com/${r.owner}/${r.name}`;
    const commitJson = (c: CommitModel) => {
      const person = { name: "Fake Author", email: "author@example.invalid", date: c.date.toISOString() };
      const treeSha = c.trees.get("")?.sha ?? "";
      return {
        url: `${api}/commits/${c.sha}`,
        sha: c.sha,
        node_id: `C_${c.sha}`,
        html_url: `${html}/commit/${c.sha}`,
        comments_url: `${api}/commits/${c.sha}/comments`,
        commit: {
          url: `${api}/git/commits/${c.sha}`,
          author: person,
          committer: person,
          message: `commit ${c.sha.slice(0, 7)}`,
          comment_count: 0,
          tree: { sha: treeSha, url: `${api}/git/trees/${treeSha}` },
        },
        author: null,
        committer: null,
        parents: [],
      };
    };
    return new HttpAnswer(200, {
      url: `${api}/compare/${spec}`,
      html_url: `${html}/compare/${spec}`,
      permalink_url: `${html}/compare/${r.owner}:${base.sha.slice(0, 7)}...${r.owner}:${head.sha.slice(0, 7)}`,
      diff_url: `${html}/compare/${spec}.diff`,
      patch_url: `${html}/compare/${spec}.patch`,
      status: same ? "identical" : "ahead",
      ahead_by: same ? 0 : 1,
      behind_by: 0,
      total_commits: same ? 0 : 1,
      base_commit: commitJson(base),
      merge_base_commit: commitJson(base),
      commits: same ? [] : [commitJson(head)],
      files: files.map((f) => this.fileJson(r, f, head, base, head.sha)),
    });
  }

  private findRun(ctx: Ctx): FakeCheckRun | undefined {
    const id = Number(ctx.params.check_run_id);
    const key = `${ctx.params.owner}/${ctx.params.repo}`.toLowerCase();
    return this.runs.find((r) => r.id === id && `${r.owner}/${r.repo}`.toLowerCase() === key);
  }

  private applyCheckRunBody(run: FakeCheckRun, b: Record<string, unknown>) {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    if (typeof b.name === "string") run.name = b.name;
    if (b.external_id !== undefined) run.external_id = b.external_id as string;
    if (b.details_url !== undefined) run.details_url = b.details_url as string;
    if (b.started_at !== undefined) run.started_at = b.started_at as string;
    if (typeof b.status === "string") run.status = b.status;
    if (typeof b.conclusion === "string") {
      // "Providing conclusion will automatically set the status parameter to completed."
      run.conclusion = b.conclusion;
      run.status = "completed";
    }
    if (b.completed_at !== undefined) run.completed_at = b.completed_at as string;
    if (run.status === "completed" && !run.completed_at) run.completed_at = now;
    const output = b.output as
      | {
          title?: string;
          summary?: string;
          text?: string;
          annotations?: FakeAnnotation[];
          images?: FakeCheckRun["images"];
        }
      | undefined;
    if (output) {
      if (output.title !== undefined) run.output.title = output.title;
      if (output.summary !== undefined) run.output.summary = output.summary;
      if (output.text !== undefined) run.output.text = output.text;
      if (output.annotations) run.annotations.push(...deepCopy(output.annotations));
      if (output.images) run.images = deepCopy(output.images);
      run.output.annotations_count = run.annotations.length;
    }
    if (Array.isArray(b.actions)) run.actions = deepCopy(b.actions as FakeCheckRun["actions"]);
  }

  private fileJson(
    r: RepoState,
    f: PullFileSpec,
    head: CommitModel | undefined,
    base: CommitModel | undefined,
    ref: string,
  ) {
    const blob = f.status === "removed" ? base?.blobs.get(f.filename) : head?.blobs.get(f.filename);
    const additions = f.additions ?? 0;
    const deletions = f.deletions ?? 0;
    const enc = f.filename.split("/").map(encodeURIComponent).join("/");
    return {
      sha: f.sha ?? blob?.sha ?? null,
      filename: f.filename,
      status: f.status,
      additions,
      deletions,
      changes: f.changes ?? additions + deletions,
      blob_url: `https://github.com/${r.owner}/${r.name}/blob/${ref}/${enc}`,
      raw_url: `https://github.com/${r.owner}/${r.name}/raw/${ref}/${enc}`,
      contents_url: `${this.url}/repos/${r.owner}/${r.name}/contents/${enc}?ref=${ref}`,
      ...(f.patch !== undefined ? { patch: f.patch } : {}),
      ...(f.previous_filename !== undefined ? { previous_filename: f.previous_filename } : {}),
    };
  }

  private pullJson(r: RepoState, p: PullState) {
    const api = `${this.url}/repos/${r.owner}/${r.name}`;
    const headRepo =
      p.head.owner || p.head.repo ? this.repo(p.head.owner ?? r.owner, p.head.repo ?? r.name) : r;
    const headRef = p.head.ref ?? `pr-${p.number}`;
    const baseRef = p.base.ref ?? r.default_branch;
    const user = this.user(p.user ?? headRepo.owner, headRepo.id + 1);
    return {
      url: `${api}/pulls/${p.number}`,
      id: 500000 + p.number,
      node_id: `PR_${p.number}`,
      html_url: `https://github.com/${r.owner}/${r.name}/pull/${p.number}`,
      diff_url: `https://github.com/${r.owner}/${r.name}/pull/${p.number}.diff`,
      patch_url: `https://github.com/${r.owner}/${r.name}/pull/${p.number}.patch`,
      issue_url: `${api}/issues/${p.number}`,
      commits_url: `${api}/pulls/${p.number}/commits`,
      review_comments_url: `${api}/pulls/${p.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${p.number}/comments`,
      statuses_url: `${api}/statuses/${p.head.sha}`,
      number: p.number,
      state: p.state ?? "open",
      locked: false,
      title: p.title ?? `Pull request #${p.number}`,
      user,
      body: p.body ?? null,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
      closed_at: p.state === "closed" ? "2024-01-02T00:00:00Z" : null,
      merged_at: p.merged ? "2024-01-02T00:00:00Z" : null,
      merge_commit_sha: p.merge_commit_sha ?? null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${headRepo.owner}:${headRef}`,
        ref: headRef,
        sha: p.head.sha,
        user: this.user(headRepo.owner, headRepo.id + 1),
        repo: this.repoJson(headRepo),
      },
      base: {
        label: `${r.owner}:${baseRef}`,
        ref: baseRef,
        sha: p.base.sha,
        user: this.user(r.owner, r.id + 1),
        repo: this.repoJson(r),
      },
      _links: {
        self: { href: `${api}/pulls/${p.number}` },
        html: { href: `https://github.com/${r.owner}/${r.name}/pull/${p.number}` },
        issue: { href: `${api}/issues/${p.number}` },
        comments: { href: `${api}/issues/${p.number}/comments` },
        review_comments: { href: `${api}/pulls/${p.number}/comments` },
        review_comment: { href: `${api}/pulls/comments{/number}` },
        commits: { href: `${api}/pulls/${p.number}/commits` },
        statuses: { href: `${api}/statuses/${p.head.sha}` },
      },
      author_association: "CONTRIBUTOR",
      auto_merge: null,
      draft: p.draft ?? false,
      merged: p.merged ?? false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: "unknown",
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: p.files.reduce((n, f) => n + (f.additions ?? 0), 0),
      deletions: p.files.reduce((n, f) => n + (f.deletions ?? 0), 0),
      changed_files: p.files.length,
    };
  }

  /**
   * GitHub's pagination: `per_page` (default 30, silently capped at 100), `page` (default 1), and a
   * `Link` header with rel="prev", "next", "last", "first" (in that order, each only where it applies).
   */
  private paginate<T>(ctx: Ctx, items: T[], total: number): { items: T[]; headers: Record<string, string> } {
    const rawPer = Number(firstQuery(ctx.query, "per_page") ?? "30");
    const perPage = Math.min(100, rawPer >= 1 ? Math.floor(rawPer) : 30);
    const rawPage = Number(firstQuery(ctx.query, "page") ?? "1");
    const page = rawPage >= 1 ? Math.floor(rawPage) : 1;
    const last = Math.max(1, Math.ceil(total / perPage));
    const pageItems = items.slice((page - 1) * perPage, page * perPage);
    const link = (n: number) => {
      const u = new URL(`${this.url}${ctx.rawPath}`);
      for (const [k, v] of Object.entries(ctx.query)) {
        if (k === "page") continue;
        for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, one);
      }
      u.searchParams.set("page", String(n));
      return `<${u.toString()}>`;
    };
    const parts: string[] = [];
    if (page > 1) parts.push(`${link(Math.min(page - 1, last))}; rel="prev"`);
    if (page < last) parts.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) parts.push(`${link(1)}; rel="first"`);
    return { items: pageItems, headers: parts.length ? { link: parts.join(", ") } : {} };
  }

  private async codeload(rawPath: string): Promise<HttpAnswer> {
    const m = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(rawPath);
    if (!m) return notFound();
    const owner = decodeURIComponent(m[1] as string);
    const name = decodeURIComponent(m[2] as string);
    const sha = m[3] as string;
    const r = this.repo(owner, name);
    const commit = r.commits.get(sha);
    if (!commit) return notFound();
    const key = `${owner}/${name}/${sha}`.toLowerCase();
    let tgz = this.tarballs.get(key);
    if (!tgz) {
      tgz = await buildTarball(r.owner, r.name, commit);
      this.tarballs.set(key, tgz);
    }
    return new HttpAnswer(200, tgz, {
      "content-type": "application/x-gzip",
      "content-disposition": `attachment; filename=${r.owner}-${r.name}-${sha.slice(0, 7)}.tar.gz`,
    });
  }
}

function decodeJwt(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    const payload = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    return header && payload && typeof header === "object" && typeof payload === "object"
      ? { header, payload }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Resolve a symlink target relative to the link's directory; undefined if it leaves the repository. */
function resolveLink(linkPath: string, target: string): string | undefined {
  if (target.startsWith("/")) return undefined;
  const parts = linkPath.split("/").slice(0, -1);
  for (const seg of target.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join("/") || undefined;
}

/** Files changed between two trees, as the compare API lists them (identical moved blobs → renamed). */
function diffTrees(base: CommitModel, head: CommitModel): PullFileSpec[] {
  const files: PullFileSpec[] = [];
  const removed = [...base.blobs.values()].filter((b) => !head.blobs.has(b.path));
  const renamedFrom = new Set<string>();
  for (const blob of [...head.blobs.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const old = base.blobs.get(blob.path);
    if (!old) {
      const source = removed.find((x) => x.sha === blob.sha && !renamedFrom.has(x.path));
      if (source) {
        renamedFrom.add(source.path);
        files.push({ filename: blob.path, status: "renamed", previous_filename: source.path });
      } else {
        files.push({ filename: blob.path, status: "added", additions: lineCount(blob.content) });
      }
    } else if (old.sha !== blob.sha) {
      files.push({ filename: blob.path, status: "modified" });
    } else if (old.mode !== blob.mode) {
      files.push({ filename: blob.path, status: "changed" });
    }
  }
  for (const blob of removed) {
    if (!renamedFrom.has(blob.path))
      files.push({ filename: blob.path, status: "removed", deletions: lineCount(blob.content) });
  }
  return files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

function lineCount(buf: Buffer): number {
  if (buf.length === 0) return 0;
  const text = buf.toString("utf8");
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Start a fake GitHub on 127.0.0.1 and a random port; `fake.url` is Octokit's `baseUrl`. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(options).listen();
}
