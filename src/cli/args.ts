import { parseArgs } from "node:util";
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
  registry?: string;
  dryRun: boolean;
  config?: string;
  format: Format;
}

export type CliArgs =
  | CheckArgs
  | PublishArgs
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
  hubgate gateway      the server: webhooks, platform API, reporting (env: README "Deploying")
  hubgate worker       a build worker on its own Docker engine, jobs from HUBGATE_REDIS_URL

PATH is a bundle folder or a hub/repository root (default .); every bundle below it is checked.
  --changed-since REF  only bundles changed since REF (git); versions must be bumped over REF
  --build              also build the image, run the three smoke tests and tag it
  --jobs N             bundles built in parallel (default: min(4 x cores, memory / 1.5 GiB), 1..16)
  --config FILE        hub config (default: .hubgate.yml at the hub root)
Exit status: 0 no error, 1 at least one error finding, 2 usage or infrastructure problem.
Publishing reads HUBGATE_REGISTRY_USERNAME / HUBGATE_REGISTRY_PASSWORD from the environment.`;

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
    return {
      command,
      paths,
      registry: values.registry,
      dryRun: values["dry-run"] ?? false,
      config: values.config,
      format,
    };
  }
  if (command === "gateway" || command === "worker") {
    if (paths.length > 0)
      throw new UsageError(`${command} takes no PATH; it is configured by its environment`);
    return { command };
  }
  throw new UsageError(`unknown command "${command}"`);
}
