import type { SmokeResult } from "../../src/core/result.js";
import { dockerSuite, podDockerfile } from "../helpers/docker-bundle.js";

/** Each smoke test fails on its own, through the whole pipeline, with its own reason. */
const suite = dockerSuite("smoke");
const { pipeline } = suite;

/** Build a pod misbehaving in `mode` and return name → [passed, reason]. */
async function smokeOf(mode: string): Promise<Record<string, [boolean, string | undefined]>> {
  const b = await suite.bundle({ Dockerfile: podDockerfile(mode) });
  const job = suite.job(b.dir, mode);
  const outcome = await pipeline.run(job, () => {});
  expect(outcome.infrastructureError).toBeUndefined();
  expect(outcome.findings).toEqual([]);
  // A failed smoke test leaves the image without the hub's name.
  expect(outcome.build?.tags).toEqual(outcome.smoke.every((s) => s.passed) ? [job.image.reference] : []);
  last = outcome.smoke;
  return Object.fromEntries(outcome.smoke.map((s) => [s.name, [s.passed, s.reason]]));
}
let last: SmokeResult[] = [];

test("run fails alone when `--shutdown-idle` exits non-zero", async () => {
  expect(await smokeOf("run-fails")).toEqual({
    run: [false, "exited with code 3"],
    pod: [true, undefined],
    replicas: [true, undefined],
  });
  expect(last[0]?.logTail).toContain("cannot shut down cleanly");
});

test("pod and replicas fail when the pod never becomes ready; run still passes", async () => {
  expect(await smokeOf("never-ready")).toEqual({
    run: [true, undefined],
    pod: [false, "not ready within 6s (no log line matched /ready and listening/)"],
    replicas: [
      false,
      "replicas 1, 2 and 3 of 3: not ready within 6s (no log line matched /ready and listening/)",
    ],
  });
});

test("replicas fail alone when one replica's readiness depends on a peer that never comes", async () => {
  expect(await smokeOf("replica-stuck")).toEqual({
    run: [true, undefined],
    pod: [true, undefined],
    replicas: [false, "replica 2 of 3: not ready within 6s (no log line matched /ready and listening/)"],
  });
  const replicas = last[2];
  expect(replicas?.logTail).toEqual(
    expect.arrayContaining(["[replica 2] replica 2 waits for a peer forever"]),
  );
});

test("a pod ignoring SIGTERM did not stop in time, and is killed", async () => {
  expect(await smokeOf("ignore-term")).toEqual({
    run: [true, undefined],
    pod: [false, "did not stop within 3s of SIGTERM"],
    replicas: [false, "replicas 1, 2 and 3 of 3: did not stop within 3s of SIGTERM"],
  });
});

test("a pod crashing on start exited before ready", async () => {
  expect(await smokeOf("crash")).toEqual({
    run: [true, undefined],
    pod: [false, "exited with code 4 before ready"],
    replicas: [false, "replicas 1, 2 and 3 of 3: exited with code 4 before ready"],
  });
});
