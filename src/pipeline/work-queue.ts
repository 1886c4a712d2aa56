/**
 * Background work with a concurrency limit, where a newer job for the same key (the same
 * pull request) supersedes the older one: the older job's signal aborts, whether it is
 * still waiting or already running. Webhooks are answered at once; work runs here.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly current = new Map<string, AbortController>();
  private readonly all = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  /** Queue `job` under `key`; returns at once. Aborts any earlier job with the same key. */
  submit(key: string, job: (signal: AbortSignal) => Promise<void>): void {
    this.current.get(key)?.abort();
    const controller = new AbortController();
    this.current.set(key, controller);
    const task = this.run(key, controller, job);
    this.all.add(task);
    void task.finally(() => this.all.delete(task));
  }

  /** Resolves when every queued and running job has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.all.size) await Promise.allSettled([...this.all]);
  }

  private async run(key: string, controller: AbortController, job: (signal: AbortSignal) => Promise<void>) {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      await job(controller.signal);
    } finally {
      this.running--;
      if (this.current.get(key) === controller) this.current.delete(key);
      this.waiting.shift()?.();
    }
  }
}
