import type { Phase } from "../pipeline/image-pipeline.js";

/**
 * Live progress on a TTY: one line per bundle being built (phase and elapsed time),
 * redrawn in place at most a few times a second. Off a TTY it prints nothing, so logs
 * and piped output stay clean.
 */
export class Progress {
  private readonly active = new Map<string, { phase: Phase; since: number }>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  phase(bundle: string, phase: Phase): void {
    if (!this.enabled) return;
    if (phase === "done") this.active.delete(bundle);
    else this.active.set(bundle, { phase, since: this.active.get(bundle)?.since ?? Date.now() });
    this.timer ??= setInterval(() => this.draw(), 250).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** Erase the progress lines, before other output takes their place (redrawn on the next tick). */
  clear(): void {
    if (this.drawn) this.stream.write(`\u001b[${this.drawn}A\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.clear();
    const now = Date.now();
    const lines = [...this.active].map(
      ([bundle, { phase, since }]) =>
        `  ${((now - since) / 1000).toFixed(1).padStart(6)}s  ${phase.padEnd(15)} ${bundle}`,
    );
    if (lines.length) this.stream.write(lines.join("\n") + "\n");
    this.drawn = lines.length;
  }
}
