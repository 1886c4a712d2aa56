import type { ApplicationFunction, Context, Probot } from "probot";
import type { ChangeReporter, ChangeRequestDeps, ChangeSource } from "../../pipeline/change-request.js";
import { checkChangeRequest } from "../../pipeline/change-request.js";
import type { WorkQueue } from "../../pipeline/work-queue.js";
import { CheckRunReporter, CHECK_NAME_PREFIX, RERUN_ACTION } from "./check-run-reporter.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { GitHubChangeSource, type PullRequestRef } from "./pull-request-source.js";
import { LruMap } from "../shared/lru-map.js";

/** Publishing on merge, injected so the GitHub adapter stays a translator (DESIGN rule 3). */
export type PublishHandler = (
  source: ChangeSource,
  reporter: ChangeReporter,
  signal: AbortSignal,
) => Promise<void>;

export interface GitHubAppDeps extends ChangeRequestDeps {
  queue: WorkQueue;
  publish?: PublishHandler;
  /** Extra HTTP routes on the same server (the GitLab webhook). */
  routes?: Array<
    (
      req: import("node:http").IncomingMessage,
      res: import("node:http").ServerResponse,
    ) => Promise<boolean> | boolean
  >;
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

export function createGitHubApp(deps: GitHubAppDeps): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    for (const route of deps.routes ?? []) addHandler(route);
    const deliveries = new LruMap<string, true>(1000);
    const inFlight = new Map<string, string>();
    const baseLogger = deps.logger;

    /** A redelivered event (same delivery id) does nothing the second time. */
    const firstDelivery = (context: Context) => firstTime(deliveries, context.id);

    const schedule = (octokit: Octokit, pr: PullRequestRef, mode: "ensure" | "fresh", deliveryId: string) => {
      const key = `github:${pr.owner}/${pr.repo}#${pr.number}`;
      if (mode === "ensure" && inFlight.get(key) === pr.headSha) return; // already being checked
      inFlight.set(key, pr.headSha);
      const logger = baseLogger.child({ delivery: deliveryId, pr: key, sha: pr.headSha.slice(0, 7) });
      deps.queue.submit(key, async (signal) => {
        try {
          const reporter = new CheckRunReporter({
            octokit,
            repo: pr,
            headSha: pr.headSha,
            externalId: JSON.stringify({ pr: pr.number }),
            mode,
            htmlUrl: pr.htmlUrl,
            logger,
          });
          await checkChangeRequest(
            new GitHubChangeSource(octokit, pr),
            reporter,
            { ...deps, logger },
            signal,
          );
        } finally {
          if (inFlight.get(key) === pr.headSha) inFlight.delete(key);
        }
      });
    };

    const pullRef = (repo: RepoRef, pull: PullPayload): PullRequestRef => ({
      ...repo,
      number: pull.number,
      baseRef: pull.base.ref,
      baseSha: pull.base.sha,
      headSha: pull.head.sha,
      changedFiles: pull.changed_files,
      htmlUrl: pull.base.repo.html_url,
    });

    app.on([...PR_ACTIONS], async (context) => {
      if (!firstDelivery(context)) return;
      schedule(
        context.octokit as Octokit,
        pullRef(context.repo(), context.payload.pull_request as PullPayload),
        "ensure",
        context.id,
      );
    });

    const rerun = async (
      context: Context,
      headSha: string,
      externalIds: Array<string | null | undefined>,
      prNumbers: number[],
    ) => {
      if (!firstDelivery(context)) return;
      const repo = context.repo();
      const octokit = context.octokit as Octokit;
      const number = prNumbers[0] ?? externalIds.map(parseExternalId).find((n) => n !== undefined);
      if (number === undefined) {
        baseLogger.warn(
          { delivery: context.id, headSha },
          "re-run requested for a commit with no known pull request",
        );
        return;
      }
      const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
      schedule(octokit, pullRef(repo, data as unknown as PullPayload), "fresh", context.id);
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
      const octokit = context.octokit as Octokit;
      let externalIds: Array<string | null> = [];
      if (suite.pull_requests.length === 0) {
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
      const defaultBranch = context.payload.repository.default_branch;
      if (!pull.merged || !pull.merge_commit_sha || pull.base.ref !== defaultBranch || !deps.publish) return;
      if (!firstDelivery(context)) return;
      schedulePublish(
        context,
        {
          ...context.repo(),
          baseRef: pull.base.ref,
          baseSha: pull.base.sha,
          headSha: pull.merge_commit_sha,
          htmlUrl: pull.base.repo.html_url,
          sourceOwner: pull.head.repo?.owner?.login ?? pull.user?.login ?? undefined,
        },
        pull.number,
      );
    });

    app.on("push", async (context) => {
      const { payload } = context;
      const defaultBranch = payload.repository.default_branch;
      if (
        payload.ref !== `refs/heads/${defaultBranch}` ||
        payload.deleted ||
        !deps.publish ||
        /^0+$/.test(payload.before)
      )
        return;
      if (!firstDelivery(context)) return;
      const repo = context.repo();
      schedulePublish(
        context,
        {
          ...repo,
          baseRef: payload.before,
          baseSha: payload.before,
          headSha: payload.after,
          htmlUrl: payload.repository.html_url,
        },
        undefined,
      );
    });

    const published = new LruMap<string, true>(1000);
    const schedulePublish = (context: Context, ref: PullRequestRef, prNumber: number | undefined) => {
      const octokit = context.octokit as Octokit;
      const key = `github-publish:${ref.owner}/${ref.repo}@${ref.headSha}`;
      // A merge sends both pull_request.closed and push for the same commit: publish once.
      if (!firstTime(published, key)) return;
      const logger = baseLogger.child({ delivery: context.id, publish: key });
      deps.queue.submit(key, async (signal) => {
        const reporter = new CheckRunReporter({
          octokit,
          repo: ref,
          headSha: ref.headSha,
          externalId: JSON.stringify({ publish: prNumber ?? null }),
          mode: "ensure",
          htmlUrl: ref.htmlUrl,
          logger,
        });
        await deps.publish!(new GitHubChangeSource(octokit, ref), reporter, signal);
      });
    };
  };
}

function parseExternalId(id: string | null | undefined): number | undefined {
  if (!id) return undefined;
  try {
    const parsed = JSON.parse(id) as { pr?: unknown };
    return typeof parsed.pr === "number" ? parsed.pr : undefined;
  } catch {
    return undefined;
  }
}

/** Remember `key`; false when it was already there (a redelivery, a second trigger). */
function firstTime(seen: LruMap<string, true>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.set(key, true);
  return true;
}
