// A worker thread of parallel-static.ts: static checks of the bundles it is sent.
import { parentPort, workerData } from "node:worker_threads";
import type { BundleLocation } from "../core/bundle-layout.js";
import type { HubConfig } from "../core/hub-config.js";
import type { BundleResult } from "../core/result.js";
import { loadManifestValidator } from "../config/validators.js";
import { imageRepository, streamedCheck } from "./check-bundles.js";

export interface StaticWorkerData {
  headDir: string;
  config: HubConfig;
  refusedLinks: ReadonlyArray<{ path: string; target: string }>;
}

export type StaticRequest =
  | { kind: "repositories" | "check"; start: number; bundles: BundleLocation[] }
  | { kind: "shared"; shared: Array<[string, string[]]> };

export interface StaticResponse {
  start: number;
  repositories?: Array<string | undefined>;
  results?: BundleResult[];
}

if (parentPort) {
  const port = parentPort;
  const { headDir, config, refusedLinks } = workerData as StaticWorkerData;
  const validator = loadManifestValidator();
  let shared = new Map<string, string[]>();
  // Requests are handled one after another, in the order sent.
  let queue = Promise.resolve();
  port.on("message", (request: StaticRequest) => {
    queue = queue.then(async () => {
      if (request.kind === "shared") {
        shared = new Map(request.shared);
        return;
      }
      const options = { config, validator: await validator };
      if (request.kind === "repositories") {
        const repositories = request.bundles.map((b) => imageRepository(headDir, b, options, refusedLinks));
        port.postMessage({ start: request.start, repositories } satisfies StaticResponse);
        return;
      }
      const results: BundleResult[] = [];
      for (const b of request.bundles)
        results.push(await streamedCheck(headDir, b, options, refusedLinks, shared));
      port.postMessage({ start: request.start, results } satisfies StaticResponse);
    });
  });
}
