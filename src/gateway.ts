/**
 * The gateway: everything the server runs, wired together (DESIGN rule 1: wiring only).
 * Webhooks of both platforms → adapters → one Dispatcher → the durable job store → jobs run
 * here → reporters. Health, readiness and metrics beside them, and the extra routes of
 * src/http/app-routes.ts.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { createNodeMiddleware, Probot } from "probot";
import { loadManifestValidator } from "./config/validators.js";
import { appRoutes } from "./http/app-routes.js";
import { cached, healthRoutes, type ReadinessCheck } from "./http/health-routes.js";
import { metricsRoute } from "./http/metrics-route.js";
import { pathOf, sendJson, type Route } from "./http/route.js";
import { Dispatcher } from "./pipeline/dispatch.js";
import { EmbeddedJobQueue } from "./pipeline/embedded-job-queue.js";
import type { ImagePipeline } from "./pipeline/image-pipeline.js";
import type { Logger } from "./pipeline/logger.js";
import { createMetrics, type Metrics } from "./pipeline/metrics.js";
import { createGitHubApp } from "./platform/github/github-app.js";
import { createGitHubOctokit } from "./platform/github/github-client.js";
import { createGitLabClient, type GitLabClient } from "./platform/gitlab/gitlab-client.js";
import { createGitLabWebhookHandler, GITLAB_WEBHOOK_PATH } from "./platform/gitlab/gitlab-webhook-handler.js";
import type { Publisher } from "./publish/publisher.js";
import type { ServerSettings } from "./settings/server-settings.js";
import { openDatabase, type Db } from "./store/database.js";
import { SqliteJobStore } from "./store/job-store.js";

export interface GatewayOptions {
  settings: ServerSettings;
  /** Read once more by parts with their own settings (publishing, extra routes). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Injected in tests; by default the Docker pipeline (none when builds are off). */
  images?: ImagePipeline | null;
  /** Injected in tests; by default from HUBGATE_REGISTRY and friends (none without images). */
  publisher?: Publisher | null;
  progressIntervalMs?: number;
  /** GitHub client options (tests shorten the waits). */
  github?: Omit<NonNullable<Parameters<typeof createGitHubOctokit>[0]>, "refreshToken" | "observer">;
  gitlab?: Parameters<typeof createGitLabClient>[1];
}

export interface Gateway {
  /** The whole HTTP surface: give it to `http.createServer`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  dispatcher: Dispatcher;
  queue: EmbeddedJobQueue;
  store: SqliteJobStore;
  db: Db;
  metrics: Metrics;
  /** Recovery (jobs, temp folders, smoke containers of dead jobs), then start taking jobs. */
  start(): Promise<void>;
  /** Stop taking work; finish running jobs within `graceMs`; the rest resume at next start. */
  stop(graceMs: number): Promise<void>;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { settings, logger } = options;
  const db = openDatabase(settings.dataDir);
  const store = new SqliteJobStore(db);
  const metrics = createMetrics(() => store.counts());
  const workDir = join(settings.dataDir, "work");
  mkdirSync(workDir, { recursive: true });
  const validator = await loadManifestValidator();

  let images = options.images ?? undefined;
  let docker: import("dockerode") | undefined;
  // Scale-out (HUBGATE_REDIS_URL): pull-request builds run on `check` workers, never here.
  let remote: import("./scale-out/remote-image-pipeline.js").RemoteImagePipeline | undefined;
  let remotePublishing: import("./scale-out/remote-publishing.js").GatewayPublishing | undefined;
  if (options.images === undefined && settings.build) {
    const [{ default: Dockerode }, { createDockerImagePipeline }] = await Promise.all([
      import("dockerode"),
      import("./docker/docker-image-pipeline.js"),
    ]);
    const local = () => createDockerImagePipeline({ logger, docker: (docker ??= new Dockerode()) });
    if (settings.queue.redisUrl) {
      const { remoteImagePipeline } = await import("./scale-out/image-pipeline-from-env.js");
      images = remote = remoteImagePipeline(settings.queue, logger);
      // Merged code is built and pushed by publish workers, which hold the registry credentials;
      // this process keeps the records (README, Deploying). Without a registry, nothing is pushed.
      if (options.env.HUBGATE_REGISTRY && options.publisher === undefined) {
        const { publishingOnWorkers } = await import("./scale-out/image-pipeline-from-env.js");
        remotePublishing = await publishingOnWorkers(settings.queue, options.env, db, logger);
      }
    } else {
      images = local();
    }
  }
  let publisher = options.publisher ?? undefined;
  if (options.publisher === undefined && images && !remotePublishing) {
    const [{ readPublishSettings }, { createPublisher }] = await Promise.all([
      import("./publish/publish-settings.js"),
      import("./publish/publisher.js"),
    ]);
    publisher = await createPublisher(readPublishSettings(options.env), { logger });
  }

  const queue = new EmbeddedJobQueue(store, { concurrency: settings.concurrency, logger });
  const dispatcher = new Dispatcher({
    validator,
    images,
    remotePublishing,
    jobs: settings.jobs,
    logger,
    queue,
    store,
    publisher,
    observer: metrics.dispatch,
    progressIntervalMs: options.progressIntervalMs,
    workDir,
  });
  const builds = images !== undefined;

  const checks: ReadinessCheck[] = [{ name: "store", check: () => store.probe() }];
  if (remote) {
    const workers = remote;
    checks.push(cached({ name: "redis", check: () => workers.ping() }, 5_000));
  }
  if (docker) {
    const engine = docker;
    checks.push(
      cached(
        {
          name: "docker",
          check: async () => {
            await engine.ping().catch((error: Error) => {
              throw new Error(`the Docker engine does not answer: ${error.message}`);
            });
          },
        },
        5_000,
      ),
    );
  }

  let github: Route | undefined;
  if (settings.github.enabled) {
    let refresh: (installationId: number) => Promise<void> = async () => undefined;
    const probot: Probot = new Probot({
      appId: settings.github.appId,
      privateKey: settings.github.privateKey,
      secret: settings.github.webhookSecret,
      ...(settings.github.baseUrl
        ? { baseUrl: settings.github.baseUrl, request: { fetch: toBaseUrl(settings.github.baseUrl) } }
        : {}),
      Octokit: createGitHubOctokit({
        observer: metrics.api,
        refreshToken: (installationId) => refresh(installationId),
        ...options.github,
      }),
      log: logger as unknown as import("pino").Logger,
    });
    refresh = async (installationId) => {
      const app = await probot.auth();
      await app.auth({ type: "installation", installationId, refresh: true });
    };
    const middleware = await createNodeMiddleware(createGitHubApp({ dispatcher, logger, builds }), {
      probot,
      webhooksPath: settings.github.webhookPath,
    });
    const path = settings.github.webhookPath;
    github = async (req, res) => {
      if (pathOf(req.url) !== path) return false;
      await middleware(req, res);
      return true;
    };
    checks.push(
      cached({
        name: "github",
        check: async () => {
          const app = await probot.auth();
          await app.request("GET /app").catch((error: Error & { status?: number }) => {
            throw new Error(
              `GitHub refuses the App's credentials (APP_ID, PRIVATE_KEY): ${error.status ?? ""} ${error.message}`.trim(),
            );
          });
        },
      }),
    );
  }

  let gitlabClient: GitLabClient | undefined;
  if (settings.gitlab.enabled) {
    gitlabClient = createGitLabClient(settings.gitlab, { observer: metrics.api, ...options.gitlab });
    const api = gitlabClient;
    checks.push(
      cached({
        name: "gitlab",
        check: async () => {
          await api.Users.showCurrentUser().catch((error: Error) => {
            throw new Error(`GitLab refuses GITLAB_TOKEN or does not answer at GITLAB_URL: ${error.message}`);
          });
        },
      }),
    );
  } else {
    logger.info({ reason: settings.gitlab.reason }, "GitLab webhook route is off");
  }
  const gitlab = createGitLabWebhookHandler({
    settings: settings.gitlab,
    dispatcher,
    logger,
    builds,
    ...(gitlabClient ? { client: gitlabClient } : {}),
  });

  let stopping = false;
  const webhooks: Array<[string, Route | undefined]> = [
    ["github", github],
    ["gitlab", gitlab],
  ];
  const routes: Route[] = [
    healthRoutes({ checks, stopping: () => stopping }),
    metricsRoute(metrics.registry),
    ...appRoutes({ db, dataDir: settings.dataDir, env: options.env, logger }),
  ];
  const webhookPaths = new Map<string, string>([
    [settings.github.webhookPath, "github"],
    [GITLAB_WEBHOOK_PATH, "gitlab"],
  ]);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const platform = webhookPaths.get(pathOf(req.url));
    if (platform) {
      const started = process.hrtime.bigint();
      res.once("finish", () =>
        metrics.delivery(platform, String(res.statusCode), Number(process.hrtime.bigint() - started) / 1e9),
      );
      if (stopping && req.method === "POST") {
        // Not taken, not lost: the platform redelivers a failed delivery (GitLab retries, GitHub on request).
        req.resume();
        res.setHeader("Retry-After", "5");
        sendJson(res, 503, { status: "error", message: "shutting down: not taking new work" });
        return;
      }
    }
    void (async () => {
      for (const route of [...routes, ...webhooks.map(([, r]) => r)]) {
        if (route && (await route(req, res))) return;
      }
      if (platform === "github")
        return sendJson(res, 503, { status: "error", message: "GitHub App is not configured" });
      sendJson(res, 404, { status: "error", message: "not found" });
    })().catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { status: "error", message: "internal error" });
      else res.end();
    });
  };

  return {
    handle,
    dispatcher,
    queue,
    store,
    db,
    metrics,
    async start() {
      // Head trees of jobs that died with the last process; live jobs start after this.
      for (const entry of readdirSync(workDir))
        rmSync(join(workDir, entry), { recursive: true, force: true });
      if (docker) {
        const { sweepLeftovers } = await import("./docker/sandbox.js");
        await sweepLeftovers(docker, { logger }).catch((error: Error) =>
          logger.warn({ err: error.message }, "could not sweep leftover smoke containers"),
        );
      }
      await store.prune(7 * 24 * 3600 * 1000);
      await queue.start(dispatcher.run);
    },
    async stop(graceMs: number) {
      stopping = true;
      await queue.close(graceMs);
      await remote?.close();
      await remotePublishing?.close();
      await publisher?.close();
      db.close();
    },
  };
}

/**
 * Probot's token requests made outside a request hook (a token refresh after a 401) ignore the
 * base URL and go to api.github.com; on GitHub Enterprise (or a test double) they must go to
 * the configured API instead.
 */
function toBaseUrl(baseUrl: string): typeof fetch {
  const base = baseUrl.replace(/\/+$/, "");
  return (input, init) =>
    fetch(
      typeof input === "string" && input.startsWith("https://api.github.com/")
        ? `${base}/${input.slice("https://api.github.com/".length)}`
        : input,
      init,
    );
}
