import { spawnSync } from "node:child_process";

export interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: string;
  ratio?: number;
  /** A target the figure must stay under (same unit); printed as met or missed. */
  targetMax?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of a command, median of `runs` (after one warm-up run). */
export function timeCommand(command: string, args: string[], runs: number, cwd?: string): number {
  spawnSync(command, args, { cwd, stdio: "ignore" });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(command, args, { cwd, stdio: "ignore" });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** Wall times of several commands run in turn (a, b, a, b, …), medians: same machine state for each. */
export function timeInterleaved(commands: Array<[string, string[]]>, runs: number): number[] {
  for (const [command, args] of commands) spawnSync(command, args, { stdio: "ignore" });
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    commands.forEach(([command, args], c) => {
      const start = process.hrtime.bigint();
      spawnSync(command, args, { stdio: "ignore" });
      times[c]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return times.map(median);
}

export function printRows(title: string, rows: Row[]): void {
  console.log(`\n## ${title}`);
  for (const r of rows) {
    const ratio = r.ratio !== undefined ? `  ratio ${r.ratio.toFixed(2)}× vs ${r.baseline}` : "";
    const target =
      r.targetMax !== undefined
        ? `  target ≤ ${r.targetMax} ${r.unit}: ${r.value <= r.targetMax ? "met" : "MISSED"}`
        : "";
    console.log(
      `  ${r.name.padEnd(58)} ${r.value.toFixed(r.value < 10 ? 2 : 0).padStart(10)} ${r.unit}${ratio}${target}`,
    );
  }
}
