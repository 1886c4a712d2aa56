// Build + three smoke tests + tag: hubgate's pipeline next to the bare docker CLI doing the
// same work on the same sample bundle, in one run, cold (cache busted) and warm.
// Needs `npm run build` (imports dist/) and a Docker engine. `node bench/docker-build.js`.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { clearTimeout, setTimeout } from "node:timers";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Dockerode from "dockerode";
import tar from "tar-stream";
import { parse } from "yaml";
import { createDockerImagePipeline } from "../dist/docker/docker-image-pipeline.js";
import { resolveHubConfig } from "../dist/core/hub-config.js";

const SAMPLE = fileURLToPath(new URL("../test/fixtures/docker/pod-bundle", import.meta.url));
const BASE_IMAGE = "hubgate-test/busybox:1";

/** @returns {Promise<Array<{name: string, value: number, unit: string, baseline?: string, ratio?: number}>>} */
export async function benchDockerBuild() {
  const docker = new Dockerode();
  await docker.ping();
  await ensureBaseImage(docker);
  const config = resolveHubConfig({});
  const root = await mkdtemp(join(tmpdir(), "hubgate-bench-"));
  // One copy each: the engine's layer cache is shared, so one contender's build must not
  // warm the other's.
  const dir = join(root, "hubgate");
  const cliDir = join(root, "cli");
  await cp(SAMPLE, dir, { recursive: true });
  await cp(SAMPLE, cliDir, { recursive: true });
  const manifest = parse(await readFile(join(dir, "manifest.yml"), "utf8"));
  const hubRef = { repository: "hubgate-bench/pod.encoder.hubgate", tag: "0.0.1" };
  const cliRef = "hubgate-bench/pod.encoder.cli:0.0.1";
  const pipeline = createDockerImagePipeline({ docker });
  const job = {
    bundleDir: dir,
    bundlePath: "executors/encoders/BenchPod",
    image: { ...hubRef, reference: `${hubRef.repository}:${hubRef.tag}` },
    manifest,
    config,
    revision: { sourceUrl: "https://github.com/acme/hub", commit: randomUUID().replace(/-/g, "") },
  };
  const rows = [];
  try {
    for (const temperature of ["cold", "warm"]) {
      // Cold: a new file in the context misses the cache from COPY on, for both contenders.
      if (temperature === "cold") {
        await writeFile(join(dir, ".bench-nonce"), randomUUID());
        await writeFile(join(cliDir, ".bench-nonce"), randomUUID());
      }
      const hub = await timed(async () => {
        const outcome = await pipeline.run(job, () => {});
        const failed = outcome.infrastructureError ?? outcome.findings[0]?.message;
        if (failed || !outcome.smoke.every((s) => s.passed))
          throw new Error(`hubgate run failed: ${failed ?? JSON.stringify(outcome.smoke)}`);
        return outcome.build?.durationMs ?? 0;
      });
      const cli = await timed(() => cliPipeline(cliDir, cliRef, config));
      rows.push(row(`${temperature}: build + 3 smoke tests + tag`, hub.ms, cli.ms));
      rows.push(row(`${temperature}: build only`, hub.result, cli.result));
    }
  } finally {
    for (const ref of [job.image.reference, cliRef])
      await docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => {});
    await rm(root, { recursive: true, force: true });
  }
  return rows;
}

function row(name, hubMs, cliMs) {
  return {
    name: `hubgate ${name}`,
    value: Math.round(hubMs),
    unit: "ms",
    baseline: `docker CLI ${Math.round(cliMs)} ms`,
    ratio: hubMs / cliMs,
  };
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/** The same work with the docker CLI: same sandbox flags, same arguments, same readiness rule. */
async function cliPipeline(dir, ref, config) {
  const { smoke } = config;
  const sandbox = [
    "--network=none",
    `--memory=${smoke.memoryMb}m`,
    `--memory-swap=${smoke.memoryMb}m`,
    `--cpus=${smoke.cpus}`,
    `--pids-limit=${smoke.pids}`,
    "--read-only",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
    "--tmpfs=/tmp:rw,noexec,nosuid,size=16m",
  ];
  const build = await timed(() => dockerCli(["build", "-q", "-t", ref, dir]));
  await dockerCli(["run", "--rm", ...sandbox, ref, ...smoke.runArgs]);
  await cliPod(ref, sandbox, smoke);
  await Promise.all(Array.from({ length: smoke.replicas }, () => cliPod(ref, sandbox, smoke)));
  await dockerCli(["tag", ref, ref]);
  return build.ms;
}

async function cliPod(ref, sandbox, smoke) {
  const id = (await dockerCli(["run", "-d", ...sandbox, ref, ...smoke.podArgs])).trim();
  try {
    await waitForLogLine(id, new RegExp(smoke.readyPattern), smoke.timeoutSeconds * 1000);
    await dockerCli(["stop", "-t", String(smoke.stopTimeoutSeconds), id]);
  } finally {
    await dockerCli(["rm", "-f", id]);
  }
}

function waitForLogLine(id, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", ["logs", "-f", id]);
    const timer = setTimeout(() => finish(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error) => {
      clearTimeout(timer);
      child.kill();
      if (error) reject(error);
      else resolve();
    };
    const onData = (data) => pattern.test(String(data)) && finish();
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
}

function dockerCli(args) {
  return new Promise((resolve, reject) => {
    // The classic builder, as hubgate uses through the API.
    const child = spawn("docker", args, { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`docker ${args[0]}: ${err.trim()}`)),
    );
  });
}

async function ensureBaseImage(engine) {
  if (
    await engine
      .getImage(BASE_IMAGE)
      .inspect()
      .then(
        () => true,
        () => false,
      )
  )
    return;
  const pack = tar.pack();
  pack.entry(
    { name: "Dockerfile" },
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
  );
  pack.entry({ name: "busybox", mode: 0o755 }, await readFile("/bin/busybox"));
  pack.finalize();
  const stream = await engine.buildImage(pack, { t: BASE_IMAGE, pull: false, rm: true, forcerm: true });
  await new Promise((resolve, reject) =>
    engine.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchDockerBuild()) {
    console.log(
      `${r.name.padEnd(48)} ${String(r.value).padStart(7)} ${r.unit}   ${r.ratio.toFixed(2)}x vs ${r.baseline}`,
    );
  }
}
