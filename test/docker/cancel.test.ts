import { randomUUID } from "node:crypto";
import { dockerSuite, phaseRecorder, podDockerfile } from "../helpers/docker-bundle.js";
import type { Phase } from "../../src/pipeline/image-pipeline.js";

/** The AbortSignal: stop the build or the smoke tests, clean up, report "cancelled". */
const suite = dockerSuite("cancel");
const { docker, pipeline } = suite;

async function job(dockerfile: string, name: string) {
  const b = await suite.bundle({ Dockerfile: dockerfile });
  return suite.job(b.dir, name);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Containers (build steps included) whose command holds `marker`. */
async function containersWith(marker: string): Promise<number> {
  const all = await docker.listContainers({ all: true });
  return all.filter((c) => c.Command.includes(marker)).length;
}

/** Polled for a while: the engine removes an aborted build's container asynchronously. */
async function containersLeftWith(marker: string): Promise<number> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if ((await containersWith(marker)) === 0) return 0;
    await sleep(250);
  }
  return containersWith(marker);
}

test("an abort during the build stops it, leaves no build container, and reports cancelled", async () => {
  const marker = `cancel-${randomUUID()}`;
  const j = await job(`FROM hubgate-test/busybox:1\nRUN echo ${marker} && sleep 60\n`, "build");
  const controller = new AbortController();
  const { phases, onPhase } = phaseRecorder();
  const running = pipeline.run(j, onPhase, controller.signal);
  // Abort once the RUN step is under way.
  for (let i = 0; i < 100 && (await containersWith(marker)) === 0; i++) await sleep(100);
  controller.abort();
  const outcome = await running;
  expect(outcome).toEqual({ findings: [], smoke: [], infrastructureError: "cancelled" });
  expect(phases).toEqual(["build", "done"]);
  expect(await containersLeftWith(marker)).toBe(0);
});

test("an abort during a smoke test kills and removes its containers and reports cancelled", async () => {
  const j = await job(podDockerfile("never-ready"), "smoke");
  const controller = new AbortController();
  const phases: Phase[] = [];
  const outcome = await pipeline.run(
    j,
    (phase) => {
      phases.push(phase);
      if (phase === "smoke:pod") setTimeout(() => controller.abort(), 1000);
    },
    controller.signal,
  );
  expect(outcome.infrastructureError).toBe("cancelled");
  expect(outcome.findings).toEqual([]);
  // The finished run test is kept; the interrupted pod test is not reported as a failure.
  expect(outcome.smoke.map((s) => [s.name, s.passed])).toEqual([["run", true]]);
  expect(phases).toEqual(["build", "smoke:run", "smoke:pod", "done"]);
});

test("an already aborted signal does nothing but report cancelled", async () => {
  const j = await job(podDockerfile(), "before");
  const controller = new AbortController();
  controller.abort();
  const outcome = await pipeline.run(j, () => {}, controller.signal);
  expect(outcome).toEqual({ findings: [], smoke: [], infrastructureError: "cancelled" });
  await expect(docker.getImage(j.image.reference).inspect()).rejects.toMatchObject({ statusCode: 404 });
});
