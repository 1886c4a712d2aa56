import { parseArgs } from "node:util";
import { tagProblem } from "../core/tags.js";
import { defaultJobs } from "../settings/parallelism.js";

export const FORMATS = ["text", "json", "codequality", "junit", "sarif"] as const;
export type Format = (typeof FORMATS)[number];

export interface CheckArgs {
  command: "check";
  paths: string[];
  changedSince?: string;
  format: Format;
  config?: string;
  build: boolean;
  jobs: number;
  color: boolean;
}

export interface PublishArgs {
  command: "publish";
  paths: string[];
  /** `-t TAG` (repeatable): tags besides the version; with none anywhere, latest. */
  tags: string[];
  /** `--protected-tag TAG` (repeatable): pushed once, never again. */
  protectedTags: string[];
  registry?: string;
  dryRun: boolean;
  config?: string;
  format: Format;
  /** Revision metadata; unset values come from CI variables, then the local git repository. */
  repositoryUrl?: string;
  revisionBranch?: string;
  revisionTag?: string;
}

/** `hubgate published`: the catalogue's records, from the local store or a server. */
export interface PublishedArgs {
  command: "published";
  kind?: string;
  name?: string;
  format: "text" | "json";
  server?: string;
  dataDir?: string;
}

/** `hubgate serve`: the catalogue (API, page, badges) without the bots. */
export interface ServeArgs {
  command: "serve";
  port?: number;
  host?: string;
  dataDir?: string;
}

/** `hubgate deprecate KIND NAME VERSION --reason TEXT` (or `--undo`). */
export interface DeprecateArgs {
  command: "deprecate";
  kind: string;
  name: string;
  version: string;
  reason?: string;
  undo: boolean;
  server?: string;
  dataDir?: string;
}

/** `hubgate repos list|create|login`, `hubgate orgs ...`, `hubgate users token USER`: clients of the server's API. */
export interface OrgsArgs {
  command: "repos" | "orgs" | "users";
  action: string;
  operands: string[];
  organization?: string;
  expiresIn?: number;
  format: Format;
}

/** `hubgate serve-auth`: the token server and organisations API on their own. */
export interface ServeAuthArgs {
  command: "serve-auth";
  port: number;
  host: string;
}

/** `hubgate registry-auth-config --public-url URL`: the registry config's auth section. */
export interface RegistryAuthConfigArgs {
  command: "registry-auth-config";
  publicUrl: string;
}

export type CliArgs =
  | CheckArgs
  | PublishArgs
  | PublishedArgs
  | ServeArgs
  | DeprecateArgs
  | OrgsArgs
  | ServeAuthArgs
  | RegistryAuthConfigArgs
  | { command: "gateway" }
  | { command: "worker" }
  | { command: "help" }
  | { command: "version" };

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const USAGE = `Usage:
  hubgate check [PATH...] [--changed-since REF] [--build] [--jobs N]
                [--format text|json|codequality|junit|sarif] [--config FILE]
  hubgate publish PATH... [--registry HOST[:PORT]] [--dry-run] [--config FILE]
                  [-t TAG]... [--protected-tag TAG]...
                  [--repository-url URL] [--revision-branch BRANCH] [--revision-tag TAG]
  hubgate published [--kind K] [--name N] [--format text|json] [--server URL] [--data-dir DIR]
  hubgate deprecate KIND NAME VERSION --reason TEXT [--server URL] [--data-dir DIR]
  hubgate deprecate KIND NAME VERSION --undo [--server URL] [--data-dir DIR]
  hubgate serve [--port N] [--host ADDRESS] [--data-dir DIR]
  hubgate gateway      the server: webhooks, platform API, reporting (env: README "Deploying")
  hubgate worker       a build worker on its own Docker engine, jobs from HUBGATE_REDIS_URL

PATH is a bundle folder or a hub/repository root (default .); every bundle below it is checked.
  --changed-since REF  only bundles changed since REF (git); versions must be bumped over REF
  --build              also build the image, run the three smoke tests and tag it
  --jobs N             bundles built in parallel (default: min(4 x cores, memory / 1.5 GiB), 1..16)
  --config FILE        hub config (default: .hubgate.yml at the hub root)
  -t, --tag TAG        publish: tag besides the version (repeatable); without any, latest;
                       name latest too to keep it
  --protected-tag TAG  publish: a tag pushed once and never again (repeatable)
Exit status: 0 no error, 1 at least one error finding, 2 usage or infrastructure problem.
Publishing reads HUBGATE_REGISTRY_USERNAME / HUBGATE_REGISTRY_PASSWORD from the environment.
The catalogue commands use HUBGATE_DATA_DIR (default .hubgate) or --data-dir, or a server
(--server URL, writes with HUBGATE_CATALOGUE_TOKEN).

Container repositories (server at HUBGATE_URL, your API token in HUBGATE_TOKEN):
  hubgate repos list
  hubgate repos create NAME --organization ORG
  hubgate repos login NAME --organization ORG [--expires-in SECONDS]
      | docker login --username USER --password-stdin REGISTRY
Administration (HUBGATE_ADMIN_TOKEN):
  hubgate orgs list | create ORG | add-member ORG USER | remove-member ORG USER
  hubgate users token USER
  hubgate serve-auth [--port N] [--host ADDR]
  hubgate registry-auth-config --public-url URL`;

export function parseCliArgs(argv: string[], isTty: boolean, env: NodeJS.ProcessEnv): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "changed-since": { type: "string" },
        format: { type: "string", short: "f", default: "text" },
        config: { type: "string", short: "c" },
        build: { type: "boolean", default: false },
        jobs: { type: "string", short: "j" },
        registry: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        "repository-url": { type: "string" },
        "revision-branch": { type: "string" },
        "revision-tag": { type: "string" },
        kind: { type: "string" },
        name: { type: "string" },
        server: { type: "string" },
        "data-dir": { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        reason: { type: "string" },
        undo: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
        color: { type: "boolean" },
        organization: { type: "string" },
        "expires-in": { type: "string" },
        "public-url": { type: "string" },
        tag: { type: "string", short: "t", multiple: true },
        "protected-tag": { type: "string", multiple: true },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const [command, ...paths] = positionals;
  if (command === undefined) return { command: "help" };
  const format = values.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not "${format}"`);
  if (command === "check") {
    const jobs = values.jobs === undefined ? defaultJobs() : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1)
      throw new UsageError(`--jobs must be a positive whole number, not "${values.jobs}"`);
    return {
      command,
      paths: paths.length ? paths : ["."],
      changedSince: values["changed-since"],
      format,
      config: values.config,
      build: values.build ?? false,
      jobs,
      color: values.color ?? (isTty && !env.NO_COLOR && env.TERM !== "dumb"),
    };
  }
  if (command === "publish") {
    if (paths.length === 0) throw new UsageError("publish needs at least one PATH");
    const tags = values.tag ?? [];
    const protectedTags = values["protected-tag"] ?? [];
    for (const [list, kind, flag] of [
      [tags, "tag", "-t"],
      [protectedTags, "protected", "--protected-tag"],
    ] as const)
      for (const tag of list) {
        const problem = tagProblem(tag, kind, protectedTags);
        if (problem) throw new UsageError(`${flag} ${problem.message}`);
      }
    return {
      command,
      paths,
      tags,
      protectedTags,
      registry: values.registry,
      dryRun: values["dry-run"] ?? false,
      config: values.config,
      format,
      repositoryUrl: values["repository-url"],
      revisionBranch: values["revision-branch"],
      revisionTag: values["revision-tag"],
    };
  }
  if (command === "published") {
    if (paths.length)
      throw new UsageError(`published takes no PATH (got "${paths[0]}"); filter with --kind and --name`);
    if (format !== "text" && format !== "json")
      throw new UsageError(`published supports --format text or json, not "${format}"`);
    return {
      command,
      kind: values.kind,
      name: values.name,
      format,
      server: serverUrl(values.server),
      dataDir: values["data-dir"],
    };
  }
  if (command === "serve") {
    if (paths.length) throw new UsageError("serve takes no PATH");
    let port: number | undefined;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!/^[0-9]{1,5}$/.test(values.port) || port > 65535)
        throw new UsageError(`--port must be a port number (0-65535), not "${values.port}"`);
    }
    return { command, port, host: values.host, dataDir: values["data-dir"] };
  }
  if (command === "deprecate") {
    const [kind, name, version, ...rest] = paths;
    if (!kind || !name || !version || rest.length)
      throw new UsageError(
        "deprecate needs KIND NAME VERSION, e.g. hubgate deprecate encoder AwesomeEncoder 0.0.1",
      );
    const undo = values.undo ?? false;
    const reason = values.reason?.trim();
    if (!undo && !reason) throw new UsageError("deprecate needs --reason TEXT saying why (or --undo)");
    if (undo && reason) throw new UsageError("--undo takes no --reason");
    return {
      command,
      kind,
      name,
      version,
      reason,
      undo,
      server: serverUrl(values.server),
      dataDir: values["data-dir"],
    };
  }
  if (command === "gateway" || command === "worker") {
    if (paths.length > 0)
      throw new UsageError(`${command} takes no PATH; it is configured by its environment`);
    return { command };
  }
  if (command === "repos" || command === "orgs" || command === "users")
    return orgsArgs(command, paths, values, format);
  if (command === "serve-auth") {
    const port = values.port === undefined ? 3000 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be a port number, not "${values.port}"`);
    return { command, port, host: values.host ?? "127.0.0.1" };
  }
  if (command === "registry-auth-config") {
    const publicUrl = values["public-url"];
    if (!publicUrl || !/^https?:\/\/[^/\s]+/.test(publicUrl))
      throw new UsageError(
        "registry-auth-config needs --public-url http(s)://HOST[:PORT], where the registry and docker clients reach hubgate",
      );
    return { command, publicUrl };
  }
  throw new UsageError(`unknown command "${command}"`);
}

function serverUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    if (url.username || url.password)
      throw new UsageError("--server must not carry credentials; set HUBGATE_CATALOGUE_TOKEN");
    return url.toString().replace(/\/+$/, "");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--server must be an http(s) URL, not "${raw}"`);
  }
}

const ORGS_ACTIONS: Record<OrgsArgs["command"], Record<string, number>> = {
  repos: { list: 0, create: 1, login: 1 },
  orgs: { list: 0, create: 1, "add-member": 2, "remove-member": 2 },
  users: { token: 1 },
};

function orgsArgs(
  command: OrgsArgs["command"],
  rest: string[],
  values: { organization?: string; "expires-in"?: string },
  format: Format,
): OrgsArgs {
  const [action, ...operands] = rest;
  const arity = action === undefined ? undefined : ORGS_ACTIONS[command][action];
  if (action === undefined || arity === undefined)
    throw new UsageError(`${command} needs one of: ${Object.keys(ORGS_ACTIONS[command]).join(", ")}`);
  if (operands.length !== arity)
    throw new UsageError(
      `${command} ${action} takes ${arity} operand${arity === 1 ? "" : "s"}, not ${operands.length}`,
    );
  if (format !== "text" && format !== "json")
    throw new UsageError(`${command} supports --format text or json`);
  const needsOrg = command === "repos" && action !== "list";
  if (needsOrg && !values.organization) throw new UsageError(`repos ${action} needs --organization ORG`);
  let expiresIn: number | undefined;
  if (values["expires-in"] !== undefined) {
    expiresIn = Number(values["expires-in"]);
    if (!Number.isInteger(expiresIn) || expiresIn < 1)
      throw new UsageError(
        `--expires-in must be a positive whole number of seconds, not "${values["expires-in"]}"`,
      );
  }
  return { command, action, operands, organization: values.organization, expiresIn, format };
}
