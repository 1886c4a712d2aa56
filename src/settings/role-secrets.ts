/**
 * Which secret lives where (README "Deploying"). The gateway holds the platform secrets; a
 * publish worker holds the registry credentials and nothing else; a check worker, which runs
 * pull-request code, holds none. A worker that finds one it must not hold refuses to start:
 * a build that escapes its container must find nothing worth taking.
 */
export const PLATFORM_SECRETS = [
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GITHUB_CLIENT_SECRET",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GITLAB_TOKEN",
  "GITLAB_WEBHOOK_SECRET",
  // The server's own: organisations admin, API tokens, the catalogue's write token and sealing key.
  "HUBGATE_ADMIN_TOKEN",
  "HUBGATE_TOKEN",
  "HUBGATE_CATALOGUE_TOKEN",
  "HUBGATE_CATALOGUE_KEY",
] as const;

export const REGISTRY_SECRETS = ["HUBGATE_REGISTRY_USERNAME", "HUBGATE_REGISTRY_PASSWORD"] as const;

export type WorkerQueue = "check" | "publish";

/** The secret variables set (non-empty) in `env` that a worker serving `queue` must not hold. */
export function forbiddenSecrets(queue: WorkerQueue, env: NodeJS.ProcessEnv): string[] {
  const forbidden: readonly string[] =
    queue === "check" ? [...PLATFORM_SECRETS, ...REGISTRY_SECRETS] : PLATFORM_SECRETS;
  return forbidden.filter((name) => (env[name] ?? "") !== "");
}
