/**
 * GitLab connection settings, read once from an injected environment (DESIGN rule 7).
 * Without all three values the GitLab route stays off and says why, instead of the
 * whole server refusing to start: a GitHub-only deployment simply leaves them unset.
 */
export interface GitLabSettingsEnabled {
  enabled: true;
  /** Instance base URL, e.g. https://gitlab.example.com (the client appends /api/v4). */
  url: string;
  token: string;
  webhookSecret: string;
}

export interface GitLabSettingsDisabled {
  enabled: false;
  reason: string;
}

export type GitLabSettings = GitLabSettingsEnabled | GitLabSettingsDisabled;

const REQUIRED = ["GITLAB_URL", "GITLAB_TOKEN", "GITLAB_WEBHOOK_SECRET"] as const;

export function readGitLabSettings(env: Record<string, string | undefined>): GitLabSettings {
  const missing = REQUIRED.filter((name) => !env[name]?.trim());
  if (missing.length) {
    return { enabled: false, reason: `GitLab integration is off: set ${missing.join(", ")}` };
  }
  const raw = env.GITLAB_URL!.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { enabled: false, reason: `GitLab integration is off: GITLAB_URL "${raw}" is not a URL` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return {
      enabled: false,
      reason: `GitLab integration is off: GITLAB_URL must be http(s), not ${url.protocol}`,
    };
  }
  // People paste the API address; the client adds /api/v4 itself, so accept both forms.
  const base = url
    .toString()
    .replace(/\/+$/, "")
    .replace(/\/api\/v4$/, "");
  return {
    enabled: true,
    url: base,
    token: env.GITLAB_TOKEN!.trim(),
    webhookSecret: env.GITLAB_WEBHOOK_SECRET!,
  };
}
