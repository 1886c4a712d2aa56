import { Gitlab } from "@gitbeaker/rest";
import { InfrastructureError } from "../../core/infrastructure-error.js";
import { createGitLabRequester, type GitLabRequesterOptions } from "./gitlab-requester.js";
import type { GitLabSettingsEnabled } from "./gitlab-settings.js";

/** The one SDK type of this adapter; nothing outside src/platform/gitlab sees it (DESIGN rule 3). */
export type GitLabClient = Gitlab<false>;

export function createGitLabClient(
  settings: Pick<GitLabSettingsEnabled, "url" | "token">,
  options: GitLabRequesterOptions = {},
): GitLabClient {
  return new Gitlab({
    host: settings.url,
    token: settings.token,
    requesterFn: createGitLabRequester(options),
  });
}

/** HTTP status of a failed gitbeaker call, when the server answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
  const cause = (error as { cause?: { response?: { status?: unknown } } } | undefined)?.cause;
  const status = cause?.response?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * A GitLab call failed on our side of the fence. The raw gitbeaker error carries the request
 * (with the PRIVATE-TOKEN header) in `cause`, so only the status and GitLab's message are kept:
 * nothing that could leak the token reaches a log or a note.
 */
export function gitlabFailure(what: string, error: unknown): InfrastructureError {
  const status = httpStatusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const short = detail.length > 300 ? `${detail.slice(0, 300)}…` : detail;
  return new InfrastructureError(`GitLab API: ${what} failed${status ? ` (HTTP ${status})` : ""}: ${short}`);
}
