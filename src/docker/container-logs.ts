import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import { LogTail } from "./log-tail.js";

/**
 * Reading a container's output. Without a TTY the engine multiplexes stdout and stderr in
 * frames: 1 byte stream id, 3 zero bytes, a 4-byte big-endian length, then the payload.
 */
export interface LogChunk {
  /** 1 stdout, 2 stderr. */
  stream: number;
  text: string;
}

export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(data: Buffer): LogChunk[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    const chunks: LogChunk[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      chunks.push({
        stream: this.pending[0] ?? 1,
        text: this.pending.subarray(8, 8 + size).toString("utf8"),
      });
      this.pending = this.pending.subarray(8 + size);
    }
    return chunks;
  }
}

/** The last lines a (stopped or running) container printed on stdout and stderr. */
export async function containerLogTail(container: Dockerode.Container, lines = 20): Promise<string[]> {
  try {
    const buffer = await container.logs({ stdout: true, stderr: true, follow: false, tail: lines });
    const tail = new LogTail(lines);
    for (const chunk of new FrameDecoder().push(Buffer.from(buffer))) tail.push(chunk.text);
    return tail.lines();
  } catch {
    // Logs are a courtesy for the report; the verdict never depends on them.
    return [];
  }
}

/**
 * Call `onLine` for each complete line the container prints, from its start, until the
 * returned stop function is called. Lines are split per stream so stdout and stderr never mix.
 */
export async function followLogLines(
  container: Dockerode.Container,
  onLine: (line: string) => void,
): Promise<() => void> {
  const stream = (await container.logs({ stdout: true, stderr: true, follow: true })) as unknown as Readable;
  const decoder = new FrameDecoder();
  const splitters = new Map<number, LogTail>();
  stream.on("data", (data: Buffer) => {
    for (const chunk of decoder.push(data)) {
      let splitter = splitters.get(chunk.stream);
      if (!splitter) splitters.set(chunk.stream, (splitter = new LogTail(1)));
      for (const line of splitter.push(chunk.text)) onLine(line);
    }
  });
  // The stream ends with the container; an error just means no more lines.
  stream.on("error", () => undefined);
  return () => stream.destroy();
}
