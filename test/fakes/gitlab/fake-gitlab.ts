/**
 * A local fake of the GitLab REST API (v4) at the HTTP level, for tests. It implements the calls
 * hubgate makes, with GitLab's pagination headers, status state machine and error answers,
 * keeps state, records every call, and records a violation for anything the real GitLab
 * would refuse or that the fake does not know (unknown route, bad parameter, bad state).
 *
 *   const gl = await startFakeGitLab();
 *   const hub = gl.addProject({ id: 1, path: "hub", namespace: "jina" });
 *   gl.commit(1, { "executors/...": "..." }, { branch: "main" });
 *   // GITLAB_URL = gl.url, GITLAB_TOKEN = gl.token; run the code; then
 *   expect(gl.violations).toEqual([]);
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  buildArchive,
  computeDiffs,
  fakeSha,
  toFileMap,
  type CommitModel,
  type DiffModel,
  type Files,
  type MergeRequestModel,
  type NoteModel,
  type ProjectModel,
  type StatusModel,
  type StatusState,
  type UserModel,
} from "./gitlab-model.js";

export type {
  DiffModel,
  Files,
  MergeRequestModel,
  NoteModel,
  ProjectModel,
  StatusModel,
  StatusState,
} from "./gitlab-model.js";

export interface RecordedCall {
  method: string;
  /** Path below /api/v4, decoded per segment, without the query string. */
  path: string;
  /** Route name, e.g. "statuses/create"; undefined when no route matched. */
  route: string | undefined;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

export interface Violation {
  method: string;
  path: string;
  route?: string;
  problem: string;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  call: RecordedCall;
}

type Handler = (ctx: Ctx) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  name: string;
  handler: Handler;
}

/** GitLab's default `diff_max_files`: an MR diff never lists more files. */
export const DIFF_MAX_FILES = 1000;
/** GitLab's NOTE length limit. */
const NOTE_LIMIT = 1_000_000;
const STATUS_STATES = new Set(["pending", "running", "success", "failed", "canceled", "skipped"]);

class Reject extends Error {
  constructor(
    readonly status: number,
    readonly payload: object,
    readonly violation: string | undefined,
    readonly headers: Record<string, string> = {},
  ) {
    super(violation ?? JSON.stringify(payload));
  }
}

export class FakeGitLab {
  readonly token = "glpat-fake-token-0123456789";
  readonly bot: UserModel = { id: 900, username: "hubgate-bot", name: "hubgate" };
  readonly users = new Map<number, UserModel>([[900, this.bot]]);
  readonly calls: RecordedCall[] = [];
  readonly violations: Violation[] = [];
  /** Status writes GitLab's state machine refused (400 "Cannot transition status"), as GitLab answers them. */
  readonly refusedTransitions: string[] = [];
  url = "";

  private server: Server | undefined;
  private readonly projects = new Map<number, ProjectModel>();
  private readonly mergeRequests = new Map<string, MergeRequestModel>();
  private readonly statusList: StatusModel[] = [];
  private readonly noteList: NoteModel[] = [];
  private readonly held = new Map<string, { waiters: Array<() => void>; released: boolean }>();
  private readonly waiters: Array<{ route: string; count: number; resolve: () => void }> = [];
  private readonly failures: Array<{ route: string; status: number; headers?: Record<string, string> }> = [];
  private readonly statusDenied = new Set<number>();
  private nextId = 1000;
  private commitCounter = 0;
  private readonly routes: Route[] = [];

  constructor() {
    this.route("GET", "/user", "user", (c) => this.json(c, 200, this.userJson(this.bot)));
    this.route("GET", "/projects/:id", "projects/show", (c) => this.showProject(c));
    this.route("GET", "/projects/:id/merge_requests/:iid", "merge_requests/show", (c) =>
      this.showMergeRequest(c),
    );
    this.route("GET", "/projects/:id/merge_requests/:iid/diffs", "merge_requests/diffs", (c) =>
      this.listDiffs(c),
    );
    this.route("GET", "/projects/:id/merge_requests/:iid/notes", "notes/list", (c) => this.listNotes(c));
    this.route("POST", "/projects/:id/merge_requests/:iid/notes", "notes/create", (c) => this.createNote(c));
    this.route("PUT", "/projects/:id/merge_requests/:iid/notes/:note_id", "notes/edit", (c) =>
      this.editNote(c),
    );
    this.route("GET", "/projects/:id/repository/files/:file_path/raw", "files/raw", (c) => this.rawFile(c));
    this.route("GET", "/projects/:id/repository/tree", "repository/tree", (c) => this.tree(c));
    this.route("GET", "/projects/:id/repository/archive.:format", "repository/archive", (c) =>
      this.archive(c),
    );
    this.route("GET", "/projects/:id/repository/commits/:sha", "commits/show", (c) => this.showCommit(c));
    this.route("GET", "/projects/:id/repository/commits/:sha/statuses", "statuses/list", (c) =>
      this.listStatuses(c),
    );
    this.route("POST", "/projects/:id/statuses/:sha", "statuses/create", (c) => this.createStatus(c));
  }

  // ------------------------------------------------------------------ setup

  addProject(spec: { id: number; path: string; namespace?: string; defaultBranch?: string }): ProjectModel {
    const namespace = spec.namespace ?? "hub-owner";
    const project: ProjectModel = {
      id: spec.id,
      path: spec.path,
      namespace,
      webUrl: `${this.url}/${namespace}/${spec.path}`,
      defaultBranch: spec.defaultBranch ?? "main",
      commits: new Map(),
      branches: new Map(),
    };
    this.projects.set(spec.id, project);
    return project;
  }

  project(id: number): ProjectModel {
    const p = this.projects.get(id);
    if (!p) throw new Error(`fake GitLab: no project ${id}`);
    return p;
  }

  /** Add a commit holding exactly `files`; moves `branch` to it when given. */
  commit(
    projectId: number,
    files: Files,
    options: { branch?: string; parents?: string[]; message?: string; sha?: string } = {},
  ): string {
    const project = this.project(projectId);
    const sha = options.sha ?? fakeSha(`commit-${++this.commitCounter}-${projectId}`);
    const parents =
      options.parents ??
      (options.branch && project.branches.has(options.branch) ? [project.branches.get(options.branch)!] : []);
    const commit: CommitModel = {
      sha,
      parents,
      files: toFileMap(files),
      message: options.message ?? "commit",
    };
    project.commits.set(sha, commit);
    if (options.branch) project.branches.set(options.branch, sha);
    return sha;
  }

  /** Make a commit that exists in another project too (a fork shares history). */
  shareCommit(fromProjectId: number, toProjectId: number, sha: string): void {
    const commit = this.project(fromProjectId).commits.get(sha);
    if (!commit) throw new Error(`fake GitLab: no commit ${sha} in ${fromProjectId}`);
    this.project(toProjectId).commits.set(sha, commit);
  }

  addMergeRequest(spec: {
    targetProjectId: number;
    iid: number;
    sourceProjectId?: number;
    sourceBranch: string;
    targetBranch?: string;
    headSha: string;
    diffs?: DiffModel[];
    authorId?: number;
  }): MergeRequestModel {
    const target = this.project(spec.targetProjectId);
    const targetBranch = spec.targetBranch ?? target.defaultBranch;
    const baseSha = target.branches.get(targetBranch);
    if (!baseSha) throw new Error(`fake GitLab: project ${target.id} has no branch ${targetBranch}`);
    const author = spec.authorId ?? 42;
    if (!this.users.has(author))
      this.users.set(author, { id: author, username: `contributor${author}`, name: "A Contributor" });
    const mr: MergeRequestModel = {
      id: this.nextId++,
      iid: spec.iid,
      targetProjectId: spec.targetProjectId,
      sourceProjectId: spec.sourceProjectId ?? spec.targetProjectId,
      sourceBranch: spec.sourceBranch,
      targetBranch,
      headSha: spec.headSha,
      baseSha,
      diffs: spec.diffs,
      state: "opened",
      authorId: author,
    };
    this.mergeRequests.set(`${spec.targetProjectId}!${spec.iid}`, mr);
    this.addNote(spec.targetProjectId, spec.iid, { body: "added 1 commit", authorId: author, system: true });
    return mr;
  }

  mergeRequest(projectId: number, iid: number): MergeRequestModel {
    const mr = this.mergeRequests.get(`${projectId}!${iid}`);
    if (!mr) throw new Error(`fake GitLab: no MR ${projectId}!${iid}`);
    return mr;
  }

  /** A push to the MR's source branch: new head, diffs recomputed, GitLab's system note. */
  pushToMergeRequest(projectId: number, iid: number, headSha: string, diffs?: DiffModel[]): void {
    const mr = this.mergeRequest(projectId, iid);
    mr.headSha = headSha;
    mr.diffs = diffs;
    this.addNote(projectId, iid, { body: "added 1 commit", authorId: mr.authorId, system: true });
  }

  addNote(
    projectId: number,
    iid: number,
    spec: { body: string; authorId: number; system?: boolean },
  ): NoteModel {
    const now = new Date().toISOString();
    const note: NoteModel = {
      id: this.nextId++,
      projectId,
      iid,
      body: spec.body,
      authorId: spec.authorId,
      system: spec.system ?? false,
      created_at: now,
      updated_at: now,
    };
    this.noteList.push(note);
    return note;
  }

  /**
   * Hold archive downloads of `sha` from `projectId` until the returned function is called:
   * the request is answered only then, which lets a test overlap two runs without timers.
   */
  holdArchive(projectId: number, sha: string): () => void {
    const key = `${projectId}@${sha}`;
    const gate = { waiters: [] as Array<() => void>, released: false };
    this.held.set(key, gate);
    return () => {
      gate.released = true;
      for (const w of gate.waiters.splice(0)) w();
    };
  }

  /** Resolves once `route` has been requested `count` times in all (held requests count on arrival). */
  whenCalled(route: string, count = 1): Promise<void> {
    if (this.callsTo(route).length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ route, count, resolve }));
  }

  /** Answer the next `times` requests to `route` with `status` (and `headers`, e.g. retry-after), as a failing GitLab would. */
  failNext(route: string, status: number, times = 1, headers?: Record<string, string>): void {
    for (let i = 0; i < times; i++) this.failures.push({ route, status, ...(headers ? { headers } : {}) });
  }

  /** The token has no right to set commit statuses in this project (a fork it is not a member of). */
  denyStatuses(projectId: number): void {
    this.statusDenied.add(projectId);
  }

  // ------------------------------------------------------------------ inspection

  /** Every status ever created on `sha` in `projectId` (a finished status is never reused). */
  statuses(projectId: number, sha?: string): StatusModel[] {
    return this.statusList.filter((s) => s.projectId === projectId && (sha === undefined || s.sha === sha));
  }

  /** The newest status per name, as GitLab shows them on the commit. */
  latestStatuses(projectId: number, sha: string): Map<string, StatusModel> {
    const latest = new Map<string, StatusModel>();
    for (const s of this.statuses(projectId, sha)) latest.set(s.name, s);
    return latest;
  }

  notes(projectId: number, iid: number, options: { includeSystem?: boolean } = {}): NoteModel[] {
    return this.noteList.filter(
      (n) => n.projectId === projectId && n.iid === iid && (options.includeSystem || !n.system),
    );
  }

  callsTo(route: string): RecordedCall[] {
    return this.calls.filter((c) => c.route === route);
  }

  // ------------------------------------------------------------------ server

  async listen(): Promise<this> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const gate of this.held.values()) {
      gate.released = true;
      for (const w of gate.waiters.splice(0)) w();
    }
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private route(method: string, template: string, name: string, handler: Handler): void {
    const keys: string[] = [];
    const source = template
      .split("/")
      .map((segment) =>
        segment.replace(/[.]|:([a-z_]+)/g, (m, key: string | undefined) => {
          if (!key) return "\\.";
          keys.push(key);
          return "([^/]+?)";
        }),
      )
      .join("/");
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, name, handler });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readAll(req);
    const call: RecordedCall = {
      method: req.method ?? "GET",
      path: url.pathname.replace(/^\/api\/v4/, ""),
      route: undefined,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
    };
    this.calls.push(call);
    try {
      if (!url.pathname.startsWith("/api/v4/"))
        throw new Reject(404, { error: "404 Not Found" }, "not an /api/v4 path");
      const rawPath = url.pathname.slice("/api/v4".length);
      const match = this.match(req.method ?? "GET", rawPath);
      if (!match) throw new Reject(404, { error: "404 Not Found" }, `no route ${req.method} ${rawPath}`);
      call.route = match.route.name;
      call.path = rawPath
        .split("/")
        .map((s) => decodeURIComponent(s))
        .join("/");
      if (req.headers["private-token"] !== this.token)
        throw new Reject(401, { message: "401 Unauthorized" }, "missing or wrong PRIVATE-TOKEN");
      for (const w of this.waiters.filter(
        (w) => w.route === call.route && this.callsTo(w.route).length >= w.count,
      )) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
      const failure = this.failures.find((f) => f.route === call.route);
      if (failure) {
        this.failures.splice(this.failures.indexOf(failure), 1);
        throw new Reject(
          failure.status,
          { message: `${failure.status} (injected by the test)` },
          undefined,
          failure.headers,
        );
      }
      if (raw.length) {
        const type = String(req.headers["content-type"] ?? "");
        if (!type.startsWith("application/json"))
          throw new Reject(400, { error: "unsupported body" }, `body sent as ${type}`);
        try {
          call.body = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new Reject(400, { error: "invalid JSON" }, "body is not JSON");
        }
      }
      checkPagination(url.searchParams);
      await match.route.handler({
        req,
        res,
        params: match.params,
        query: url.searchParams,
        body: call.body,
        call,
      });
    } catch (error) {
      if (error instanceof Reject) {
        if (error.violation)
          this.violations.push({
            method: call.method,
            path: call.path,
            route: call.route,
            problem: error.violation,
          });
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        this.json({ res, call } as Ctx, error.status, error.payload);
      } else {
        this.violations.push({
          method: call.method,
          path: call.path,
          route: call.route,
          problem: `fake crashed: ${String(error)}`,
        });
        this.json({ res, call } as Ctx, 500, { message: "500 Internal Server Error" });
      }
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { route, params };
    }
    return undefined;
  }

  private json(
    c: Pick<Ctx, "res" | "call">,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void {
    c.call.status = status;
    const text = JSON.stringify(payload);
    c.res.writeHead(status, { "Content-Type": "application/json", ...headers });
    c.res.end(text);
  }

  /** GitLab's offset pagination: x-* headers and an absolute Link header. */
  private page<T>(c: Ctx, items: T[]): void {
    const page = Number(c.query.get("page") ?? "1");
    const perPage = Math.min(Number(c.query.get("per_page") ?? "20"), 100);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const q = new URLSearchParams(c.query);
      q.set("page", String(p));
      q.set("per_page", String(perPage));
      return `<${this.url}/api/v4${c.call.path.split("/").map(encodeURIComponent).join("/")}?${q.toString()}>`;
    };
    const links = [
      ...(page > 1 ? [`${link(page - 1)}; rel="prev"`] : []),
      ...(page < totalPages ? [`${link(page + 1)}; rel="next"`] : []),
      `${link(1)}; rel="first"`,
      `${link(totalPages)}; rel="last"`,
    ];
    this.json(c, 200, slice, {
      "x-page": String(page),
      "x-per-page": String(perPage),
      "x-total": String(items.length),
      "x-total-pages": String(totalPages),
      "x-next-page": page < totalPages ? String(page + 1) : "",
      "x-prev-page": page > 1 ? String(page - 1) : "",
      link: links.join(", "),
    });
  }

  // ------------------------------------------------------------------ routes

  private findProject(id: string): ProjectModel {
    const byId = /^\d+$/.test(id)
      ? this.projects.get(Number(id))
      : [...this.projects.values()].find((p) => `${p.namespace}/${p.path}` === id);
    if (!byId) throw new Reject(404, { message: "404 Project Not Found" }, undefined);
    return byId;
  }

  private findMergeRequest(c: Ctx): MergeRequestModel {
    const project = this.findProject(c.params.id!);
    const mr = this.mergeRequests.get(`${project.id}!${c.params.iid}`);
    if (!mr) throw new Reject(404, { message: "404 Not found" }, undefined);
    return mr;
  }

  private findCommit(project: ProjectModel, sha: string): CommitModel {
    const commit = project.commits.get(sha) ?? project.commits.get(project.branches.get(sha) ?? "");
    if (!commit) throw new Reject(404, { message: "404 Commit Not Found" }, undefined);
    return commit;
  }

  private showProject(c: Ctx): void {
    const p = this.findProject(c.params.id!);
    this.json(c, 200, {
      id: p.id,
      path: p.path,
      path_with_namespace: `${p.namespace}/${p.path}`,
      web_url: p.webUrl,
      default_branch: p.defaultBranch,
    });
  }

  private showMergeRequest(c: Ctx): void {
    const mr = this.findMergeRequest(c);
    this.json(c, 200, {
      id: mr.id,
      iid: mr.iid,
      project_id: mr.targetProjectId,
      source_project_id: mr.sourceProjectId,
      target_project_id: mr.targetProjectId,
      source_branch: mr.sourceBranch,
      target_branch: mr.targetBranch,
      state: mr.state,
      sha: mr.headSha,
      merge_commit_sha: mr.mergeCommitSha ?? null,
      diff_refs: { base_sha: mr.baseSha, head_sha: mr.headSha, start_sha: mr.baseSha },
      overflow: this.diffsOf(mr).length > DIFF_MAX_FILES,
    });
  }

  private diffsOf(mr: MergeRequestModel): DiffModel[] {
    if (mr.diffs) return mr.diffs;
    const base = this.project(mr.targetProjectId).commits.get(mr.baseSha);
    const head = this.project(mr.sourceProjectId).commits.get(mr.headSha);
    if (!base || !head) throw new Error(`fake GitLab: MR ${mr.iid} points at a missing commit`);
    return computeDiffs(base.files, head.files);
  }

  private listDiffs(c: Ctx): void {
    allowOnly(c.query, ["page", "per_page", "unidiff"]);
    // Like GitLab, a diff over diff_max_files keeps only the first files (the MR shows overflow).
    this.page(c, this.diffsOf(this.findMergeRequest(c)).slice(0, DIFF_MAX_FILES));
  }

  /** GET /projects/:id/repository/tree with keyset pagination (page_token = last path served). */
  private tree(c: Ctx): void {
    allowOnly(c.query, ["ref", "recursive", "path", "pagination", "per_page", "page_token", "page"]);
    const project = this.findProject(c.params.id!);
    const ref = c.query.get("ref");
    if (!ref)
      throw new Reject(400, { error: "ref is missing" }, "tree without ref (would be the default branch)");
    if (c.query.get("recursive") !== "true")
      throw new Reject(400, { error: "fake: only recursive trees" }, "tree not recursive");
    if (c.query.get("pagination") !== "keyset")
      throw new Reject(400, { error: "fake: use keyset pagination" }, "tree without keyset pagination");
    const commit = this.findCommit(project, ref);
    const dirs = new Set<string>();
    for (const path of commit.files.keys()) {
      const parts = path.split("/");
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    }
    const entries = [
      ...[...dirs].map((path) => ({
        id: fakeSha(`tree:${path}`),
        name: path.split("/").pop()!,
        type: "tree",
        path,
        mode: "040000",
      })),
      ...[...commit.files].map(([path, content]) => ({
        id: gitBlobId(content),
        name: path.split("/").pop()!,
        type: "blob",
        path,
        mode: "100644",
      })),
    ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const perPage = Math.min(Number(c.query.get("per_page") ?? "20"), 100);
    const token = c.query.get("page_token");
    const start = token ? entries.findIndex((e) => e.path > token) : 0;
    const slice = start < 0 ? [] : entries.slice(start, start + perPage);
    const headers: Record<string, string> = {};
    const last = slice[slice.length - 1];
    if (last && start + perPage < entries.length) {
      const q = new URLSearchParams(c.query);
      q.set("page_token", last.path);
      headers.link = `<${this.url}/api/v4/projects/${project.id}/repository/tree?${q.toString()}>; rel="next"`;
    }
    this.json(c, 200, slice, headers);
  }

  private noteJson(n: NoteModel): object {
    return {
      id: n.id,
      type: null,
      body: n.body,
      attachment: null,
      author: this.userJson(
        this.users.get(n.authorId) ?? { id: n.authorId, username: `user${n.authorId}`, name: "someone" },
      ),
      created_at: n.created_at,
      updated_at: n.updated_at,
      system: n.system,
      noteable_id: 1,
      noteable_type: "MergeRequest",
      project_id: n.projectId,
      noteable_iid: n.iid,
      resolvable: false,
      confidential: false,
      internal: false,
    };
  }

  private userJson(u: UserModel): object {
    return {
      id: u.id,
      username: u.username,
      name: u.name,
      state: "active",
      avatar_url: null,
      web_url: `${this.url}/${u.username}`,
    };
  }

  private listNotes(c: Ctx): void {
    allowOnly(c.query, ["page", "per_page", "sort", "order_by"]);
    const sort = c.query.get("sort") ?? "desc";
    const orderBy = c.query.get("order_by") ?? "created_at";
    if (!["asc", "desc"].includes(sort))
      throw new Reject(400, { error: "sort does not have a valid value" }, `sort=${sort}`);
    if (!["created_at", "updated_at"].includes(orderBy))
      throw new Reject(400, { error: "order_by does not have a valid value" }, `order_by=${orderBy}`);
    const mr = this.findMergeRequest(c);
    const notes = this.notes(mr.targetProjectId, mr.iid, { includeSystem: true }).sort((a, b) => a.id - b.id);
    if (sort === "desc") notes.reverse();
    this.page(
      c,
      notes.map((n) => this.noteJson(n)),
    );
  }

  private noteBody(c: Ctx): string {
    const body = (c.body as { body?: unknown } | undefined)?.body;
    if (typeof body !== "string" || body.trim() === "")
      throw new Reject(400, { message: "400 Bad request - body is missing" }, "note without body");
    if ([...body].length > NOTE_LIMIT)
      throw new Reject(
        400,
        { message: { note: [`is too long (maximum is ${NOTE_LIMIT} characters)`] } },
        "note too long",
      );
    return body;
  }

  private createNote(c: Ctx): void {
    const mr = this.findMergeRequest(c);
    const note = this.addNote(mr.targetProjectId, mr.iid, { body: this.noteBody(c), authorId: this.bot.id });
    this.json(c, 201, this.noteJson(note));
  }

  private editNote(c: Ctx): void {
    const mr = this.findMergeRequest(c);
    const note = this.noteList.find(
      (n) => n.id === Number(c.params.note_id) && n.projectId === mr.targetProjectId && n.iid === mr.iid,
    );
    if (!note) throw new Reject(404, { message: "404 Note Not Found" }, undefined);
    if (note.authorId !== this.bot.id || note.system)
      throw new Reject(403, { message: "403 Forbidden" }, `editing note ${note.id} of another author`);
    note.body = this.noteBody(c);
    note.updated_at = new Date().toISOString();
    this.json(c, 200, this.noteJson(note));
  }

  private rawFile(c: Ctx): void {
    allowOnly(c.query, ["ref", "lfs"]);
    const project = this.findProject(c.params.id!);
    const ref = c.query.get("ref");
    if (!ref) throw new Reject(400, { error: "ref is missing" }, "raw file without ref");
    const commit = this.findCommit(project, ref);
    const content = commit.files.get(c.params.file_path!);
    if (!content) throw new Reject(404, { message: "404 File Not Found" }, undefined);
    c.call.status = 200;
    c.res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    c.res.end(content);
  }

  private async archive(c: Ctx): Promise<void> {
    allowOnly(c.query, ["sha", "path", "include_lfs_blobs", "exclude_paths"]);
    if (c.params.format !== "tar.gz")
      throw new Reject(
        400,
        { error: "format not supported by the fake" },
        `archive format ${c.params.format}`,
      );
    const project = this.findProject(c.params.id!);
    const sha = c.query.get("sha");
    if (!sha)
      throw new Reject(400, { error: "sha is missing" }, "archive without sha (would be the default branch)");
    const key = `${project.id}@${sha}`;
    const gate = this.held.get(key);
    if (gate && !gate.released) await new Promise<void>((resolve) => gate.waiters.push(resolve));
    const commit = this.findCommit(project, sha);
    const body = await buildArchive(project, commit, sha);
    c.call.status = 200;
    if (c.res.destroyed) return;
    c.res.writeHead(200, {
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename="${project.path}-${sha}.tar.gz"`,
      "Content-Length": String(body.length),
    });
    c.res.end(body);
  }

  private showCommit(c: Ctx): void {
    const project = this.findProject(c.params.id!);
    const commit = this.findCommit(project, c.params.sha!);
    this.json(c, 200, {
      id: commit.sha,
      short_id: commit.sha.slice(0, 8),
      parent_ids: commit.parents,
      message: commit.message,
      title: commit.message,
    });
  }

  private statusJson(s: StatusModel): object {
    return {
      id: s.id,
      sha: s.sha,
      ref: s.ref,
      status: s.status,
      name: s.name,
      target_url: s.target_url,
      description: s.description,
      created_at: s.created_at,
      started_at: null,
      finished_at: null,
      allow_failure: false,
      coverage: null,
      author: this.userJson(this.bot),
    };
  }

  private listStatuses(c: Ctx): void {
    allowOnly(c.query, [
      "ref",
      "stage",
      "name",
      "all",
      "page",
      "per_page",
      "pipeline_id",
      "order_by",
      "sort",
    ]);
    const project = this.findProject(c.params.id!);
    this.findCommit(project, c.params.sha!);
    let list = this.statuses(project.id, c.params.sha!);
    const ref = c.query.get("ref");
    const name = c.query.get("name");
    if (ref) list = list.filter((s) => s.ref === ref);
    if (name) list = list.filter((s) => s.name === name);
    if (c.query.get("all") !== "true")
      list = [...new Map(list.map((s) => [`${s.ref}\0${s.name}`, s])).values()];
    this.page(
      c,
      list.map((s) => this.statusJson(s)),
    );
  }

  /**
   * POST /projects/:id/statuses/:sha, following GitLab's CreateCommitStatusService: a pending or
   * running status of the same name and ref is updated through the job state machine; otherwise a
   * new status is created. Impossible transitions answer 400 like GitLab does.
   */
  private createStatus(c: Ctx): void {
    const body = (c.body ?? {}) as Record<string, unknown>;
    const allowed = [
      "state",
      "ref",
      "name",
      "context",
      "target_url",
      "description",
      "coverage",
      "pipeline_id",
    ];
    const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
    if (unknown.length)
      throw new Reject(
        400,
        { error: `unknown parameters ${unknown.join(", ")}` },
        `unknown status parameters ${unknown.join(", ")}`,
      );
    const state = body.state;
    if (typeof state !== "string" || !state)
      throw new Reject(400, { error: "state is missing" }, "status without state");
    if (!STATUS_STATES.has(state))
      throw new Reject(400, { error: "state does not have a valid value" }, `invalid status state ${state}`);
    for (const key of ["name", "description", "target_url"] as const) {
      const v = body[key];
      if (v !== undefined && typeof v !== "string")
        throw new Reject(400, { error: `${key} is invalid` }, `${key} is not a string`);
      if (typeof v === "string" && [...v].length > 255)
        throw new Reject(
          400,
          { message: { [key]: ["is too long (maximum is 255 characters)"] } },
          `${key} longer than 255`,
        );
    }
    if (typeof body.target_url === "string" && !/^https?:\/\/[^\s]+$/.test(body.target_url)) {
      throw new Reject(
        400,
        { message: { target_url: ["is blocked: Only allowed schemes are http, https"] } },
        "target_url not http(s)",
      );
    }
    const project = this.findProject(c.params.id!);
    if (this.statusDenied.has(project.id)) throw new Reject(403, { message: "403 Forbidden" }, undefined);
    const sha = c.params.sha!;
    if (!project.commits.has(sha))
      throw new Reject(
        404,
        { message: "404 Commit Not Found" },
        `status for ${sha}, which is not a commit of project ${project.id}`,
      );
    const ref =
      typeof body.ref === "string" ? body.ref : [...project.branches].find(([, s]) => s === sha)?.[0];
    if (!ref)
      throw new Reject(
        404,
        { message: "404 References for commit Not Found" },
        "status without a ref on a commit no branch contains",
      );
    if (!project.branches.has(ref))
      throw new Reject(
        404,
        { message: "404 References for commit Not Found" },
        `ref ${ref} is not a branch of project ${project.id}`,
      );
    const name = (body.name as string | undefined) ?? (body.context as string | undefined) ?? "default";
    let status = this.statusList.find(
      (s) =>
        s.projectId === project.id &&
        s.sha === sha &&
        s.ref === ref &&
        s.name === name &&
        (s.status === "pending" || s.status === "running"),
    );
    const fresh = !status;
    status ??= {
      id: this.nextId++,
      projectId: project.id,
      sha,
      ref,
      name,
      status: "created",
      description: null,
      target_url: null,
      created_at: new Date().toISOString(),
      history: [],
    };
    const next = transition(status.status, state as StatusState);
    if (!next) {
      const event = EVENT[state as StatusState];
      this.refusedTransitions.push(`${name}: ${status.status} → ${state}`);
      throw new Reject(
        400,
        {
          message: `Cannot transition status via :${event} from :${status.status} (Reason(s): Status cannot transition via "${event}")`,
        },
        undefined,
      );
    }
    if (typeof body.description === "string") status.description = body.description;
    if (typeof body.target_url === "string") status.target_url = body.target_url;
    status.status = next;
    status.history.push(next);
    if (fresh) this.statusList.push(status);
    this.json(c, 201, this.statusJson(status));
  }
}

const EVENT: Record<StatusState, string> = {
  created: "create",
  pending: "enqueue",
  running: "run",
  success: "success",
  failed: "drop",
  canceled: "cancel",
  skipped: "skip",
};

/** GitLab's commit status state machine (Ci::HasStatus), for the transitions the API uses. */
function transition(from: StatusState, to: StatusState): StatusState | undefined {
  switch (to) {
    case "pending":
      return from === "created" || from === "skipped" ? "pending" : undefined;
    case "running":
      // The API enqueues first (created → pending), then runs.
      return from === "created" || from === "pending" ? "running" : undefined;
    case "success":
    case "failed":
    case "canceled":
      return from === "created" || from === "pending" || from === "running" ? to : undefined;
    case "skipped":
      return from === "created" || from === "pending" ? "skipped" : undefined;
    default:
      return undefined;
  }
}

function allowOnly(query: URLSearchParams, keys: string[]): void {
  const extra = [...query.keys()].filter((k) => !keys.includes(k));
  if (extra.length)
    throw new Reject(
      400,
      { error: `unknown parameters ${extra.join(", ")}` },
      `unknown query parameters ${extra.join(", ")}`,
    );
}

function checkPagination(query: URLSearchParams): void {
  for (const key of ["page", "per_page"]) {
    const v = query.get(key);
    if (v !== null && !/^[1-9]\d*$/.test(v))
      throw new Reject(400, { error: `${key} is invalid` }, `${key}=${v}`);
  }
}

/** The git blob id of `content`, as GitLab's tree API reports it. */
function gitBlobId(content: Buffer): string {
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]))
    .digest("hex");
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeGitLab(): Promise<FakeGitLab> {
  return new FakeGitLab().listen();
}
