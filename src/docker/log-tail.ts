/** Keeps the last lines of a stream of text chunks (chunks split lines anywhere). */
export class LogTail {
  private readonly kept: string[] = [];
  private partial = "";

  constructor(
    private readonly limit = 20,
    /** Lines longer than this are cut: a report needs the gist, not a minified blob. */
    private readonly maxLineLength = 500,
    /** Which completed lines are worth keeping (all by default). */
    private readonly worthKeeping: (line: string) => boolean = () => true,
  ) {}

  /** Add a chunk; returns the lines it completed. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    const completed = parts.map((line) => this.cut(line));
    for (const line of completed) this.keep(line);
    return completed;
  }

  /** The kept lines plus any unfinished last line. */
  lines(): string[] {
    const all = this.partial ? [...this.kept, this.cut(this.partial)] : [...this.kept];
    return all.slice(-this.limit);
  }

  private keep(line: string) {
    if (line.trim() === "" || !this.worthKeeping(line)) return;
    this.kept.push(line);
    if (this.kept.length > this.limit) this.kept.shift();
  }

  private cut(line: string): string {
    // eslint-disable-next-line no-control-regex -- colour codes of build tools start with ESC
    const clean = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "").trimEnd();
    return clean.length > this.maxLineLength ? `${clean.slice(0, this.maxLineLength)}…` : clean;
  }
}
