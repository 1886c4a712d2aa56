import { InfrastructureError } from "../core/infrastructure-error.js";

/**
 * Telling our failures from the contributor's (DESIGN: never blame a contributor for a
 * Docker daemon that is down, a full disk or an engine 5xx).
 */

/** Socket-level codes: the engine could not be reached at all. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EACCES",
  "EPERM",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** Engine messages a bundle can cause: a Dockerfile that does not parse or a step that fails. */
const CONTRIBUTOR_MESSAGE =
  /cannot locate specified dockerfile|dockerfile parse error|unknown instruction|returned a non-zero code|(?:copy|add) failed|not found in build context|failed to process|pull access denied|manifest unknown|repository does not exist|invalid reference format|no build stage|unknown flag|executable file not found|oci runtime create failed|exec format error/i;

/** Engine messages a bundle cannot cause: our disk, our engine, our network to the registry. */
const INFRASTRUCTURE_MESSAGE =
  /no space left on device|disk quota exceeded|input\/output error|failed to register layer|error creating overlay mount|cannot allocate memory|too many open files|dial tcp|no such host|i\/o timeout|tls handshake timeout|connection refused|connection reset by peer|toomanyrequests|service unavailable|bad gateway|gateway timeout/i;

const DISK_FULL = /no space left on device|disk quota exceeded/i;

/**
 * The engine failing to set up a step's container (its network, mounts or runtime): no
 * Dockerfile line causes these, even when the engine reports them as that RUN's failure
 * ("failed to create endpoint … on network bridge: … could not find bridge docker0").
 */
const ENGINE_SETUP_FAULT =
  /could not find bridge|failed to create endpoint|no such network interface|network [^ ]+ not found|error creating overlay mount|failed to register layer/i;

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  json?: unknown;
  name?: unknown;
}

const asErrorLike = (error: unknown): ErrorLike =>
  typeof error === "object" && error !== null ? (error as ErrorLike) : {};

export function statusCodeOf(error: unknown): number | undefined {
  const code = asErrorLike(error).statusCode;
  return typeof code === "number" ? code : undefined;
}

/** The engine's own words, without dockerode's "(HTTP code 500) server error - " prefix. */
export function dockerErrorMessage(error: unknown): string {
  const e = asErrorLike(error);
  const json = asErrorLike(e.json);
  if (typeof json.message === "string" && json.message.trim()) return json.message.trim();
  const message = typeof e.message === "string" ? e.message : String(error);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim();
}

export function isDaemonUnreachable(error: unknown): boolean {
  const code = asErrorLike(error).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  return /socket hang up|connect E[A-Z]+/.test(dockerErrorMessage(error));
}

export function isAbortError(error: unknown): boolean {
  const e = asErrorLike(error);
  return e.name === "AbortError" || e.code === "ABORT_ERR";
}

/** An error from an engine call that is not about the bundle (used for every call but the build). */
export function isEngineFailure(error: unknown): boolean {
  if (isDaemonUnreachable(error)) return true;
  const message = dockerErrorMessage(error);
  if (INFRASTRUCTURE_MESSAGE.test(message) || ENGINE_SETUP_FAULT.test(message)) return true;
  const status = statusCodeOf(error);
  return status !== undefined && status >= 500 && !CONTRIBUTOR_MESSAGE.test(message);
}

/** Whose fault is a build error? `logTail` catches a RUN step that failed because our disk is full. */
export function buildErrorOwner(
  message: string,
  logTail: readonly string[],
): "contributor" | "infrastructure" {
  if (DISK_FULL.test(message) || logTail.some((line) => DISK_FULL.test(line))) return "infrastructure";
  if (ENGINE_SETUP_FAULT.test(message)) return "infrastructure";
  if (CONTRIBUTOR_MESSAGE.test(message)) return "contributor";
  return INFRASTRUCTURE_MESSAGE.test(message) ? "infrastructure" : "contributor";
}

/** Whose fault is a build request the engine rejected outright (HTTP error, no stream)? */
export function rejectedBuildOwner(error: unknown): "contributor" | "infrastructure" {
  if (isDaemonUnreachable(error)) return "infrastructure";
  const message = dockerErrorMessage(error);
  if (DISK_FULL.test(message) || ENGINE_SETUP_FAULT.test(message)) return "infrastructure";
  if (CONTRIBUTOR_MESSAGE.test(message)) return "contributor";
  const status = statusCodeOf(error);
  return status !== undefined && status < 500 ? "contributor" : "infrastructure";
}

/** Wrap an engine failure in a message that says plainly it is on our side. */
export function toInfrastructureError(error: unknown, during: string): InfrastructureError {
  const detail = dockerErrorMessage(error);
  const what = isDaemonUnreachable(error)
    ? `the Docker engine could not be reached while ${during} (${detail})`
    : DISK_FULL.test(detail)
      ? `the Docker host ran out of disk space while ${during} (${detail})`
      : `the Docker engine failed while ${during} (${detail})`;
  return new InfrastructureError(
    `${what}. This is a problem on hubgate's side, not in the bundle; the check can be retried.`,
    { cause: error },
  );
}
