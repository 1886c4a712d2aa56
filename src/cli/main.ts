#!/usr/bin/env node
// Entry point: wiring only (DESIGN rule 1). Everything past argument parsing is imported on
// demand, so `--version` costs little more than Node itself and a static check never loads
// dockerode, Probot or the ajv compiler (see npm run bench).
import { readFileSync } from "node:fs";
import { guardLines } from "../report/plain-text.js";
import nodeModule from "node:module";
import { parseCliArgs, UsageError, USAGE, type CheckArgs } from "./args.js";

// Node 22+ keeps compiled code between runs (a one-bundle check is mostly start-up); a no-op
// on Node 20, which has no such cache.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const args = parseCliArgs(argv, process.stdout.isTTY === true, env);
    if (args.command === "help") return write(process.stdout, `${USAGE}\n`, 0);
    if (args.command === "version") {
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
        version: string;
      };
      return write(process.stdout, `${pkg.version}\n`, 0);
    }
    if (args.command === "publish") {
      const { runPublishCommand } = await import("./publish-command.js");
      return await runPublishCommand(args, env);
    }
    if (args.command === "gateway") {
      const { runGateway } = await import("./gateway-command.js");
      return await runGateway();
    }
    if (args.command === "worker") {
      const { runWorker } = await import("./worker-command.js");
      return await runWorker(env);
    }
    if (args.command === "published" || args.command === "deprecate" || args.command === "serve") {
      const commands = await import("./catalogue-commands.js");
      if (args.command === "published") return await commands.runPublishedCommand(args, env);
      if (args.command === "deprecate") return await commands.runDeprecateCommand(args, env);
      return await commands.runServeCommand(args, env);
    }
    if (args.command === "serve-auth") {
      const { runServeAuth } = await import("./serve-auth-command.js");
      return await runServeAuth(args, env);
    }
    if (args.command === "registry-auth-config") {
      const { runRegistryAuthConfig } = await import("./serve-auth-command.js");
      return runRegistryAuthConfig(args, env);
    }
    if (args.command === "check") return await runCheck(args, env);
    const { runOrgsCommand } = await import("./orgs-command.js");
    return await runOrgsCommand(args, env);
  } catch (error) {
    if (error instanceof UsageError)
      return write(process.stderr, `hubgate: ${error.message}\n\n${USAGE}\n`, 2);
    if (
      error instanceof Error &&
      ["PlanError", "HubConfigError", "WorkerSettingsError"].includes(error.name)
    ) {
      return write(process.stderr, `hubgate: ${error.message}\n`, 2);
    }
    return write(process.stderr, `hubgate: internal error: ${(error as Error).stack ?? String(error)}\n`, 2);
  }
}

async function runCheck(args: CheckArgs, env: NodeJS.ProcessEnv): Promise<number> {
  const [
    { planLocalCheck },
    { loadManifestValidator },
    { checkBundles },
    { hasInfrastructureError },
    { Progress },
    { reportStream, streamsFormat },
    { sortFindings },
  ] = await Promise.all([
    import("../sources/local-plan.js"),
    import("../config/validators.js"),
    import("../pipeline/check-bundles.js"),
    import("../core/result.js"),
    import("./progress.js"),
    import("./formats/stream.js"),
    import("../core/finding.js"),
  ]);
  const local = await planLocalCheck({
    cwd: process.cwd(),
    paths: args.paths,
    changedSince: args.changedSince,
    configPath: args.config,
  });
  const validator = await loadManifestValidator();
  const progress = new Progress(process.stderr, args.build && process.stderr.isTTY === true);
  let images;
  let revision;
  if (args.build) {
    const { createDockerImagePipeline } = await import("../docker/docker-image-pipeline.js");
    const { revisionFromEnvironment } = await import("../sources/revision-info.js");
    images = createDockerImagePipeline({});
    revision = await revisionFromEnvironment(env, local.topLevel);
  }
  // Text and JSON are written bundle by bundle: nothing but a few results is held. A static
  // check finishes thousands of bundles a second: their text goes out in 64 KiB writes.
  const out = outputBuffer(args.build ? 0 : 64 * 1024, (text) => {
    progress.clear();
    process.stdout.write(text);
  });
  const stream = streamsFormat(args.format)
    ? reportStream(
        args.format as "text" | "json",
        local.plan.bundles.map((b) => b.root),
        sortFindings([...local.plan.findings]),
        out.write,
        { color: args.color },
      )
    : undefined;
  let infrastructure = false;
  const result = await checkBundles(local.plan, {
    config: local.config,
    validator,
    base: local.base,
    images,
    revision,
    jobs: args.jobs,
    keepResults: stream === undefined,
    events: {
      phase: (bundle, phase) => progress.phase(bundle, phase),
      bundleDone: (r) => {
        if (r.infrastructureError) infrastructure = true;
        stream?.bundle(r);
      },
    },
  });
  progress.stop();
  if (stream) {
    stream.end(result);
    out.flush();
  } else {
    const { formatResult } = await import("./formats/index.js");
    process.stdout.write(formatResult(result, args.format, { color: args.color }));
  }
  if (infrastructure || hasInfrastructureError(result)) return 2;
  return result.conclusion === "success" ? 0 : 1;
}

/** Collects text until `size` characters, then hands it on in one piece (0: at once). */
function outputBuffer(size: number, emit: (text: string) => void) {
  let pending: string[] = [];
  let length = 0;
  const flush = () => {
    if (length === 0) return;
    emit(pending.join(""));
    pending = [];
    length = 0;
  };
  return {
    write(text: string) {
      pending.push(text);
      length += text.length;
      if (length >= size) flush();
    },
    flush,
  };
}

function write(stream: NodeJS.WriteStream, text: string, code: number): number {
  // Error messages can quote folder names: no line of them may start a CI workflow command.
  stream.write(guardLines(text));
  return code;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
