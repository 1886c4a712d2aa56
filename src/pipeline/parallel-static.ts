import { Worker } from "node:worker_threads";
import type { BundleLocation } from "../core/bundle-layout.js";
import type { HubConfig } from "../core/hub-config.js";
import type { BundleResult } from "../core/result.js";
import { sharedRepositories, type CheckPlan } from "./check-bundles.js";
import type { StaticRequest, StaticResponse, StaticWorkerData } from "./static-worker.js";

/** Bundles per message: large enough that messaging costs little, small enough to keep order cheap. */
const CHUNK = 128;

/**
 * A streamed static check spread over worker threads (a local hub of thousands of bundles:
 * reading and parsing use every core). The same per-bundle code as checkBundles' own loop
 * (streamedCheck, imageRepository) runs in each worker; chunks are handed out in plan order
 * as workers ask, so results arrive nearly in order and few wait to be reported.
 */
export async function parallelStaticCheck(
  plan: CheckPlan,
  config: HubConfig,
  threads: number,
  done: (result: BundleResult) => Promise<void>,
): Promise<void> {
  const workerData: StaticWorkerData = {
    headDir: plan.headDir,
    config,
    refusedLinks: plan.refusedLinks ?? [],
  };
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL("./static-worker.js", import.meta.url), { workerData }),
  );
  try {
    const repositories: Array<string | undefined> = new Array(plan.bundles.length);
    await runChunks(workers, plan.bundles, "repositories", async (start, response) => {
      response.repositories?.forEach((r, i) => (repositories[start + i] = r));
    });
    const shared = [...sharedRepositories(plan.bundles, repositories)];
    for (const worker of workers) worker.postMessage({ kind: "shared", shared } satisfies StaticRequest);
    await runChunks(workers, plan.bundles, "check", async (_, response) => {
      for (const result of response.results ?? []) await done(result);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Hand out `bundles` in chunks to whichever worker is free; `take` sees each answer in turn. */
function runChunks(
  workers: Worker[],
  bundles: readonly BundleLocation[],
  kind: "repositories" | "check",
  take: (start: number, response: StaticResponse) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let busy = 0;
    let settled = false;
    // Answers are taken one at a time, in arrival order (take may wait on the report's output).
    let queue = Promise.resolve();
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const feed = (worker: Worker) => {
      if (settled) return;
      if (next >= bundles.length) {
        if (busy === 0) queue.then(() => !settled && ((settled = true), resolve()), fail);
        return;
      }
      const start = next;
      next = Math.min(bundles.length, next + CHUNK);
      busy++;
      worker.postMessage({ kind, start, bundles: bundles.slice(start, next) } satisfies StaticRequest);
    };
    for (const worker of workers) {
      worker.removeAllListeners("message").removeAllListeners("error");
      worker.on("message", (response: StaticResponse) => {
        busy--;
        queue = queue.then(() => take(response.start, response)).catch(fail);
        feed(worker);
      });
      worker.on("error", fail);
      feed(worker);
    }
  });
}
