import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { tagProblem } from "../core/tags.js";

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
  | OrgsArgs
  | ServeAuthArgs
  | RegistryAuthConfigArgs
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

PATH is a bundle folder or a hub/repository root (default .); every bundle below it is checked.
  --changed-since REF  only bundles changed since REF (git); versions must be bumped over REF
  --build              also build the image, run the three smoke tests and tag it
  --jobs N             bundles built in parallel (default: CPU count)
  --config FILE        hub config (default: .hubgate.yml at the hub root)
  -t, --tag TAG        publish: tag besides the version (repeatable); without any, latest;
                       name latest too to keep it
  --protected-tag TAG  publish: a tag pushed once and never again (repeatable)
Exit status: 0 no error, 1 at least one error finding, 2 usage or infrastructure problem.
Publishing reads HUBGATE_REGISTRY_USERNAME / HUBGATE_REGISTRY_PASSWORD from the environment.

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
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
        color: { type: "boolean" },
        organization: { type: "string" },
        "expires-in": { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
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
    const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
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
    };
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
