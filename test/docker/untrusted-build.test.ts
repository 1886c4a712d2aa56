import { readFile } from "node:fs/promises";
import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import {
  dockerSuite,
  podDockerfile,
  POD_FIXTURE,
  runInImage,
  smokeContainers,
} from "../helpers/docker-bundle.js";
import { startEngineProxy } from "../helpers/engine-proxy.js";

/** Code from a pull request builds and runs under limits, and only a tested image gets the hub's name. */
const { docker, pipeline, bundle, job } = dockerSuite("untrusted");

async function entrypointWith(prelude: string): Promise<string> {
  const original = await readFile(`${POD_FIXTURE}/entrypoint.sh`, "utf8");
  return original.replace("#!/bin/sh\n", `#!/bin/sh\n${prelude}\n`);
}

test("build steps run with the memory, CPU and network limits; smoke containers get tmpfs volumes and the configured user", async () => {
  const b = await bundle({
    Dockerfile: podDockerfile(
      undefined,
      [
        "RUN (cat /sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us; ls /sys/class/net | tr '\\n' ' ') > /app/build-facts",
        "VOLUME /data",
      ].join("\n"),
    ),
    "entrypoint.sh": await entrypointWith(
      `echo "uid=$(id -u) data=$(grep ' /data ' /proc/mounts | cut -d' ' -f3)"`,
    ),
  });
  const j = job(b.dir, "limits", {
    build: { memoryMb: 256, cpus: 0.5, network: "none" },
    smoke: { user: "1234:1234" },
  });
  const outcome = await pipeline.run(j, () => {});
  expect(outcome.infrastructureError).toBeUndefined();
  expect(outcome.findings).toEqual([]);
  expect(outcome.smoke.map((s) => s.passed)).toEqual([true, true, true]);
  expect(outcome.smoke[0]!.logTail).toContain("uid=1234 data=tmpfs");
  const facts = await runInImage(docker, j.image.reference, "cat /app/build-facts");
  expect(facts.split("\n")).toEqual([String(256 * 1024 * 1024), "50000", "lo"]);
  // The per-job build name is gone; the hub's name is the only one left.
  expect((await docker.getImage(outcome.build!.imageId).inspect()).RepoTags).toEqual([j.image.reference]);
});

test("an image whose smoke tests fail never carries the hub's name, so no other bundle can build FROM it", async () => {
  const a = await bundle({ Dockerfile: podDockerfile("crash") });
  const ja = job(a.dir, "crashes");
  const first = await pipeline.run(ja, () => {});
  expect(first.smoke.find((s) => s.name === "pod")?.passed).toBe(false);
  expect(first.build?.tags).toEqual([]);
  expect(await exists(ja.image.reference)).toBe(false);
  expect(await exists(first.build!.imageId)).toBe(false);

  const b = await bundle({ Dockerfile: `FROM ${ja.image.reference}\nRUN true\n` });
  const second = await pipeline.run(job(b.dir, "from-untested"), () => {});
  // Not found locally; nothing can be pulled here, so the engine may also blame the registry.
  expect(second.build).toBeUndefined();
  expect(
    `${second.findings.map((f) => `${f.rule}:${f.line}: ${f.message}`).join("")} ${second.infrastructureError ?? ""}`,
  ).toMatch(/untrusted-crashes|registry-1\.docker\.io/);
});

test("a build that floods its log is stopped at build.maxLogBytes and reported on that line", async () => {
  const b = await bundle({
    Dockerfile: podDockerfile(undefined, "RUN yes 'all work and no play' | head -c 2000000"),
  });
  const outcome = await pipeline.run(job(b.dir, "chatty", { build: { maxLogBytes: 64 * 1024 } }), () => {});
  expect(outcome.infrastructureError).toBeUndefined();
  expect(outcome.findings.map((f) => [f.rule, f.line])).toEqual([["build/log-limit", 4]]);
  expect(outcome.findings[0]!.message).toContain("more than 65536 bytes");
});

test("an engine that dies during a smoke test is reported at once as ours, not after the smoke timeout", async () => {
  const proxy = await startEngineProxy();
  let built: string | undefined;
  try {
    const viaProxy = new Dockerode({ socketPath: proxy.socketPath });
    const dying = createDockerImagePipeline({ docker: viaProxy, sweepOnStart: false });
    const b = await bundle({ Dockerfile: podDockerfile("never-ready") });
    // A smoke timeout far beyond the test's own: only an immediate report ends this test.
    const j = job(b.dir, "engine-dies", { smoke: { timeoutSeconds: 3600 } });
    const outcome = await dying.run(j, (phase) => {
      if (phase === "smoke:pod") setTimeout(() => void proxy.cut(), 1500);
    });
    built = outcome.build?.imageId;
    expect(outcome.infrastructureError).toMatch(/Docker engine .*not in the bundle/);
    expect(outcome.findings).toEqual([]);
    expect(outcome.smoke.map((s) => s.name)).toEqual(["run"]);
  } finally {
    await proxy.close();
    // Its containers outlived the cut connection: remove them through the real socket.
    for (const c of await smokeContainers(docker, "executors/encoders/untrusted-engine-dies"))
      await docker.getContainer(c.Id).remove({ force: true, v: true });
    // So did its per-job name (the engine was gone when the pipeline dropped it).
    if (built)
      await docker
        .getImage(built)
        .remove({ force: true })
        .catch(() => undefined);
  }
}, 120_000);

async function exists(reference: string): Promise<boolean> {
  return docker
    .getImage(reference)
    .inspect()
    .then(() => true)
    .catch(() => false);
}
