import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { RevisionInfo } from "../pipeline/image-pipeline.js";

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const out = (await run("git", args, { cwd, encoding: "utf8" })).stdout.trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/** Credentials embedded in a remote URL (https://user:token@host/...) must never reach a label. */
export function stripCredentials(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/^[^@/]+@/, "");
  }
}

/**
 * Revision metadata for image labels and the catalogue. Given values (`hubgate publish
 * --repository-url/--revision-branch/--revision-tag`) win; then CI variables (GitLab CI,
 * GitHub Actions); anything still missing is read from the local git repository (remote
 * URL, current branch, first tag at HEAD), as the worker-publish seed describes.
 */
export async function revisionFromEnvironment(
  env: NodeJS.ProcessEnv,
  topLevel: string | undefined,
  given: RevisionInfo = {},
): Promise<RevisionInfo> {
  const ci = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  const fromCi: RevisionInfo = {
    sourceUrl:
      ci(given.sourceUrl) ??
      ci(env.CI_PROJECT_URL) ??
      (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
        : undefined),
    commit: ci(given.commit) ?? ci(env.CI_COMMIT_SHA) ?? ci(env.GITHUB_SHA),
    branch:
      ci(given.branch) ??
      ci(env.CI_COMMIT_BRANCH) ??
      ci(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) ??
      (env.GITHUB_REF_TYPE === "branch" ? ci(env.GITHUB_REF_NAME) : undefined),
    tag:
      ci(given.tag) ??
      ci(env.CI_COMMIT_TAG) ??
      (env.GITHUB_REF_TYPE === "tag" ? ci(env.GITHUB_REF_NAME) : undefined),
  };
  if (!topLevel) return clean(fromCi);
  return clean({
    sourceUrl: fromCi.sourceUrl ?? (await git(topLevel, ["remote", "get-url", "origin"])),
    commit: fromCi.commit ?? (await git(topLevel, ["rev-parse", "HEAD"])),
    branch: fromCi.branch ?? (await git(topLevel, ["symbolic-ref", "--short", "-q", "HEAD"])),
    tag:
      fromCi.tag ?? (await git(topLevel, ["tag", "--points-at", "HEAD", "--sort=refname"]))?.split("\n")[0],
  });
}

function clean(info: RevisionInfo): RevisionInfo {
  const out: RevisionInfo = {};
  const sourceUrl = stripCredentials(info.sourceUrl);
  if (sourceUrl) out.sourceUrl = sourceUrl;
  if (info.commit) out.commit = info.commit;
  if (info.branch) out.branch = info.branch;
  if (info.tag) out.tag = info.tag;
  return out;
}
