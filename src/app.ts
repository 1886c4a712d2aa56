// The server's application: `probot run ./dist/app.js` (npm start) loads this. It reads the
// environment once, when Probot calls it, never at import time (DESIGN rule 7).
import { availableParallelism } from "node:os";
import type { ApplicationFunction } from "probot";
import { loadManifestValidator } from "./config/validators.js";
import { createGitHubApp, type GitHubAppDeps, type PublishHandler } from "./platform/github/github-app.js";
import type { ChangeRequestDeps } from "./pipeline/change-request.js";
import type { ImagePipeline } from "./pipeline/image-pipeline.js";
import type { Logger } from "./pipeline/logger.js";
import { WorkQueue } from "./pipeline/work-queue.js";

export interface HubgateAppOptions {
  env?: NodeJS.ProcessEnv;
  /** Injected in tests; by default the Docker pipeline (HUBGATE_BUILD=false: static checks only). */
  images?: ImagePipeline | null;
  queue?: WorkQueue;
  /** null: never publish; undefined: from the environment (HUBGATE_REGISTRY and friends). */
  publish?: GitHubAppDeps["publish"] | null;
  routes?: GitHubAppDeps["routes"];
  progressIntervalMs?: number;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function createHubgateApp(options: HubgateAppOptions = {}): ApplicationFunction {
  return async (app, appOptions) => {
    const env = options.env ?? process.env;
    const logger = app.log as unknown as Logger;
    const validator = await loadManifestValidator();
    let images = options.images ?? undefined;
    if (options.images === undefined && env.HUBGATE_BUILD !== "false") {
      const { createDockerImagePipeline } = await import("./docker/docker-image-pipeline.js");
      images = createDockerImagePipeline({ logger });
    }
    const queue = options.queue ?? new WorkQueue(positive(env.HUBGATE_CONCURRENCY, 2));
    const jobs = positive(env.HUBGATE_JOBS, availableParallelism());
    const publish =
      options.publish !== undefined
        ? options.publish
        : images
          ? await publishHandler(env, { validator, images, jobs, logger })
          : undefined;
    const github = createGitHubApp({
      validator,
      images,
      queue,
      jobs,
      logger,
      publish: publish ?? undefined,
      routes: [
        ...(options.routes ?? [
          await gitlabRoute(
            env,
            { validator, images, jobs, logger, progressIntervalMs: options.progressIntervalMs },
            queue,
            publish ?? undefined,
          ),
        ]),
        (await import("./catalogue/catalogue-from-env.js")).catalogueRouteFromEnv(env, logger),
        ...(await orgsRoutes(env, logger)),
      ],
      progressIntervalMs: options.progressIntervalMs,
    });
    await github(app, appOptions);
  };
}

export default createHubgateApp();

/**
 * Publishing on merge: the registry and its credentials come from the server's environment,
 * never from a repository. Without HUBGATE_REGISTRY merges are still checked and built, and
 * the merge commit's check run says that nothing was pushed.
 */
async function publishHandler(env: NodeJS.ProcessEnv, deps: ChangeRequestDeps): Promise<PublishHandler> {
  const [{ readPublishSettings }, { createPublisher }, { publishChange }] = await Promise.all([
    import("./publish/publish-settings.js"),
    import("./publish/publisher.js"),
    import("./pipeline/publish-change.js"),
  ]);
  const publisher = await createPublisher(readPublishSettings(env), { logger: deps.logger });
  return async (source, reporter, signal) => {
    await publishChange(source, reporter, { ...deps, publisher }, signal);
  };
}

/**
 * The GitLab webhook on the same server (`POST /api/gitlab/webhooks`). Without GITLAB_URL,
 * GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET the route answers 503 and says which is missing.
 * A merged MR publishes through the same handler as a merged GitHub pull request.
 */
async function gitlabRoute(
  env: NodeJS.ProcessEnv,
  deps: ChangeRequestDeps,
  queue: WorkQueue,
  publish: PublishHandler | undefined,
) {
  const [{ createGitLabWebhookHandler }, { readGitLabSettings }] = await Promise.all([
    import("./platform/gitlab/gitlab-webhook-handler.js"),
    import("./platform/gitlab/gitlab-settings.js"),
  ]);
  const settings = readGitLabSettings(env);
  if (!settings.enabled) deps.logger.info({ reason: settings.reason }, "GitLab webhook route is off");
  return createGitLabWebhookHandler({
    ...deps,
    settings,
    queue,
    onMerge: publish ? (change, signal) => publish(change.changes, change.reporter, signal) : undefined,
  });
}

/**
 * The registry token server and organisations API (`/registry/token`, `/api/repos`, …), on
 * when HUBGATE_ADMIN_TOKEN is set: without it nobody could create an organisation.
 */
async function orgsRoutes(env: NodeJS.ProcessEnv, logger: Logger) {
  if (!env.HUBGATE_ADMIN_TOKEN) return [];
  const { openOrgsRoute } = await import("./orgs/open-orgs-route.js");
  return [openOrgsRoute(env, { logger }).route];
}
