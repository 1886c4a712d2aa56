/**
 * The parts of GitLab's Merge Request Hook and Push Hook payloads hubgate reads, checked
 * at the door so the rest of the adapter can rely on their types. Field names are GitLab's.
 */

export interface MergeRequestHook {
  object_kind: "merge_request";
  project: { id: number; web_url: string };
  object_attributes: {
    iid: number;
    action?: string;
    state?: string;
    source_project_id: number;
    target_project_id: number;
    source_branch: string;
    target_branch: string;
    last_commit: { id: string };
    /** Present only when the update pushed code (GitLab docs: "only available when there are actual code changes"). */
    oldrev?: string | null;
    merge_commit_sha?: string | null;
    squash_commit_sha?: string | null;
    url: string;
    source: { web_url: string };
    target: { web_url: string };
  };
}

export interface PushHook {
  object_kind: "push";
  ref: string;
  before: string;
  after: string;
  checkout_sha?: string | null;
  project: { id: number; web_url: string; default_branch?: string | null };
  commits?: Array<{ id: string; added?: string[]; modified?: string[]; removed?: string[] }>;
  total_commits_count?: number;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Check the fields hubgate relies on; anything else GitLab sends is passed through untouched. */
export function parseMergeRequestHook(body: unknown): Parsed<MergeRequestHook> {
  if (!isObject(body) || body.object_kind !== "merge_request")
    return fail("object_kind is not merge_request");
  const project = body.project;
  const attrs = body.object_attributes;
  if (!isObject(project) || !isId(project.id) || !isText(project.web_url))
    return fail("project.id / project.web_url missing");
  if (!isObject(attrs)) return fail("object_attributes missing");
  const missing = [
    ["iid", isId(attrs.iid)],
    ["source_project_id", isId(attrs.source_project_id)],
    ["target_project_id", isId(attrs.target_project_id)],
    ["source_branch", isText(attrs.source_branch)],
    ["target_branch", isText(attrs.target_branch)],
    ["last_commit.id", isObject(attrs.last_commit) && isText(attrs.last_commit.id)],
    ["url", isText(attrs.url)],
    ["source.web_url", isObject(attrs.source) && isText(attrs.source.web_url)],
    ["target.web_url", isObject(attrs.target) && isText(attrs.target.web_url)],
  ]
    .filter(([, ok]) => !ok)
    .map(([name]) => `object_attributes.${name as string}`);
  if (missing.length) return fail(`missing or invalid: ${missing.join(", ")}`);
  return { ok: true, value: body as unknown as MergeRequestHook };
}

export function parsePushHook(body: unknown): Parsed<PushHook> {
  if (!isObject(body) || body.object_kind !== "push") return fail("object_kind is not push");
  const project = body.project;
  if (!isObject(project) || !isId(project.id) || !isText(project.web_url))
    return fail("project.id / project.web_url missing");
  if (!isText(body.ref) || !isText(body.before) || !isText(body.after))
    return fail("ref / before / after missing");
  return { ok: true, value: body as unknown as PushHook };
}

function fail(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}

/** A branch deletion pushes "after" = forty zeros. */
export const isNullSha = (sha: string) => /^0+$/.test(sha);
