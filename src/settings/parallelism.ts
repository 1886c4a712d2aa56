import { availableParallelism, totalmem } from "node:os";

/** What the defaults are computed from; the machine's by default, fixed in tests. */
export interface MachineSize {
  cores: number;
  memoryBytes: number;
}

const GIB = 1024 ** 3;
/**
 * Memory one bundle in flight may take: its build plus the replicas smoke test (three
 * containers at the hub's default 512 MB limit each).
 */
export const MEMORY_PER_BUILD_BYTES = 1.5 * GIB;
/** Smoke tests mostly wait (for readiness, for a clean stop): 4 per core keeps the cores busy. */
export const BUILDS_PER_CORE = 4;
export const MAX_DEFAULT_JOBS = 16;

export function machineSize(): MachineSize {
  return { cores: availableParallelism(), memoryBytes: totalmem() };
}

/**
 * Bundles built and smoke-tested at once, when `--jobs` / HUBGATE_JOBS does not say:
 * `min(4 × cores, memory ÷ 1.5 GiB)`, at least 1, at most 16. Measured on a 2-core machine,
 * `--jobs 8` checked 8 bundles 2.2–2.8× faster than `--jobs 2` (the wait dominates), so the
 * core count alone is far too low; memory is what really runs out first on small machines.
 */
export function defaultJobs(size: MachineSize = machineSize()): number {
  const byCores = BUILDS_PER_CORE * Math.max(1, size.cores);
  const byMemory = Math.floor(size.memoryBytes / MEMORY_PER_BUILD_BYTES);
  return Math.max(1, Math.min(byCores, byMemory, MAX_DEFAULT_JOBS));
}

/**
 * Change requests worked on at once by one process or worker, when HUBGATE_CONCURRENCY does
 * not say: one per core, at least 2, so a slow pull request never holds up the next one;
 * the bundles inside each are already parallel (defaultJobs).
 */
export function defaultConcurrency(size: MachineSize = machineSize()): number {
  return Math.max(2, size.cores);
}

/** A positive whole number from the environment, or the default. */
export function positiveIntegerOr(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
