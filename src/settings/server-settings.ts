/**
 * The server's settings, read once from an injected environment (DESIGN rule 7). Problems
 * that would make the server look healthy while unable to work (a malformed private key)
 * are collected in `problems`: the server refuses to start and names them, instead of
 * falling into Probot's setup mode.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { readGitLabSettings, type GitLabSettings } from "../platform/gitlab/gitlab-settings.js";
import { DEFAULT_DATA_DIR } from "../publish/publish-settings.js";
import { defaultConcurrency, defaultJobs } from "./parallelism.js";
import { readQueueSettings, type QueueSettings } from "./queue-settings.js";

export interface ServerSettings {
  port: number;
  host: string;
  logLevel: string;
  github:
    | {
        enabled: true;
        appId: string;
        privateKey: string;
        webhookSecret: string;
        webhookPath: string;
        baseUrl?: string;
      }
    | { enabled: false; reason: string; webhookPath: string };
  gitlab: GitLabSettings;
  /** Pull/merge requests checked at once (HUBGATE_CONCURRENCY). */
  concurrency: number;
  /** Bundles built at once within one check (HUBGATE_JOBS). */
  jobs: number;
  /** HUBGATE_BUILD=false: static checks only. */
  build: boolean;
  dataDir: string;
  /** Scale-out: builds on workers through BullMQ when `queue.redisUrl` is set. */
  queue: QueueSettings;
  /** HUBGATE_SHUTDOWN_GRACE_S, in ms. */
  shutdownGraceMs: number;
  /** Start-up errors: the server names them and exits instead of serving. */
  problems: string[];
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
};

export function readServerSettings(env: NodeJS.ProcessEnv, cwd = process.cwd()): ServerSettings {
  const problems: string[] = [];
  const webhookPath = env.WEBHOOK_PATH?.trim() || "/api/github/webhooks";
  const appId = env.APP_ID?.trim();
  let privateKey = env.PRIVATE_KEY;
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(resolve(cwd, env.PRIVATE_KEY_PATH), "utf8");
    } catch (error) {
      problems.push(`PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH}: ${(error as Error).message}`);
    }
  }
  // Env files often carry the key on one line with literal \n.
  if (privateKey && !privateKey.includes("\n")) privateKey = privateKey.replace(/\\n/g, "\n");
  const webhookSecret = env.WEBHOOK_SECRET ?? "";
  let github: ServerSettings["github"];
  const anyGitHub = Boolean(appId || privateKey || env.PRIVATE_KEY_PATH || env.WEBHOOK_SECRET);
  if (!anyGitHub) {
    github = {
      enabled: false,
      reason: "GitHub App is off: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET",
      webhookPath,
    };
  } else {
    const missing = [
      !appId ? "APP_ID" : "",
      !privateKey && !env.PRIVATE_KEY_PATH ? "PRIVATE_KEY or PRIVATE_KEY_PATH" : "",
      !webhookSecret ? "WEBHOOK_SECRET" : "",
    ].filter(Boolean);
    if (missing.length) problems.push(`GitHub App: ${missing.join(", ")} missing`);
    if (privateKey) {
      try {
        const key = createPrivateKey(privateKey);
        if (key.asymmetricKeyType !== "rsa")
          problems.push("PRIVATE_KEY: not an RSA key (GitHub App keys are RSA)");
      } catch (error) {
        problems.push(
          `PRIVATE_KEY: not a valid PEM private key (${(error as Error).message}); download the key again from the GitHub App's settings`,
        );
      }
    }
    github =
      appId && privateKey && webhookSecret
        ? {
            enabled: true,
            appId,
            privateKey,
            webhookSecret,
            webhookPath,
            ...(env.GHE_HOST ? { baseUrl: `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` } : {}),
            ...(env.HUBGATE_GITHUB_API_URL ? { baseUrl: env.HUBGATE_GITHUB_API_URL } : {}),
          }
        : { enabled: false, reason: "GitHub App settings are incomplete", webhookPath };
  }
  const gitlab = readGitLabSettings(env);
  // Only a half-configured GitLab is a problem: leaving all three unset turns it off.
  if (!gitlab.enabled && (env.GITLAB_URL || env.GITLAB_TOKEN || env.GITLAB_WEBHOOK_SECRET))
    problems.push(gitlab.reason);
  if (!github.enabled && !gitlab.enabled && problems.length === 0)
    problems.push(
      "neither the GitHub App (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET) nor GitLab (GITLAB_URL, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET) is configured",
    );
  return {
    port: /^\d+$/.test(env.PORT?.trim() ?? "") ? Number(env.PORT) : 3000,
    host: env.HOST?.trim() || "0.0.0.0",
    logLevel: env.LOG_LEVEL?.trim() || "info",
    github,
    gitlab,
    concurrency: Math.floor(positive(env.HUBGATE_CONCURRENCY, defaultConcurrency())),
    jobs: Math.floor(positive(env.HUBGATE_JOBS, defaultJobs())),
    queue: readQueueSettings(env),
    build: env.HUBGATE_BUILD !== "false",
    dataDir: resolve(cwd, env.HUBGATE_DATA_DIR?.trim() || DEFAULT_DATA_DIR),
    shutdownGraceMs: positive(env.HUBGATE_SHUTDOWN_GRACE_S, 20) * 1000,
    problems,
  };
}
