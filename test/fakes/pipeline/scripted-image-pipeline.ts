import type { ImageJob, ImageOutcome, ImagePipeline, Phase } from "../../../src/pipeline/image-pipeline.js";

export interface ScriptedImagePipeline extends ImagePipeline {
  /** Bundle paths in the order their builds started. */
  readonly started: string[];
  /** Let every held build finish. */
  release(): void;
  /** Resolves once `n` builds have started. */
  waitForStarts(n: number): Promise<void>;
}

/**
 * Scripted outcomes by bundle path (default: built, three smoke tests passed). With `hold`,
 * each build waits for `release()` (or its signal) between "build" and "smoke:run".
 */
export function scriptedImagePipeline(
  script: Record<string, Partial<ImageOutcome>> = {},
  options: { hold?: boolean } = {},
): ScriptedImagePipeline {
  const started: string[] = [];
  const waiting: Array<() => void> = [];
  const startWaiters: Array<{ n: number; resolve: () => void }> = [];
  let released = !options.hold;
  return {
    started,
    release() {
      released = true;
      for (const w of waiting.splice(0)) w();
    },
    waitForStarts(n) {
      if (started.length >= n) return Promise.resolve();
      return new Promise((resolve) => startWaiters.push({ n, resolve }));
    },
    async run(job: ImageJob, onPhase: (phase: Phase) => void, signal?: AbortSignal): Promise<ImageOutcome> {
      started.push(job.bundlePath);
      for (const w of startWaiters.filter((x) => started.length >= x.n)) w.resolve();
      onPhase("build");
      if (!released) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          signal?.addEventListener("abort", () => resolve(), { once: true });
        });
      }
      if (signal?.aborted) return { findings: [], smoke: [], infrastructureError: "cancelled" };
      for (const phase of ["smoke:run", "smoke:pod", "smoke:replicas", "tag"] as const) onPhase(phase);
      const outcome = script[job.bundlePath] ?? {};
      return {
        findings: [],
        build: {
          imageId: `sha256:${"e".repeat(64)}`,
          durationMs: 1,
          tags: [job.image.reference],
          logTail: ["built (scripted)"],
        },
        smoke: (["run", "pod", "replicas"] as const).map((name) => ({ name, passed: true, durationMs: 1 })),
        ...outcome,
      };
    },
  };
}
