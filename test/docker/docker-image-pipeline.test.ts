import { mkdir, writeFile } from "node:fs/promises";
import Dockerode from "dockerode";
import { createDockerImagePipeline } from "../../src/docker/docker-image-pipeline.js";
import { dockerSuite, phaseRecorder, podDockerfile, runInImage } from "../helpers/docker-bundle.js";

/** End to end against the real engine: build, three smoke tests, tag. */
const { docker, pipeline, bundle, job, trackImage } = dockerSuite("pipeline");

test("a good bundle builds, passes all three smoke tests and is tagged with OCI labels", async () => {
  const b = await bundle();
  const j = job(b.dir, "good");
  const { phases, onPhase } = phaseRecorder();

  const outcome = await pipeline.run(j, onPhase);

  expect(outcome.infrastructureError).toBeUndefined();
  expect(outcome.findings).toEqual([]);
  expect(outcome.smoke.map((s) => [s.name, s.passed, s.reason])).toEqual([
    ["run", true, undefined],
    ["pod", true, undefined],
    ["replicas", true, undefined],
  ]);
  expect(outcome.smoke[1]?.logTail).toEqual(
    expect.arrayContaining(["pod: ready and listening", "terminated, bye"]),
  );
  expect(phases).toEqual(["build", "smoke:run", "smoke:pod", "smoke:replicas", "tag", "done"]);
  expect(outcome.build?.tags).toEqual([j.image.reference]);

  const image = await docker.getImage(j.image.reference).inspect();
  expect(image.Id).toBe(outcome.build?.imageId);
  const labels = image.Config.Labels ?? {};
  expect(labels).toMatchObject({
    "org.opencontainers.image.title": "SmokePod",
    "org.opencontainers.image.version": "0.0.1",
    "org.opencontainers.image.licenses": "apache-2.0",
    "org.opencontainers.image.authors": "Test Author (author@example.com)",
    "org.opencontainers.image.vendor": "Hubgate Tests",
    "org.opencontainers.image.url": "https://example.com/smoke-pod",
    "org.opencontainers.image.revision": "0123456789abcdef",
    "org.opencontainers.image.source": "https://github.com/acme/hub.git",
    "dev.hubgate.manifest.kind": "encoder",
    "dev.hubgate.manifest.type": "pod",
    "dev.hubgate.manifest.name": "SmokePod",
    "dev.hubgate.manifest.version": "0.0.1",
    "dev.hubgate.manifest.keywords": "test,smoke",
    "dev.hubgate.managed": "true",
  });
  expect(labels["org.opencontainers.image.created"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // The credentials in the revision's source URL never reach the image.
  expect(JSON.stringify(labels)).not.toContain("secret");
});

test("a second run of an unchanged bundle is a cache hit giving the very same image", async () => {
  // The RUN writes random bytes: the same bytes later means the layer came from the cache.
  const b = await bundle({
    Dockerfile: podDockerfile(undefined, "RUN od -An -x -N8 /dev/urandom > /app/nonce"),
  });
  const j = job(b.dir, "cache");
  const first = await pipeline.run(j, () => {});
  const second = await pipeline.run(j, () => {});
  expect(first.build?.imageId).toBeDefined();
  expect(second.build?.imageId).toBe(first.build?.imageId);
  const nonce = await runInImage(docker, j.image.reference, "cat /app/nonce");
  // A new commit is a new image (its revision label), still on the cached layers.
  const third = await pipeline.run(
    { ...j, revision: { ...j.revision, commit: "fedcba9876543210" } },
    () => {},
  );
  expect(third.build?.imageId).not.toBe(first.build?.imageId);
  expect((await docker.getImage(j.image.reference).inspect()).Id).toBe(third.build?.imageId);
  expect(await runInImage(docker, j.image.reference, "cat /app/nonce")).toBe(nonce);
  trackImage(first.build?.imageId ?? ""); // superseded by the third, now untagged
});

test("a failing RUN is an error finding on its Dockerfile line, and no smoke test runs", async () => {
  const dockerfile = [
    "# a comment, then a multi-line instruction",
    "FROM hubgate-test/busybox:1",
    "RUN echo one \\",
    "    && echo two",
    "",
    "RUN echo about to fail && exit 3",
    'CMD ["sh"]',
    "",
  ].join("\n");
  const b = await bundle({ Dockerfile: dockerfile });
  const j = job(b.dir, "build-fails");
  const { phases, onPhase } = phaseRecorder();

  const outcome = await pipeline.run(j, onPhase);

  expect(outcome.infrastructureError).toBeUndefined();
  expect(outcome.smoke).toEqual([]);
  expect(outcome.build).toBeUndefined();
  expect(outcome.findings).toHaveLength(1);
  const f = outcome.findings[0];
  expect(f).toMatchObject({
    file: `${j.bundlePath}/Dockerfile`,
    line: 6,
    level: "error",
    rule: "build/failed",
  });
  expect(f?.message).toContain("returned a non-zero code: 3");
  expect(f?.message).toContain("at step 3 (RUN echo about to fail && exit 3)");
  expect(f?.message).not.toMatch(/Removing intermediate container| ---> /);
  expect(f?.message).toContain("about to fail");
  expect(phases).toEqual(["build", "done"]);
});

test("a Dockerfile that does not parse is a finding on the offending line", async () => {
  const b = await bundle({ Dockerfile: "FROM hubgate-test/busybox:1\nRUN true\nCOPPY . /app\n" });
  const outcome = await pipeline.run(job(b.dir, "parse-error"), () => {});
  expect(outcome.infrastructureError).toBeUndefined();
  expect(outcome.findings).toEqual([
    expect.objectContaining({
      line: 3,
      rule: "build/failed",
      message: expect.stringContaining("unknown instruction"),
    }),
  ]);
});

test("a step that runs past build.timeoutSeconds is stopped and reported on its line", async () => {
  const b = await bundle({ Dockerfile: "FROM hubgate-test/busybox:1\nRUN sleep 60\n" });
  const outcome = await pipeline.run(job(b.dir, "build-timeout", { build: { timeoutSeconds: 3 } }), () => {});
  expect(outcome.infrastructureError).toBeUndefined();
  expect(outcome.findings).toEqual([
    expect.objectContaining({
      line: 2,
      rule: "build/timeout",
      message: expect.stringContaining("within 3s"),
    }),
  ]);
});

test("a symlink escaping the bundle is a finding and is never followed into the image", async () => {
  const b = await bundle({
    "leak.txt": { symlink: "../outside/secret.txt" },
    "inner-link": { symlink: "config.yml" },
  });
  // The secret lives next to the bundle, where the link points.
  await mkdir(`${b.root}/outside`);
  await writeFile(`${b.root}/outside/secret.txt`, "TOP SECRET");
  const j = job(b.dir, "symlink");
  const outcome = await pipeline.run(j, () => {});
  expect(outcome.findings).toEqual([
    expect.objectContaining({
      file: `${j.bundlePath}/leak.txt`,
      rule: "bundle/symlink-escape",
      level: "error",
    }),
  ]);
  // The rest still builds (all problems in one pass); the link is not in the image.
  expect(outcome.build).toBeDefined();
  const probe = await runInImage(
    docker,
    j.image.reference,
    "cat /app/leak.txt; [ -e /app/leak.txt ] || [ -L /app/leak.txt ] && echo LEAK-PRESENT; readlink /app/inner-link",
  );
  expect(probe).not.toContain("TOP SECRET");
  expect(probe).not.toContain("LEAK-PRESENT");
  // A link inside the bundle is sent as the link it is.
  expect(probe).toContain("config.yml");
});

test(".dockerignore keeps files out of the context (with ! exceptions and **)", async () => {
  const b = await bundle({
    ".dockerignore": "# build junk\n*.log\n**/__pycache__\ndata\n!data/keep.txt\n",
    "debug.log": "noise",
    "pkg/__pycache__/x.pyc": "bytecode",
    "pkg/module.py": "print('hi')",
    "data/big.bin": { bytes: 1024 },
    "data/keep.txt": "kept",
  });
  const j = job(b.dir, "dockerignore");
  const outcome = await pipeline.run(j, () => {});
  expect(outcome.build).toBeDefined();
  const listing = await runInImage(docker, j.image.reference, "cd /app && find . -type f | sort");
  expect(listing.split("\n")).toEqual(
    expect.arrayContaining(["./pkg/module.py", "./data/keep.txt", "./entrypoint.sh", "./Dockerfile"]),
  );
  expect(listing).not.toMatch(/debug\.log|__pycache__|big\.bin/);
});

test("a context over build.maxContextBytes is a finding and nothing is built", async () => {
  const b = await bundle({ "model.bin": { bytes: 300 * 1024 } });
  const j = job(b.dir, "too-large", { build: { maxContextBytes: 100 * 1024 } });
  const { phases, onPhase } = phaseRecorder();
  const outcome = await pipeline.run(j, onPhase);
  expect(outcome.findings).toEqual([
    expect.objectContaining({ file: j.bundlePath, rule: "build/context-too-large", level: "error" }),
  ]);
  expect(outcome.build).toBeUndefined();
  expect(outcome.smoke).toEqual([]);
  expect(phases).toEqual(["build", "done"]);
});

test("an image with a HEALTHCHECK is ready when healthy, not on the log line", async () => {
  const healthcheck = "HEALTHCHECK --interval=30s --timeout=2s CMD test -f /tmp/healthy";
  const good = await bundle({ Dockerfile: podDockerfile("health", healthcheck) });
  const never = await bundle({ Dockerfile: podDockerfile("health-never", healthcheck) });
  const healthy = await pipeline.run(job(good.dir, "health"), () => {});
  expect(healthy.smoke.map((s) => [s.name, s.passed])).toEqual([
    ["run", true],
    ["pod", true],
    ["replicas", true],
  ]);
  const unhealthy = await pipeline.run(job(never.dir, "health-never"), () => {});
  expect(unhealthy.smoke.find((s) => s.name === "pod")?.reason).toMatch(
    /^not ready within 6s \(its HEALTHCHECK/,
  );
});

test("an unreachable Docker daemon is an infrastructure error, never a finding", async () => {
  const b = await bundle();
  const offline = createDockerImagePipeline({
    docker: new Dockerode({ socketPath: "/tmp/hubgate-no-such-docker.sock" }),
  });
  const { phases, onPhase } = phaseRecorder();
  const outcome = await offline.run(job(b.dir, "offline"), onPhase);
  expect(outcome.findings).toEqual([]);
  expect(outcome.smoke).toEqual([]);
  expect(outcome.infrastructureError).toMatch(/could not be reached.*hubgate's side, not in the bundle/);
  expect(phases).toEqual(["build", "done"]);
});
