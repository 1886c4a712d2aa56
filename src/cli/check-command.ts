// `hubgate check`: plans the check (paths, --changed-since), runs the pipeline bundle by bundle
// and streams the report. Static checks never load dockerode; --build loads it on demand.
import type { CheckArgs } from "./args.js";
import { planLocalCheck } from "../sources/local-plan.js";
import { loadManifestValidator } from "../config/validators.js";
import { checkBundles } from "../pipeline/check-bundles.js";
import { hasInfrastructureError } from "../core/result.js";
import { Progress } from "./progress.js";
import { reportStream, streamsFormat } from "./formats/stream.js";
import { sortFindings } from "../core/finding.js";

export async function runCheck(args: CheckArgs, env: NodeJS.ProcessEnv): Promise<number> {
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
