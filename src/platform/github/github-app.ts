/**
 * The GitHub adapter's webhook side: each event becomes a neutral JobSpec for the dispatcher,
 * or nothing. No API call and no work happens here (the one exception: a re-run of a whole
 * fork check suite, whose PR is only known from its runs' external_id), so the webhook is
 * answered as soon as the job is on disk. Dedupe, supersede, queueing and publishing are the
 * dispatcher's (src/pipeline/dispatch.ts), shared with GitLab.
 */
import type { ApplicationFunction, Context, Probot } from "probot";
import type { Dispatcher } from "../../pipeline/dispatch.js";
import type { Logger } from "../../pipeline/logger.js";
import type { JobKind } from "../../ports/job-queue.js";
import { CHECK_NAME_PREFIX, RERUN_ACTION } from "./check-run-reporter.js";
import { createGitHubJobs, parseExternalId, type GitHubTarget } from "./github-jobs.js";
import type { Octokit } from "./octokit.js";

export interface GitHubAppDeps {
  dispatcher: Dispatcher;
  logger: Logger;
  /** Whether images are built after the static checks (HUBGATE_BUILD). */
  builds: boolean;
}

const PR_ACTIONS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
] as const;

interface PullPayload {
  number: number;
  changed_files?: number;
  merged?: boolean | null;
  merge_commit_sha?: string | null;
  base: { ref: string; sha: string; repo: { default_branch?: string; html_url: string } };
  head: { sha: string; repo?: { owner?: { login?: string } } | null };
  user?: { login?: string } | null;
}

export const githubKey = (owner: string, repo: string, number: number) => `github:${owner}/${repo}#${number}`;
export const githubPublishKey = (owner: string, repo: string, sha: string) =>
  `publish:github:${owner}/${repo}@${sha}`;

export function createGitHubApp(deps: GitHubAppDeps): ApplicationFunction {
  return (app: Probot) => {
    deps.dispatcher.register(createGitHubJobs(app, { builds: deps.builds }));
    const installationOf = (context: Context) =>
      (context.payload as { installation?: { id?: number } }).installation?.id;

    const accept = async (
      context: Context,
      kind: JobKind,
      key: string,
      headSha: string,
      target: GitHubTarget,
    ) => {
      await deps.dispatcher.accept({
        platform: "github",
        kind,
        key,
        headSha,
        dedupe: kind === "publish" ? key : `github-delivery:${context.id}`,
        delivery: context.id,
        target: target as unknown as Record<string, unknown>,
      });
    };

    app.on([...PR_ACTIONS], async (context) => {
      const installationId = installationOf(context);
      if (installationId === undefined) return;
      const pull = context.payload.pull_request as PullPayload;
      const repo = context.repo();
      await accept(context, "check", githubKey(repo.owner, repo.repo, pull.number), pull.head.sha, {
        installationId,
        ...repo,
        number: pull.number,
        baseRef: pull.base.ref,
        baseSha: pull.base.sha,
        headSha: pull.head.sha,
        changedFiles: pull.changed_files,
        htmlUrl: pull.base.repo.html_url,
      });
    });

    /** Re-run: the PR comes from the event, else from the run's external_id; its state from the API when the job runs. */
    const rerun = async (
      context: Context,
      headSha: string,
      externalIds: Array<string | null | undefined>,
      prNumbers: number[],
    ) => {
      const installationId = installationOf(context);
      if (installationId === undefined) return;
      const number = prNumbers[0] ?? externalIds.map(parseExternalId).find((n) => n !== undefined);
      if (number === undefined) {
        deps.logger.warn(
          { delivery: context.id, headSha },
          "re-run requested for a commit with no known pull request",
        );
        return;
      }
      const repo = context.repo();
      await accept(context, "retry", githubKey(repo.owner, repo.repo, number), headSha, {
        installationId,
        ...repo,
        number,
        headSha,
      });
    };

    app.on("check_run.rerequested", async (context) => {
      const run = context.payload.check_run;
      if (!run.name.startsWith(CHECK_NAME_PREFIX)) return;
      await rerun(
        context,
        run.head_sha,
        [run.external_id],
        run.pull_requests.map((p) => p.number),
      );
    });

    app.on("check_run.requested_action", async (context) => {
      if (context.payload.requested_action?.identifier !== RERUN_ACTION.identifier) return;
      const run = context.payload.check_run;
      await rerun(
        context,
        run.head_sha,
        [run.external_id],
        run.pull_requests.map((p) => p.number),
      );
    });

    app.on("check_suite.rerequested", async (context) => {
      const suite = context.payload.check_suite;
      let externalIds: Array<string | null> = [];
      if (suite.pull_requests.length === 0) {
        const octokit = context.octokit as Octokit;
        const runs = await octokit.rest.checks.listForSuite({
          ...context.repo(),
          check_suite_id: suite.id,
          per_page: 100,
        });
        externalIds = runs.data.check_runs.map((r) => r.external_id);
      }
      await rerun(
        context,
        suite.head_sha,
        externalIds,
        suite.pull_requests.map((p) => p.number),
      );
    });

    app.on("pull_request.closed", async (context) => {
      const pull = context.payload.pull_request as PullPayload;
      const installationId = installationOf(context);
      const defaultBranch = context.payload.repository.default_branch;
      if (
        !pull.merged ||
        !pull.merge_commit_sha ||
        pull.base.ref !== defaultBranch ||
        installationId === undefined
      )
        return;
      if (!deps.dispatcher.publishes) return;
      const repo = context.repo();
      const sha = pull.merge_commit_sha;
      await accept(context, "publish", githubPublishKey(repo.owner, repo.repo, sha), sha, {
        installationId,
        ...repo,
        publishOf: pull.number,
        baseRef: pull.base.ref,
        baseSha: pull.base.sha,
        headSha: sha,
        htmlUrl: pull.base.repo.html_url,
        sourceOwner: pull.head.repo?.owner?.login ?? pull.user?.login ?? undefined,
        branch: pull.base.ref,
      });
    });

    app.on("push", async (context) => {
      const { payload } = context;
      const installationId = installationOf(context);
      const defaultBranch = payload.repository.default_branch;
      if (
        payload.ref !== `refs/heads/${defaultBranch}` ||
        payload.deleted ||
        /^0+$/.test(payload.before) ||
        installationId === undefined ||
        !deps.dispatcher.publishes
      )
        return;
      const repo = context.repo();
      await accept(
        context,
        "publish",
        githubPublishKey(repo.owner, repo.repo, payload.after),
        payload.after,
        {
          installationId,
          ...repo,
          publishOf: null,
          baseRef: payload.before,
          baseSha: payload.before,
          headSha: payload.after,
          htmlUrl: payload.repository.html_url,
          branch: defaultBranch,
        },
      );
    });
  };
}
