import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A Unix-socket relay to the real Docker engine that a test can cut: to the client it is
 * as if the engine died (open connections drop, new ones are refused), while the shared
 * engine itself is never touched.
 */
export interface EngineProxy {
  socketPath: string;
  cut(): Promise<void>;
  close(): Promise<void>;
}

export async function startEngineProxy(target = "/var/run/docker.sock"): Promise<EngineProxy> {
  const dir = await mkdtemp(join(tmpdir(), "hubgate-engine-proxy-"));
  const socketPath = join(dir, "docker.sock");
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  let open = true;
  const cut = async () => {
    if (!open) return;
    open = false;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    socketPath,
    cut,
    close: async () => {
      await cut();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
